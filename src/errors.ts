/**
 * The one user-facing error class. Anything else that reaches the error boundary in bin.ts
 * is a bug and is reported as such.
 */

/** Exit codes saferun itself produces. A program's own exit code passes through unchanged. */
export const ExitCode = {
  ok: 0,
  usage: 2,
  blocked: 120,
  saferunError: 121,
  outputLimit: 122,
  oom: 123,
  timeout: 124,
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export class SaferunError extends Error {
  readonly exitCode: number;
  /** What was done before the failure, for reports (e.g. a partial run result). */
  readonly partial?: unknown;

  constructor(message: string, options: { exitCode?: number; cause?: unknown; partial?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SaferunError';
    this.exitCode = options.exitCode ?? ExitCode.saferunError;
    this.partial = options.partial;
  }
}

/** A bad flag or argument: the message names the value and what is accepted. */
export class UsageError extends SaferunError {
  constructor(message: string) {
    super(message, { exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
