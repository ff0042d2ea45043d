/**
 * What counts as private besides credentials: the user's home dotfiles and config (~/.gitconfig,
 * ~/.config/**, histories), configuration or secret-looking files read from the working directory
 * (*.cfg, *.ini, *.env, config.json), and what identifies the machine and its user (user and host
 * names, the MAC address). Data read from these carries the 'private' tag.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './call-site.js';
import type { ModuleModel } from './module-model.js';
import { partialPath } from './path-text.js';

export const PRIVATE_PATH =
  /(^~|^\/home\/[^/]+|^\/root)[\\/]\.(?!cache[\\/]|local[\\/]share[\\/]Trash)[\w.-]+|(^|[\\/])\.(gitconfig|git-credentials|netrc|npmrc|pypirc|pgpass|my\.cnf|s3cfg|boto|(bash|zsh|python|mysql|psql)_history)$|\.docker[\\/]config\.json|(^|[\\/~])\.config[\\/]|(^|[\\/])[\w.-]*\.(cfg|ini|env|conf)$|(^|[\\/])\.env(\.[\w-]+)?$|(^|[\\/])(config|settings|secrets?|credentials)\.(json|ya?ml|toml)$/i;

/** Who and where: the user, the host, the network card. */
export const IDENTITY_SOURCES = /^(getpass\.getuser|socket\.gethostname|socket\.getfqdn|os\.getlogin|uuid\.getnode|os\.uname|platform\.node|platform\.uname|socket\.gethostbyname\(socket\.gethostname\(\)\))$/;

const OPENERS = new Set(['builtins.open', 'io.open', 'codecs.open', 'os.open', 'pathlib.Path']);

/** The path a call reads, when it reads one: open(p), Path(p), p.read_text(), p.read_bytes(), p.open(). */
function pathRead(name: string | undefined, call: Node): Node | undefined {
  if (name && OPENERS.has(name)) return argumentNodes(call)[0];
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return undefined;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  return /^(read_text|read_bytes|open)$/.test(method) ? (fn.childForFieldName('object') ?? undefined) : undefined;
}

/** Whether a call reads a private file (see PRIVATE_PATH); paths are read as far as they are known. */
export function readsPrivateFile(model: ModuleModel, name: string | undefined, call: Node): boolean {
  const path = pathRead(name, call);
  if (!path) return false;
  const text = partialPath(model, path);
  return text !== undefined && text.split('\n').some((one) => PRIVATE_PATH.test(one));
}
