import { callsTo, type Rule } from './rule.js';

const RUNNERS = /^(builtins\.(exec|eval|compile)|marshal\.loads|pickle\.loads|runpy\.run_path|os\.system|os\.popen|subprocess\.\w+|importlib\.import_module)$/;

export const downloadExec: Rule = {
  meta: {
    id: 'download-exec',
    title: 'Code downloaded and executed',
    severity: 'critical',
    confidence: 'high',
    category: 'download-execute',
    cwe: 'CWE-494',
    explanation: 'Data fetched from the network is run as code or as a command. What runs is decided by whoever controls the server, at run time, and cannot be reviewed.',
    advice: 'Do not run it. Download the content separately, review it, and pin it by hash if it is needed.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => RUNNERS.test(name))) {
      // the payload may hide in a keyword (exec(t=requests.get(u).text)) as well as the first argument
      const payloads = [call.args[0], ...call.keywords.values()].filter((node) => node !== undefined);
      if (payloads.some((payload) => model.tags(payload).has('downloaded'))) report(call.node, `${call.name!.replace('builtins.', '')}() of data fetched from the network`);
    }
  },
};
