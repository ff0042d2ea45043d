import { callRule } from './rule.js';

const DESTROYERS = /^(shutil\.rmtree|os\.(remove|unlink|rmdir|removedirs)|pathlib\.Path\(\)\.(unlink|rmdir)|subprocess\.\w+|os\.system)$/;
const PRECIOUS = /^(\/|~|~\/|\$HOME|\/home\/?|\/root\/?|\/etc\/?|\/usr\/?|\/var\/?|\/boot\/?|C:\\\\?|\/Users\/?)$/i;
const SHELL_WIPE = /\brm\s+-[a-z]*r[a-z]*f?\s+(--no-preserve-root\s+)?(\/|~|\$HOME|\/\*|~\/\*)(\s|$)|\bmkfs\.|\bdd\s+if=\/dev\/(zero|urandom)\s+of=\/dev\/|:\(\)\s*\{\s*:\|:&\s*\};:|\bshred\b.*\/dev\//;

export const destructiveFileOps = callRule(
  {
    id: 'destructive-file-ops',
    title: 'Deletes or wipes the home directory, the root file system or a disk',
    severity: 'critical',
    confidence: 'high',
    category: 'destructive',
    cwe: 'CWE-732',
    explanation: 'The program removes a whole home directory or system tree (shutil.rmtree of ~ or /, rm -rf /), formats or overwrites a disk, or starts a fork bomb. No legitimate script does this.',
    advice: 'Do not run it. If you already did outside a sandbox, restore from your backup.',
  },
  (name) => DESTROYERS.test(name),
  (call, context) => {
    const first = call.args[0];
    if (!first) return undefined;
    const model = context.model;
    const folded = model.fold(first)?.value;
    if (call.name!.startsWith('subprocess.') || call.name === 'os.system') {
      const text = folded ?? (first.type === 'list' ? first.namedChildren.map((n) => (n ? (model.fold(n)?.value ?? '') : '')).join(' ') : undefined);
      return text && SHELL_WIPE.test(text) ? `${call.name}() runs ${JSON.stringify(text.slice(0, 60))}` : undefined;
    }
    const qualified = model.qualify(first) ?? '';
    const expandsHome = /^(os\.path\.expanduser|pathlib\.Path\.home)\(\)$/.test(qualified) && (folded === undefined || PRECIOUS.test(folded));
    const isHomeVar = /(environ|getenv)/.test(first.text) && /["'](HOME|USERPROFILE)["']/.test(first.text);
    if ((folded !== undefined && PRECIOUS.test(folded.trim())) || expandsHome || isHomeVar) return `${call.name}() of ${JSON.stringify((folded ?? first.text).slice(0, 40))}: a whole home or system tree`;
    return undefined;
  },
);
