/**
 * The live view of the phases. listr2 draws on stderr (stdout belongs to the program); when the
 * view is silent (stderr not a terminal, --quiet, --json) the phases just run, and listr2 is not
 * even loaded.
 */
export interface Phase {
  title: string;
  run: (setTitle: (title: string) => void) => Promise<void>;
}

export async function runPhases(phases: Phase[], visible: boolean): Promise<void> {
  if (!visible) {
    for (const phase of phases) await phase.run(() => undefined);
    return;
  }
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  // A terminal that reports no width (some pseudo-terminals) would wrap every character.
  const roomy = (process.stderr.columns ?? 0) >= 40;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr(
    phases.map((phase) => ({
      title: phase.title,
      task: async (_ctx: unknown, task: { title: string }) => {
        await phase.run((title) => {
          task.title = title;
        });
      },
    })),
    {
      renderer: roomy ? 'default' : 'simple',
      exitOnError: true,
      registerSignalListeners: false,
      collectErrors: false,
      rendererOptions: { collapseErrors: false, logger },
    },
  );
  await list.run();
}
