import { callRule } from './rule.js';

/** System files and directories: world-writable, they let any user become root. */
const SYSTEM_PATH = /^\/(etc|usr|bin|sbin|lib|lib64|boot|root)(\/|$)/;

export const unsafeFileHandling = callRule(
  {
    id: 'unsafe-file-handling',
    title: 'Archive extraction without checks, world-writable permissions, predictable temp files',
    severity: 'medium',
    confidence: 'medium',
    category: 'filesystem',
    cwe: 'CWE-22',
    explanation: 'tarfile/zipfile extractall writes wherever the archive says (../, absolute paths, links); chmod 0o777 lets anyone change the file; tempfile.mktemp and fixed /tmp names can be hijacked.',
    advice: "Use tarfile's filter='data', validate member names, 0o600/0o700 permissions, tempfile.mkstemp or NamedTemporaryFile.",
  },
  (name) => /^(tarfile\.(open|TarFile)\(\)\.(extractall|extract)|zipfile\.ZipFile\(\)\.(extractall|extract)|shutil\.unpack_archive|os\.(chmod|fchmod)|tempfile\.mktemp|pathlib\.Path\(\)\.chmod)$/.test(name),
  (call, context) => {
    if (/extract/.test(call.name!)) return call.keywords.has('filter') ? undefined : `${call.name!.replace(/\(\)/g, '')}() without a filter: members can escape the target directory`;
    if (call.name === 'shutil.unpack_archive') return { message: 'shutil.unpack_archive(): members can escape the target directory', severity: 'low' };
    if (call.name === 'tempfile.mktemp') return { message: 'tempfile.mktemp(): a predictable name another process can take first', severity: 'low' };
    const modeNode = call.name === 'pathlib.Path().chmod' ? call.args[0] : call.args[1];
    const mode = modeNode && /^0o?[0-7]+$|^\d+$/.test(modeNode.text) ? Number.parseInt(modeNode.text.replace(/^0o/, ''), modeNode.text.startsWith('0') ? 8 : 10) : undefined;
    if (mode !== undefined && (mode & 0o002) !== 0) {
      // /etc/passwd or /usr/bin made writable by anyone is a way back in as root, not sloppiness
      const target = call.name === 'pathlib.Path().chmod' ? undefined : call.args[0] ? context.model.fold(call.args[0])?.value : undefined;
      if (target && SYSTEM_PATH.test(target)) return { message: `${call.name}(${JSON.stringify(target)}, ${modeNode!.text}): a system file made world-writable`, severity: 'high' };
      return `${call.name}(..., ${modeNode!.text}): world-writable`;
    }
    return undefined;
  },
);
