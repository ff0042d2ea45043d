import { classifyCommand, PROCESS_START } from '../engine/shell-command.js';
import { callRule, commandLine, isTruthyConstant } from './rule.js';

/** Containers started through the Docker SDK. */
const CONTAINER_START = /^(docker\.(from_env|DockerClient|client\.from_env|Client)\(\)\.containers\.(run|create)|docker\.APIClient\(\)\.create_container|docker\.APIClient\(\)\.create_host_config|\*\.containers\.(run|create))$/;
/** Mounting the host's root, its /etc or the Docker socket into a container hands it the host. */
const HOST_MOUNT = /["'](\/|\/etc|\/root|\/home|\/var\/run\/docker\.sock|\/run\/docker\.sock|\/proc|\/sys)\/?(["']\s*)?:|["']bind["']\s*:\s*["']\/["']|source\s*=\s*["']\/["']/;
const ESCAPE_CAPABILITIES = /SYS_ADMIN|SYS_PTRACE|SYS_MODULE|DAC_READ_SEARCH|\bALL\b/;

export const containerEscape = callRule(
  {
    id: 'container-escape',
    title: 'Starts a container that can take over the host (privileged, host root or Docker socket mounted)',
    severity: 'high',
    confidence: 'medium',
    category: 'privilege-escalation',
    cwe: 'CWE-250',
    explanation:
      'A container started --privileged, with the host root, /etc or the Docker socket mounted, in the host PID namespace, or with SYS_ADMIN-class capabilities can read and change everything on the host as root: it is the usual way out of a sandbox and up to root on a machine where the user can run Docker. nsenter into PID 1 and chroot into a mounted host root do the same from inside.',
    advice: 'Do not run it where it can reach a Docker engine. If it needs a container, give it one without these options.',
  },
  (name) => CONTAINER_START.test(name) || PROCESS_START.test(name),
  (call, context) => {
    if (PROCESS_START.test(call.name!)) {
      const verdict = classifyCommand(commandLine(context.model, call));
      return verdict?.behaviour === 'privilege-escalation' ? `${call.name}() ${verdict.what}` : undefined;
    }
    const reasons: string[] = [];
    if (isTruthyConstant(call.keywords.get('privileged'))) reasons.push('privileged');
    for (const keyword of ['volumes', 'mounts', 'binds']) {
      const value = call.keywords.get(keyword);
      if (value && HOST_MOUNT.test(value.text)) reasons.push(`the host's ${/docker\.sock/.test(value.text) ? 'Docker socket' : 'files'} mounted`);
    }
    if (/["']host["']/.test(call.keywords.get('pid_mode')?.text ?? '')) reasons.push('the host PID namespace');
    if (ESCAPE_CAPABILITIES.test(call.keywords.get('cap_add')?.text ?? '')) reasons.push(`capabilities ${call.keywords.get('cap_add')!.text.slice(0, 40)}`);
    return reasons.length > 0 ? `${call.name}() starts a container with ${reasons.join(', ')}: it can take over the host` : undefined;
  },
);
