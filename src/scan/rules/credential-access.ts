import { CREDENTIAL_PATH } from '../engine/module-model.js';
import { partialPath, type Rule } from './rule.js';

const FILE_ACCESS = /^(builtins\.open|io\.open|codecs\.open|os\.open|os\.path\.(expanduser|join|exists|isfile)|pathlib\.Path(\(\)\.(home|joinpath|expanduser))?|pathlib\.Path\.home\(\)\.joinpath|shutil\.(copy|copy2|copyfile|copytree|make_archive)|glob\.glob|os\.listdir|os\.walk|zipfile\.ZipFile\(\)\.write|tarfile\.open\(\)\.add)$/;

export const credentialAccess: Rule = {
  meta: {
    id: 'credential-access',
    title: 'Reads credential or browser files (~/.ssh, ~/.aws, browser profiles, keyrings)',
    severity: 'high',
    confidence: 'medium',
    category: 'credential-theft',
    cwe: 'CWE-522',
    explanation: 'The program touches files that hold secrets: SSH keys, cloud credentials, browser cookie and password stores, wallets, token files. Few programs need them; stealers always do.',
    advice: 'Do not run it with access to your home directory. If it really needs a credential, pass that one value explicitly (-e) instead.',
  },
  check({ model, report }) {
    const seen = new Set<number>();
    for (const call of model.calls) {
      if (!call.name || !FILE_ACCESS.test(call.name)) continue;
      for (const arg of call.args) {
        const path = partialPath(model, arg);
        if (path === undefined || !CREDENTIAL_PATH.test(path) || seen.has(call.node.startIndex)) continue;
        seen.add(call.node.startIndex);
        // Tool configuration files (.pypirc, .netrc, .npmrc, .env) are read by legitimate tools too.
        const toolConfig = !/\.(ssh|aws|gnupg|kube)|id_(rsa|dsa|ecdsa|ed25519)|Login Data|Cookies|logins\.json|key[34]\.db|wallet|Local Storage|google-chrome|chromium|BraveSoftware|discord/i.test(path);
        report(call.node, `${call.name}() on ${JSON.stringify(path.slice(0, 80))}`, toolConfig ? { severity: 'medium' } : undefined);
      }
    }
  },
};
