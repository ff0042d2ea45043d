/**
 * What a command line does, read from its text (constant parts of it when the rest is computed
 * at run time): the few shapes that only malware needs — fetch-and-run, reverse shells, hidden or
 * encoded PowerShell, security tools switched off, start-up entries, wiping home or root.
 * Pure; the patterns are about the command's grammar (a pipe into a shell, a flag), not about
 * particular hosts or file names.
 */

/** Process-starting calls whose first argument is a command line or an argv list. */
export const PROCESS_START = /^(os\.(system|popen[234]?|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|startfile)|subprocess\.(call|run|Popen|check_call|check_output|getoutput|getstatusoutput)|asyncio\.create_subprocess_(shell|exec)|commands\.(getoutput|getstatusoutput)|pty\.spawn|platform\.popen)$/;

export type CommandBehaviour = 'download-execute' | 'backdoor' | 'obfuscation' | 'anti-analysis' | 'persistence' | 'destructive' | 'exfiltration' | 'credential-theft' | 'privilege-escalation' | 'reconnaissance';

export interface CommandVerdict {
  behaviour: CommandBehaviour;
  severity: 'medium' | 'high' | 'critical';
  what: string;
}

const FETCHER = String.raw`\b(curl|wget|fetch|invoke-webrequest|iwr|invoke-restmethod|irm|downloadstring|downloadfile|downloaddata|start-bitstransfer|net\.webclient|certutil(\.exe)?\s[^|;&]*-urlcache|bitsadmin(\.exe)?\s[^|;&]*/transfer)\b`;
const INTERPRETER = String.raw`(sudo\s+)?((ba|z|da|k|fi)?sh|python[0-9.]*|perl|ruby|php|node|pwsh|powershell(\.exe)?|iex|invoke-expression|cmd(\.exe)?)\b`;

/** The system's own logs (all of /var/log, or the login and audit records): an application's own log directory is not one. */
const SYSTEM_LOGS = String.raw`\/var\/log\/?(\*|\s|$|["'])|\/var\/log\/(auth\.log|syslog|secure|messages|wtmp|btmp|lastlog|kern\.log|audit\b)`;
/** Security and audit services an attacker stops before acting. */
const SECURITY_SERVICE = String.raw`\b(auditd|apparmor|firewalld|falcon-sensor|osqueryd|clamav-daemon|clamd|freshclam|sysmon\w*|wazuh-agent|ossec|sentinel\w*|cbagent|elastic-agent|msmpeng|windefend|mpssvc)\b`;

