import type { Node } from 'web-tree-sitter';
import { callsTo, type Rule } from './rule.js';

/** Calls that open a connection or send a request: their first argument (or url=/host) is where to. */
const CONNECTS = /^(requests\.(get|post|put|patch|delete|head|request)|requests\.Session\(\)\.(get|post|put|request)|urllib\.request\.(urlopen|Request|urlretrieve)|urllib2\.(urlopen|Request)|urllib\.(urlopen|urlretrieve)|httpx\.(get|post|put|stream|request)|http\.client\.HTTPS?Connection|aiohttp\.ClientSession\(\)\.(get|post)|socket\.create_connection|socket\.socket\(\)\.(connect|connect_ex|sendto)|smtplib\.SMTP(_SSL)?|ftplib\.FTP|webbrowser\.open|wget\.download)$/;

export const hiddenEndpoint: Rule = {
  meta: {
    id: 'hidden-endpoint',
    title: 'Network destination hidden in an encoding',
    severity: 'high',
    confidence: 'medium',
    category: 'obfuscation',
    cwe: 'CWE-506',
    explanation: 'The URL or host a request goes to is stored encoded (base64, hex, character codes, reversed) and decoded just before use. Legitimate programs have no reason to hide where they connect; malware does it so the address survives a quick read and a text search.',
    advice: 'Decode the address (saferun shows it) and find out who runs it before letting the program reach the network; run it with --profile offline.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => CONNECTS.test(name))) {
      const target: Node | undefined = call.keywords.get('url') ?? call.keywords.get('host') ?? call.args[0];
      if (!target) continue;
      const folded = model.fold(target.type === 'tuple' ? (target.namedChildren[0] ?? target) : target);
      // an address is short: only its start is looked at (linear on hostile, huge folded values)
      if (folded?.decoded && /[a-z0-9-]\.[a-z]{2,}|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/i.test(folded.value.slice(0, 2048))) {
        report(call.node, `${call.name!.replace(/\(\)/g, '')}() to ${JSON.stringify(folded.value.slice(0, 100))}, an address decoded at run time`);
      }
    }
  },
};
