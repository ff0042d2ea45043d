import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../engine/module-model.js';
import { callsTo, commandLine, commandText, type Rule } from './rule.js';
import { PROCESS_START } from '../engine/shell-command.js';
import { partialPath } from '../engine/path-text.js';

const RAW_IP_URL = /\b[a-z]+:\/\/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/i;
const NETWORK_TOOL = /^\s*(\S*[\\/])?(ping|ping6|nslookup|dig|host|curl|wget|nc|ncat|netcat|telnet|ssh|scp|ftp|tftp|Invoke-WebRequest|iwr|Invoke-RestMethod|irm)(\.exe)?\s/i;

const NETWORK_SINKS = /^(requests\.(get|post|put|patch|head|delete|options|request|Session\(\)\.(get|post|put|patch|request))|urllib\.request\.(urlopen|Request|urlretrieve)|urllib2\.(urlopen|Request)|httpx\.(get|post|put|patch|request|stream|Client\(\)\.(get|post|put|request)|AsyncClient\(\)\.(get|post|put))|urllib3\.PoolManager\(\)\.(request|urlopen)|aiohttp\.ClientSession\(\)\.(get|put|request)|socket\.socket\(\)\.connect|socket\.gethostbyname_ex|http\.client\.HTTPS?Connection\(\)\.request|socket\.(socket|create_connection)\(\)\.(send|sendall|sendto)|smtplib\.SMTP(_SSL)?\(\)\.(sendmail|send_message)|ftplib\.FTP\(\)\.storbinary|socket\.gethostbyname|socket\.getaddrinfo|dns\.resolver\.(resolve|query)|aiohttp\.ClientSession\(\)\.post|scapy\.all\.(send|sendp|sr|sr1|srp|srp1)|scapy\.sendrecv\.(send|sendp|sr|sr1))$/;

const CREDENTIAL_SLOTS = ['headers', 'auth'];
/** All of the environment at once: no API wants that as credentials. */
const WHOLE_ENVIRONMENT = /environ\s*\)|environ\.(items|values|copy)\(|dict\(\s*(os\.)?environ/;

export const exfiltration: Rule = {
  meta: {
    id: 'exfiltration',
    title: 'Secrets or system information sent over the network',
    severity: 'high',
    confidence: 'medium',
    category: 'exfiltration',
    cwe: 'CWE-200',
    explanation: 'Values read from the environment, credential files or keyrings (or identifying system information) flow into a network request, a socket, mail or a DNS lookup: the shape of credential stealers and of install-time beacons.',
    advice: 'Find out where the data goes. Run it without network (--profile offline) and without secrets in its environment.',
  },
  check({ model, report, isSetupScript }) {
    for (const call of callsTo(model, (name) => NETWORK_SINKS.test(name) || PROCESS_START.test(name))) {
      // a command line counts when it reaches the network (ping/nslookup/dig resolve names: DNS exfiltration)
      if (!NETWORK_SINKS.test(call.name!) && !NETWORK_TOOL.test(commandLine(model, call))) continue;
      // gethostbyname(socket.gethostname()) resolves this machine's own name: nothing leaves in it
      if (/^socket\.(gethostbyname|gethostbyname_ex|getaddrinfo)$/.test(call.name!) && call.args[0] && ownHostName(model, call.args[0])) continue;
      // a file: URL is read from this machine: nothing is sent
      if (localFileUrl(model, call.keywords.get('url') ?? call.args[0])) continue;
      const values = [...call.args, ...call.keywords.values()];
      // a token in headers= or auth= is how every API client authenticates; anywhere else it is cargo
      const credentials = CREDENTIAL_SLOTS.map((slot) => call.keywords.get(slot)).filter((v) => v !== undefined);
      const cargo = values.filter((v) => !credentials.includes(v));
      const tags = new Set(cargo.flatMap((v) => [...model.tags(v)]));
      const asCredentials = credentials.some((v) => model.tags(v).has('secret') || model.tags(v).has('private'));
      const hiddenEndpoint = endpointHidden(model, call.keywords.get('url') ?? call.args[0]);
      const sink = call.name!.replace(/\(\)/g, '');
      const where = hiddenEndpoint ? ', to an address decoded or assembled at run time' : '';
      if (tags.has('secret') || tags.has('private')) {
        const what = tags.has('secret') ? 'data read from the environment or credential files' : 'private data (home dotfiles, configuration files or who and where the machine is)';
        report(call.node, `${sink}() sends ${what}${where}`, hiddenEndpoint ? { severity: 'critical' } : undefined);
      } else if (asCredentials) {
        const url = call.args[0] ? commandText(model, call.args[0]) : '';
        const plainApiCall = !isSetupScript && !hiddenEndpoint && /^https:\/\/[^/]*[a-z]/i.test(url) && !RAW_IP_URL.test(url) && !credentials.some((v) => WHOLE_ENVIRONMENT.test(v.text));
        report(call.node, `${call.name!.replace(/\(\)/g, '')}() sends a secret from the environment or credential files as its credentials${plainApiCall ? ` to ${JSON.stringify(url.slice(0, 60))}` : ''}`, plainApiCall ? { severity: 'medium' } : hiddenEndpoint ? { severity: 'critical' } : undefined);
      } else if (tags.has('sysinfo')) {
        // A beacon: identifying data sent when the package is installed or imported, or to a bare IP address.
        const where = isSetupScript ? 'at install time' : model.isModuleLevel(call.node) ? 'as soon as the module is imported' : RAW_IP_URL.test(values.map((v) => commandText(model, v)).join(' ')) ? 'to a bare IP address' : undefined;
        report(call.node, `${call.name!.replace(/\(\)/g, '')}() sends system information (user, host name, platform)${where ? ` ${where}` : ''}`, where ? undefined : { severity: 'medium' });
      }
    }
  },
};

/** Where a request goes was decoded at run time (base64, hex, character codes, reversal). */
function endpointHidden(model: ModuleModel, target: Node | undefined): boolean {
  if (!target) return false;
  const first = target.type === 'tuple' ? (target.namedChildren[0] ?? target) : target;
  return model.fold(first)?.decoded === true || model.tags(first).has('decoded');
}

/** A URL known to be a file: URL (every value it can take, as far as they are known). */
function localFileUrl(model: ModuleModel, target: Node | undefined): boolean {
  if (!target) return false;
  const texts = partialPath(model, target)?.split('\n').filter((t) => t.length > 0) ?? [];
  return texts.length > 0 && texts.every((t) => /^file:/i.test(t));
}

/** The host's own name, as returned by socket.gethostname()/getfqdn(), not built into something else. */
function ownHostName(model: ModuleModel, node: Node): boolean {
  const values = node.type === 'identifier' ? model.assignedValues(node.text, node) : [node];
  return values.length > 0 && values.every((value) => value.type === 'call' && /^socket\.(gethostname|getfqdn)$/.test(model.qualify(value.childForFieldName('function')!) ?? ''));
}
