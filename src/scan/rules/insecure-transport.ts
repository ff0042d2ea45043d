import { callRule, isTruthyConstant } from './rule.js';

export const insecureTransport = callRule(
  {
    id: 'insecure-transport',
    title: 'TLS checks off or plain-text protocols (verify=False, unverified contexts, SSLv3/TLSv1, telnet, FTP)',
    severity: 'medium',
    confidence: 'high',
    category: 'network',
    cwe: 'CWE-295',
    explanation: 'Turning certificate checks off, old SSL/TLS versions and plain-text protocols (telnet, FTP, XML-RPC over http) let anyone on the path read or change the traffic.',
    advice: 'Keep verification on, use TLS 1.2+, and SFTP/HTTPS instead of FTP/telnet.',
  },
  (name) => /^(requests\.(get|post|put|patch|delete|head|request|Session\(\)\.(get|post|request))|httpx\.(get|post|Client)|ssl\._create_unverified_context|ssl\.wrap_socket|ssl\.SSLContext|telnetlib\.Telnet|ftplib\.FTP|xmlrpc\.client\.ServerProxy|urllib3\.disable_warnings)$/.test(name),
  (call, context) => {
    const verify = call.keywords.get('verify');
    if (/^(requests|httpx)\./.test(call.name!)) return verify && (verify.type === 'false' || verify.text === '0') ? `${call.name}(verify=False): certificates are not checked` : undefined;
    if (call.name === 'ssl.SSLContext' || call.name === 'ssl.wrap_socket') {
      const protocol = call.args[0] ? (context.model.qualify(call.args[0]) ?? call.args[0].text) : (call.keywords.get('ssl_version')?.text ?? '');
      return /PROTOCOL_(SSLv2|SSLv3|TLSv1|TLSv1_1)\b/.test(protocol) ? `${call.name}(${protocol.replace(/^ssl\./, '')}): an obsolete protocol` : undefined;
    }
    if (call.name === 'xmlrpc.client.ServerProxy') return context.model.fold(call.args[0]!)?.value.startsWith('http:') ? 'XML-RPC over plain http' : undefined;
    if (call.name === 'urllib3.disable_warnings') return { message: 'TLS warnings switched off', severity: 'low' };
    if (isTruthyConstant(call.keywords.get('check_hostname'))) return undefined;
    return `${call.name}()`;
  },
);
