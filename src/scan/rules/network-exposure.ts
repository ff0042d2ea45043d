import { callRule, constantArg } from './rule.js';

export const networkExposure = callRule(
  {
    id: 'network-exposure',
    title: 'Listens on all interfaces, or starts a server / remote-control channel',
    severity: 'medium',
    confidence: 'medium',
    category: 'network',
    cwe: 'CWE-605',
    explanation: 'Binding to 0.0.0.0 exposes a service to the whole network; http.server, logging.config.listen and paramiko exec_command open ways in or out of the machine.',
    advice: 'Bind to 127.0.0.1 unless the service must be reachable; never run listeners from code you do not trust.',
  },
  (name) => /^(socket\.socket\(\)\.bind|http\.server\.(HTTPServer|ThreadingHTTPServer)|socketserver\.(TCPServer|ThreadingTCPServer)|logging\.config\.listen|paramiko\.SSHClient\(\)\.exec_command|flask\.Flask\(\)\.run|\w+\.run)$/.test(name),
  (call, context) => {
    if (call.name === 'logging.config.listen') return 'logging.config.listen(): accepts configuration (and so code) from the network';
    if (call.name === 'paramiko.SSHClient().exec_command') return { message: 'paramiko exec_command: runs commands on another machine', severity: 'low' };
    if (call.name!.endsWith('.run') && call.name !== 'flask.Flask().run') {
      return constantArg(context, call, -1, 'host') === '0.0.0.0' ? `${call.name}(host="0.0.0.0"): listens on every interface` : undefined;
    }
    const address = call.args[0];
    const host = address?.type === 'tuple' && address.namedChildren[0] ? context.model.fold(address.namedChildren[0])?.value : constantArg(context, call, -1, 'host');
    if (host === '0.0.0.0' || host === '' || host === '::') return `${call.name!.replace(/\(\)/g, '')}(${JSON.stringify(host)}): listens on every interface`;
    return undefined;
  },
);