const RULES: { pattern: RegExp; verdict: CommandVerdict }[] = [
  { pattern: new RegExp(`${FETCHER}[^|;&\\n]*\\|\\s*${INTERPRETER}`, 'i'), verdict: { behaviour: 'download-execute', severity: 'critical', what: 'downloads a script and pipes it into an interpreter' } },
  { pattern: new RegExp(`${FETCHER}[\\s\\S]*\\b(iex|invoke-expression|start-process|start\\s|chmod\\s+\\+?[0-7]*x|\\.exe\\b|\\.bat\\b|\\.ps1\\b|\\.vbs\\b|\\.scr\\b|&&\\s*\\.?/)`, 'i'), verdict: { behaviour: 'download-execute', severity: 'critical', what: 'downloads a program and starts it' } },
  { pattern: /\b(mshta(\.exe)?\s+["']?(https?:|vbscript:|javascript:)|regsvr32(\.exe)?\s[^|;&]*\/i:\s*https?:|rundll32(\.exe)?\s[^|;&]*javascript:)/i, verdict: { behaviour: 'download-execute', severity: 'critical', what: 'runs a script from the network through a Windows system binary' } },
  { pattern: /\/dev\/(tcp|udp)\/|\b(nc|ncat|netcat)(\.exe)?\s+([^|;&]*\s)?-[a-z]*[ec]\s|\bsocat\b[^|;&]*\bexec:|\bmkfifo\b[^;]*\b(nc|ncat|netcat)\b|\b(ba)?sh\s+-i\s*[>&]+/i, verdict: { behaviour: 'backdoor', severity: 'critical', what: 'wires a shell to a network connection (reverse shell)' } },
  { pattern: /\bbase64\s+(-d|--decode|-D)\b[^;&]*\|\s*(sudo\s+)?((ba|z|da)?sh|python[0-9.]*|perl)\b|\b(powershell|pwsh)(\.exe)?\s[^|;&]*-e(nc(odedcommand)?)?\s+["']?[A-Za-z0-9+/=]{16,}/i, verdict: { behaviour: 'obfuscation', severity: 'critical', what: 'runs an encoded command' } },
  { pattern: new RegExp(String.raw`\b(set-mppreference|add-mppreference)\b|disablerealtimemonitoring|\bnetsh\s+(adv)?firewall\s+set\s[^|;&]*\b(state\s+off|opmode\s+disable)|\bvssadmin(\.exe)?\s+delete\s+shadows|\bwevtutil(\.exe)?\s+cl\b|\bsetenforce\s+0\b|\bufw\s+disable\b|\biptables\s+(-F|--flush)\b|\bauditctl\s+(-D|-e\s*0)\b|\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bHISTFILE=\/dev\/null|\b(rm|shred|truncate)\s[^|;&]*(\.(bash|zsh|sh)_history\b|${SYSTEM_LOGS})|>\s*["']?(~|\$HOME)?[\w/.-]*(\.(bash|zsh)_history\b|${SYSTEM_LOGS})|\b(systemctl|service)\s+(stop|disable|mask)\s[^|;&]*${SECURITY_SERVICE}|\bservice\s+${SECURITY_SERVICE}\s+stop\b|\b(pkill|killall|taskkill)\b[^|;&]*${SECURITY_SERVICE}`, 'i'), verdict: { behaviour: 'anti-analysis', severity: 'high', what: 'switches off security tools, the firewall or auditing, or erases logs, shell history or backups' } },
  { pattern: /\bschtasks(\.exe)?\s+\/create\b|\breg(\.exe)?\s+add\s[^|;&]*\\(run|runonce|winlogon)\b|\bcrontab\s+-|\|\s*crontab\b|\bsystemctl\s+(--user\s+)?enable\b|\blaunchctl\s+load\b|>>?\s*["']?[~$\w/.{}-]*\/\.(bashrc|zshrc|bash_profile|profile|zprofile)\b/i, verdict: { behaviour: 'persistence', severity: 'high', what: 'installs itself to run again (scheduled task, Run key, crontab, service or shell rc file)' } },
  { pattern: /\brm\s+(--?[a-z-]*\s+)*-[a-z]*r[a-z]*\s+(--?[a-z-]+\s+)*["']?(\/|\/\*|~\/?|~\/\*|\$home\/?\*?|\$\{home\}\/?\*?)["']?(\s|$|;|&)|\b(del|erase)\s+(\/[a-z]\s+)*[a-z]:\\\*?(\s|$)|\brd\s+\/s\s+\/q\s+[a-z]:\\(\s|$)|\bformat\s+[a-z]:|\bmkfs(\.\w+)?\s+\/dev\/|\bdd\s+[^|;&]*of=\/dev\/(sd|nvme|hd|vd)/i, verdict: { behaviour: 'destructive', severity: 'high', what: 'wipes the home directory, the root file system or a disk' } },
  { pattern: /\bcurl\b[^|;&]*\s(-d|--data(-binary|-raw|-urlencode)?|-F|--form)\s*["']?[^\s"']*@|\bcurl\b[^|;&]*\s(-T|--upload-file)\s|\bwget\s[^|;&]*--post-file\b|\b(nc|ncat|netcat)\s[^|;&]*\s\d{1,5}\s*<\s*\S|\b(cat|tar|zip|base64|gzip|xxd)\b[^|;&]*\|\s*(nc|ncat|netcat|socat|telnet)\s+[^|;&]*\d{1,5}\b|\b(cat|tar|base64)\b[^|;&]*\|\s*curl\b[^|;&]*\s(-d|--data(-binary|-raw)?|-F|-T|--upload-file)\s*["']?@?-/i, verdict: { behaviour: 'exfiltration', severity: 'high', what: 'uploads a local file to a server' } },
  { pattern: /\b(docker|podman)\s+(container\s+)?(run|create)\b[^|;&]*(--privileged\b|\s(-v|--volume)[\s=]+["']?\/(etc|root)?\/?:|\/var\/run\/docker\.sock|--pid[\s=]+host\b|--cap-add[\s=]+(SYS_ADMIN|ALL)\b)|\bnsenter\s[^|;&]*(-t|--target)\s*1\b|\bchroot\s+\/host\b/i, verdict: { behaviour: 'privilege-escalation', severity: 'high', what: 'starts a container that can take over the host (privileged, host root or Docker socket mounted) or enters the host from one' } },
  { pattern: /\bgit\s+credential(-manager(-core)?)?\s+(fill|get)\b|\bsecurity\s+(find-(generic|internet)-password\b[^|;&]*\s-[wg]\b|dump-keychain\b)|\bcmdkey(\.exe)?\s+\/list\b|\bvaultcmd(\.exe)?\s+\/listcreds\b|\breg(\.exe)?\s+save\s+hklm\\(sam|security|system)\b|\bmimikatz\b|sekurlsa::|\bprocdump(64)?(\.exe)?\s[^|;&]*\blsass\b|comsvcs(\.dll)?[, ]+minidump|\bntdsutil\b[^|;&]*\bifm\b|\bread\s+(-[a-z]+\s+)*-s\b[^|;&\n]*password|\[sudo\] password for/i, verdict: { behaviour: 'credential-theft', severity: 'high', what: 'dumps stored passwords or credentials (git credential store, keychain, Windows vault, SAM, LSASS) or asks for a password with a fake prompt' } },
  { pattern: /\bpip[0-9.]*\s+install\s[^|;&]*(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host)[\s=]+["']?(http:\/\/|https?:\/\/\d{1,3}(\.\d{1,3}){3}[:/])|^\s*(extra-)?index-url\s*=\s*(http:\/\/|https?:\/\/\d{1,3}(\.\d{1,3}){3}[:/])/im, verdict: { behaviour: 'download-execute', severity: 'high', what: 'installs packages (or sets pip up to) from an unencrypted or bare-IP package index' } },
  { pattern: /\bpip[0-9.]*\s+install\s+(?!(-r|--requirement|-e|--editable|\.)(\s|$))/i, verdict: { behaviour: 'download-execute', severity: 'medium', what: 'installs packages while it runs, outside any dependency review (their install code runs with your rights)' } },
  { pattern: /\b(powershell|pwsh)(\.exe)?\s[^|;&]*(-w(indowstyle)?\s+h(idden)?\b|-(executionpolicy|ep|exec)\s+bypass\b)/i, verdict: { behaviour: 'obfuscation', severity: 'high', what: 'runs PowerShell hidden or with its script checks bypassed' } },
  { pattern: /\b(curl|wget)\s[^|;&]*\b(ifconfig\.me|ipinfo\.io|api\.ipify\.org|icanhazip\.com|checkip\.amazonaws\.com|ident\.me)|\bwmic(\.exe)?\s+(csproduct|bios|diskdrive|baseboard)\b|\bsysteminfo(\.exe)?\b|\bnet\s+user\b|\bwhoami(\.exe)?\b/i, verdict: { behaviour: 'reconnaissance', severity: 'medium', what: 'collects identifying information about the machine (public IP, hardware id, users)' } },
];

/** The most serious thing a command line does, if it is one of the shapes above. */
export function classifyCommand(text: string): CommandVerdict | undefined {
  // Command lines are short; a cap keeps the patterns linear on hostile input.
  if (text.length > 4096) text = text.slice(0, 4096);
  for (const { pattern, verdict } of RULES) if (pattern.test(text)) return verdict;
  return undefined;
}
