import { CREDENTIAL_PATH } from '../engine/module-model.js';
import { argumentNodes } from '../engine/call-site.js';
import { callRule, constantArg, partialPath } from './rule.js';

const WRITERS = /^(builtins\.open|io\.open|codecs\.open|os\.open|pathlib\.Path\(\)\.(write_text|write_bytes|open)|shutil\.(copy|copy2|copyfile|move)|os\.(rename|replace|symlink)|subprocess\.\w+|os\.(system|popen))$/;
const PERSISTENCE_PATH = /(\.bashrc|\.bash_profile|\.profile|\.zshrc|\.zprofile|\.config\/fish\/config\.fish|\/etc\/(profile|bash\.bashrc|rc\.local|crontab|cron\.d|systemd|init\.d|ld\.so\.preload)|\.config\/autostart|\.config\/systemd\/user|LaunchAgents|LaunchDaemons|crontab\s+-|\/var\/spool\/cron|Start Menu[\\\\/]+Programs[\\\\/]+Startup|shell:startup|CurrentVersion\\\\Run|\.ssh\/authorized_keys|schtasks|systemctl\s+(--user\s+)?enable|sitecustomize\.py|usercustomize\.py|\.pth$)/i;
/** Set-ups that other tools read later: git hooks run on every commit, pip's config decides where packages come from. */
const TOOL_HOOK = /\.git[\\/]hooks[\\/][\w.-]+$|(^|[\\/])pip[\\/]pip\.(conf|ini)$|\.pip[\\/]pip\.conf$|\.pydistutils\.cfg$/i;
/** A program placed on PATH under the name of a command people type (a fake sudo records the password). */
const COMMAND_SHADOW = /(\.local[\\/]bin|\/usr\/local\/s?bin|\/usr\/s?bin|^\/s?bin)[\\/](sudo|su|doas|ssh|scp|passwd|login|git|ls|ps|bash|sh|zsh|curl|wget)$/;
/** Account and privilege files: a line added there is a backdoor account or passwordless root. */
/** Path methods on an object saferun cannot name (p = Path.home() / ".ssh" / "authorized_keys"). */
const PATH_METHOD_WRITERS = new Set(['*.write_text', '*.write_bytes', '*.open']);
const ACCOUNT_FILE = /\/etc\/(sudoers|passwd|shadow|group)\b/i;

export const persistence = callRule(
  {
    id: 'persistence',
    title: 'Installs itself to run again (shell rc files, cron, systemd, autostart, authorized_keys)',
    severity: 'high',
    confidence: 'medium',
    category: 'persistence',
    cwe: 'CWE-506',
    explanation: 'Writing to shell start-up files, crontabs, systemd units, desktop autostart entries, startup folders, Run keys, .pth files, ~/.ssh/authorized_keys, /etc/sudoers or /etc/passwd makes code run again later or lets someone back in; so does a program put on PATH under the name of a command people type (sudo, ssh, git). Git hooks and pip configuration (where later installs come from) are medium: developer tools write them too. Ordinary programs do not do this behind your back.',
    advice: 'Do not run it outside the sandbox. If it is an installer, read exactly what it adds and where.',
  },
  (name) => WRITERS.test(name) || PATH_METHOD_WRITERS.has(name) || name === 'winreg.SetValueEx' || name === 'winreg.CreateKey' || name === 'crontab.CronTab',
  (call, context) => {
    const name = call.name ?? `*.${call.method}`; // p.write_text() on a path saferun cannot name
    const shownName = call.name ?? call.node.childForFieldName('function')?.text.slice(0, 60) ?? name;
    if (name === 'crontab.CronTab') return 'crontab.CronTab(): edits a crontab';
    if (name.startsWith('winreg.')) {
      // the key may have been opened earlier: k = OpenKey(HKCU, r"…\CurrentVersion\Run"); SetValueEx(k, …)
      const opened = call.args
        .flatMap((arg) => (arg.type === 'identifier' ? context.model.assignedValues(arg.text, arg) : []))
        .flatMap((value) => (value.type === 'call' ? argumentNodes(value).map((part) => context.model.fold(part)?.value ?? '') : []));
      const key = `${call.args.map((arg) => context.model.fold(arg)?.value ?? '').join(' ')} ${call.node.text} ${opened.join(' ')}`;
      return /CurrentVersion\\(Run|RunOnce)|Winlogon|Image File Execution Options/i.test(key) ? `${shownName}() on a start-up registry key` : undefined;
    }
    // p.write_text(…), p.open("a"): the path is the object the method is called on, not an argument
    const receiver = PATH_METHOD_WRITERS.has(name) || /^pathlib\.Path\(\)\./.test(name) ? call.node.childForFieldName('function')?.childForFieldName('object') : undefined;
    if (receiver && /\.open$/.test(name) && !/[wa+x]/.test(constantArg(context, call, 0, 'mode') ?? 'r')) return undefined;
    const paths = [...(receiver ? [receiver] : []), ...call.args];
    const target = paths.map((arg) => partialPath(context.model, arg) ?? '').find((text) => PERSISTENCE_PATH.test(text) || ACCOUNT_FILE.test(text) || TOOL_HOOK.test(text) || COMMAND_SHADOW.test(text));
    if (!target) return undefined;
    if (call.name === 'builtins.open' && !/[wa+]/.test(constantArg(context, call, 1, 'mode') ?? 'r')) return undefined; // reading a profile is fine
    const shown = JSON.stringify(target.slice(0, 80));
    const shadowed = COMMAND_SHADOW.exec(target)?.[2];
    if (shadowed) return { message: `${shownName}() on ${shown}: puts a program named ${shadowed} on PATH, run instead of the real one (a fake sudo records passwords)` };
    // pre-commit and packaging tools write these too: alone, medium
    if (TOOL_HOOK.test(target) && !PERSISTENCE_PATH.test(target)) return { message: `${shownName}() on ${shown}: ${/hooks/.test(target) ? 'a git hook runs on every commit' : 'changes where later package installs come from'}`, severity: 'medium' };
    if (ACCOUNT_FILE.test(target)) return { message: `${shownName}() on ${JSON.stringify(target.slice(0, 80))}: changes who can log in or become root` };
    if (CREDENTIAL_PATH.test(target) && !/authorized_keys/.test(target)) return undefined;
    const startupHook = /sitecustomize\.py|usercustomize\.py|\.pth$/.test(target); // build tools write these too
    return { message: `${shownName}() on ${shown}: something will run again later`, ...(startupHook ? { severity: 'medium' as const } : {}) };
  },
);
