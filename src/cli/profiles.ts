/** `saferun profiles list` and `saferun profiles show NAME|FILE [--json]`. */
import { commandParser } from './command-parser.js';
import { availableProfileNames, DEFAULT_PROFILE, loadProfile } from '../config/load-profile.js';
import { formatPolicyAction, type Profile } from '../config/profile.js';
import { formatBytes, formatDuration } from '../config/units.js';
import { RISK_LEVELS } from '../findings/finding.js';

export async function main(argv: string[]): Promise<number> {
  await commandParser(argv, 'saferun profiles', 'saferun profiles <list|show NAME|FILE>')
    .command('list', 'list the presets and your own profiles', {}, async () => {
      for (const name of availableProfileNames()) {
        const { profile } = await loadProfile(name);
        const marker = name === DEFAULT_PROFILE ? ' (default)' : '';
        process.stdout.write(`${`${name}${marker}`.padEnd(20)} network ${profile.network.padEnd(10)} ${profile.description}\n`);
      }
    })
    .command(
      'show <profile>',
      'show a profile with extends resolved and units normalised',
      (y) => y.positional('profile', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
      async (args) => {
        const { profile, warnings } = await loadProfile(String(args.profile));
        for (const warning of warnings) process.stderr.write(`saferun: warning: ${warning}\n`);
        process.stdout.write(args.json ? `${JSON.stringify(profile, null, 2)}\n` : describeProfile(profile));
      },
    )
    .demandCommand(1, 'name a subcommand: list or show')
    .parseAsync();
  return 0;
}

export function describeProfile(profile: Profile): string {
  const l = profile.limits;
  return [
    `profile ${profile.name}${profile.source === 'preset' ? ' (preset)' : ` (${profile.source})`}`,
    profile.description ? `  ${profile.description}` : undefined,
    `  memory ${formatBytes(l.memoryBytes)} (no swap), cpus ${l.nanoCpus / 1e9}, pids ${l.pids}, open files ${l.nofile}`,
    `  largest file ${formatBytes(l.maxFileSizeBytes)}, /tmp ${formatBytes(l.tmpBytes)} (noexec), timeout ${formatDuration(l.timeoutMs)}`,
    `  network ${profile.network}, working dir ${profile.workdir}, output dir ${profile.output ? 'allowed' : 'not allowed'}, snapshot ${profile.snapshot ? 'on' : 'off'}`,
    profile.network === 'allowlist' ? `  allowlist: ${profile.egress.allow.length > 0 ? profile.egress.allow.join(', ') : 'empty (unlisted hosts are asked about on a terminal, denied without one)'}; upload cap ${formatBytes(profile.egress.maxUploadBytes)}` : undefined,
    `  monitor: ${profile.monitor.enabled ? `on, ${profile.monitor.cutNetwork ? 'cuts the network on a serious alert' : 'alerts only'}` : 'off'}`,
    `  dependencies: ${profile.dependencies.check ? 'checked' : 'not checked'}${profile.dependencies.trustedIndexes.length ? `, trusted indexes ${profile.dependencies.trustedIndexes.join(', ')}` : ''}${profile.dependencies.deniedLicenses.length ? `, denied licences ${profile.dependencies.deniedLicenses.join(', ')}` : ''}`,
    `  policy: ${RISK_LEVELS.map((level) => `${level} → ${formatPolicyAction(profile.policy[level])}`).join(', ')}`,
    '',
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}
