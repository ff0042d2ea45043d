import { callsTo, type Rule } from './rule.js';
import { evasionIn } from '../engine/evasion.js';

/** Callees worth hiding: code execution, processes, the network, native code, destruction. */
const DANGEROUS =
  /^(builtins\.(exec|eval|compile)|os\.(system|popen\w*|exec\w*|spawn\w*|posix_spawnp?|startfile|remove|unlink|rmdir|removedirs|truncate)|subprocess\.\w+|pty\.spawn|asyncio\.create_subprocess_(exec|shell)|shutil\.(rmtree|move)|ctypes\..+|cffi\..+|_ctypes\..+|socket\..+|requests\..+|urllib\.request\..+|urllib2\..+|urllib3\..+|httpx\..+|http\.client\..+|aiohttp\..+|smtplib\..+|ftplib\..+|telnetlib\..+|marshal\.loads|runpy\.run_(path|module))$/;

export const evasiveCall: Rule = {
  meta: {
    id: 'evasive-call',
    title: 'A dangerous call reached through a trick',
    severity: 'high',
    confidence: 'high',
    category: 'obfuscation',
    cwe: 'CWE-506',
    explanation:
      'Code execution, a process, the network, native code or a destructive file operation is reached through a trick: a non-ASCII name that normalises to another (ｅｖａｌ is eval), a reflective lookup (getattr, vars(), __dict__, sys.modules, globals()) by a name built from split, reversed or encoded pieces, or a module imported under a name assembled from parts, also through a helper\'s parameters (load("r", "e", "q", …)). Whatever the call\'s arguments, hiding the callee is the evidence: honest code names what it calls.',
    advice: 'Read the call as saferun resolved it (the message names it) and do not run the program before knowing why it hides it.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => DANGEROUS.test(name.replace(/\(\)/g, '')))) {
      const callee = call.node.childForFieldName('function');
      const trick = callee ? evasionIn(model, callee) : undefined;
      if (trick) report(call.node, `${call.name!.replace(/\(\)/g, '').replace(/^builtins\./, '')}() is reached through a trick: ${trick}`);
    }
  },
};
