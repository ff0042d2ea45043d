/**
 * One query over a parsed module collects what the rules need: bindings (imports, aliases,
 * assignments, loop targets), call sites, strings, functions and classes (comments come from a
 * query of their own, on demand). Name resolution, constant folding and tags are computed on demand
 * from that model, memoised per node. Scopes are coarse on purpose: a function sees its own
 * assignments, else the module's (over-approximation beats evasion).
 */
import { inflateSync, inflateRawSync, gunzipSync } from 'node:zlib';
import type { Node, Query } from 'web-tree-sitter';
import { BUILTIN_NAMES, normaliseIdentifier } from './names.js';
import { moduleCommentQuery } from './parser.js';
import { classifyCommand } from './shell-command.js';
import { argumentNodes, LazyCallSite, type CallSite } from './call-site.js';
import { dispatchedCalls } from './dispatched-calls.js';
import { helperImport } from './helper-imports.js';
import { argumentsForParameter } from './parameter-flow.js';
import { IDENTITY_SOURCES, readsPrivateFile } from './private-data.js';
import { base32Decode, parsePythonInt, rot13, unescapePython } from './python-literals.js';

/** 'private': home dotfiles, config files, the machine's identity (see private-data.ts). */
export type Tag = 'decoded' | 'downloaded' | 'secret' | 'sysinfo' | 'private';

/** Methods that put their arguments into the object they are called on. */
const MUTATORS = new Set(['append', 'extend', 'insert', 'update', 'add', 'setdefault', 'set_content', 'set_payload', 'attach', 'add_attachment', 'add_header', 'write', 'writelines', 'put', 'push']);

export interface Folded {
  value: string;
  /** Some step undid an encoding (base64, hex, zlib, rot13, chr codes, reversal). */
  decoded: boolean;
}

const DECODERS = new Set([
  'base64.b64decode', 'base64.b32decode', 'base64.b16decode', 'base64.b85decode', 'base64.a85decode', 'base64.urlsafe_b64decode',
  'base64.decodebytes', 'base64.decodestring', 'codecs.decode', 'zlib.decompress', 'gzip.decompress', 'bz2.decompress', 'lzma.decompress',
  'binascii.unhexlify', 'binascii.a2b_base64', 'binascii.a2b_hex', 'bytes.fromhex',
]);

const DOWNLOADERS = /^(requests\.(get|post|request|Session\(\)\.(get|post))|urllib\.request\.urlopen|urllib2\.urlopen|urllib\.urlopen|urllib\.request\.Request|http\.client\.HTTPS?Connection\(\)\.getresponse|httpx\.(get|post)|aiohttp\.ClientSession\(\)\.get|socket\.socket\(\)\.recv|socket\.create_connection\(\)\.recv|pycurl\.Curl)$/;

const SECRET_SOURCES = /^(os\.environ(\.(get|copy|items|keys|values))?|os\.getenv|os\.environb|dotenv\.(load_dotenv|dotenv_values)|keyring\.get_password|browser_cookie3\.\w+|win32crypt\.CryptUnprotectData)$/;
const COMMAND_OUTPUT = /^(subprocess\.(check_output|getoutput|getstatusoutput|run|Popen)|os\.popen|commands\.getoutput)$/;
const SYSINFO_SOURCES = /^(platform\.\w+|getpass\.getuser|socket\.gethostname|socket\.getfqdn|os\.getlogin|os\.uname|os\.getcwd|os\.getuid|uuid\.getnode|psutil\.\w+|socket\.gethostbyname\(socket\.gethostname\(\)\))$/;

/** Metadata-service endpoints that hand out the machine's cloud credentials. */
export const CLOUD_CREDENTIALS_URL = /169\.254\.169\.254\/(latest\/meta-data\/iam\/security-credentials|metadata\/identity\/oauth2\/token)|metadata\.google\.internal\/computeMetadata\/v1\/instance\/service-accounts|169\.254\.170\.2\/v2\/credentials/i;

export const CREDENTIAL_PATH = /(^|[\\/~])\.(ssh|aws|gnupg|kube|docker)([\\/]|$)|id_(rsa|dsa|ecdsa|ed25519)|\.git-credentials|\.netrc|\.pgpass|\.npmrc|\.pypirc|credentials\.json|Login Data|Cookies|Local State|key[34]\.db|logins\.json|wallet\.dat|\.config[\\/](google-chrome|chromium|BraveSoftware|discord)|Local Storage[\\/]leveldb|\.env$|^\/etc\/(g?shadow|master\.passwd)$|\.(bash|zsh|sh|python|mysql|psql|sqlite|node_repl)_history$|\.zhistory$|fish_history$|\/var\/run\/secrets\/|\/run\/secrets\/|\.electrum[\\/]wallets|exodus\.wallet|Ethereum[\\/]keystore|\.ethereum[\\/]keystore|\.bitcoin[\\/]|\.monero[\\/]|nkbihfbeogaeaoehlefnkodbefgpgknn/i;

export class ModuleModel {
  readonly calls: CallSite[] = [];
  private commentsMemo: Node[] | undefined;
  readonly strings: Node[] = [];
  readonly classDefs: Node[] = [];
  readonly exceptClauses: Node[] = [];
  /** name → qualified name it stands for (imports, aliases, instances as 'x.y()'). */
  private readonly bindings = new Map<string, string>();
  /** "<scope id>:name" → the expressions assigned to it (for folding and tags); scope 0 is the module. */
  private readonly assigned = new Map<string, Node[]>();
  private readonly qualifyMemo = new Map<number, string | undefined>();
  /** attribute node id → its attribute's name (filled while qualifying). */
  private readonly attributeNames = new Map<number, string>();
  private readonly foldMemo = new Map<number, Folded | undefined>();
  private readonly tagMemo = new Map<number, Set<Tag>>();
  private readonly callNodes: Node[] = [];
  /** node id → id of the enclosing function (0: module level), computed on demand. */
  private readonly scopeMemo = new Map<number, number>();
  /** Function and lambda ranges, in document order (the query yields them so). */
  private readonly functions: { start: number; end: number; id: number }[] = [];
  /** Names of functions and classes the module defines: they hide builtins of the same name. */
  private readonly definedNames = new Set<string>();
  /** Functions the module defines, by name: calls to them carry the tags of what they return. */
  private readonly functionDefs = new Map<string, Node[]>();
  /** Every parameter name of every function: such a name is never a missing import. */
  private parameterNamesMemo: Set<string> | undefined;
  /** Every name assigned or iterated in any scope. */
  private readonly boundNames = new Set<string>();
  /** "<scope id>:name" → what a for loop or comprehension iterates over (tags only). */
  private readonly iterated = new Map<string, Node[]>();

  private linesMemo: string[] | undefined;
  private callsByNameMemo: Map<string, CallSite[]> | undefined;
  private stringTextsMemo: string[] | undefined;

  constructor(
    readonly root: Node,
    query: Query,
    /** The decoded source the tree was parsed from. */
    readonly source: string = root.text,
  ) {
    this.collect(root, query);
    for (const node of this.callNodes) this.calls.push(this.callSite(node));
    this.calls.push(...dispatchedCalls(this, this.calls));
  }

  /** Every comment, found on first use by a query of its own (few files need them). */
  get comments(): Node[] {
    this.commentsMemo ??= moduleCommentQuery().captures(this.root).map(({ node }) => node);
    return this.commentsMemo;
  }

  /** The source text of each node in `strings` (same order), read once for all rules. */
  get stringTexts(): string[] {
    this.stringTextsMemo ??= this.strings.map((node) => node.text);
    return this.stringTextsMemo;
  }

  /** Calls grouped by resolved name ('*.method' for methods of unknown objects), in document order. */
  get callsByName(): Map<string, CallSite[]> {
    if (this.callsByNameMemo) return this.callsByNameMemo;
    const byName = new Map<string, CallSite[]>();
    for (const call of this.calls) {
      const name = call.name ?? (call.method ? `*.${call.method}` : undefined);
      if (name !== undefined) append(byName, name, call);
    }
    this.callsByNameMemo = byName;
    return byName;
  }

  /** The source split into lines, once per module. */
  get lines(): string[] {
    this.linesMemo ??= this.source.split('\n');
    return this.linesMemo;
  }

  /**
   * A tree-sitter query hands over only the node kinds the rules need, in document order; the
   * walk over every node happens inside the parser, not node by node across the wasm boundary.
   */
  private collect(root: Node, query: Query): void {
    for (const { name, node } of query.captures(root)) {
      switch (name) {
        case 'import_statement':
          this.bindImport(node);
          break;
        case 'import_from_statement':
          this.bindFromImport(node);
          break;
        case 'assignment':
          this.bindAssignment(node, this.scopeOf(node));
          break;
        case 'augmented_assignment': {
          // s += chr(...) in a loop: the name now also holds what is added
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type === 'identifier' && right) {
            this.assign(this.scopeOf(node), left.text, right);
            this.assign(this.scopeOf(node), left.text, node);
          }
          break;
        }
        case 'call':
          this.callNodes.push(node);
          break;
        case 'string':
          this.strings.push(node);
          break;
        case 'class_definition':
          this.classDefs.push(node);
          this.define(node);
          break;
        case 'with_item':
          this.bindWithItem(node, this.scopeOf(node));
          break;
        case 'function_definition':
          this.define(node);
          this.functions.push({ start: node.startIndex, end: node.endIndex, id: node.id });
          break;
        case 'lambda':
          this.functions.push({ start: node.startIndex, end: node.endIndex, id: node.id });
          break;
        case 'except_clause':
          this.exceptClauses.push(node);
          break;
        case 'for_statement':
        case 'for_in_clause': {
          // for c in data: ... — c carries data's tags (never its folded value: it is one item)
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left && right) for (const name of targetNames(left)) this.iterate(this.scopeOf(node), name, right);
          break;
        }
      }
    }
  }

  private define(node: Node): void {
    const name = node.childForFieldName('name');
    if (!name) return;
    const normalised = normaliseIdentifier(name.text);
    this.definedNames.add(normalised);
    if (node.type !== 'function_definition') return;
    append(this.functionDefs, normalised, node);
  }

  /** Every parameter name of every function, gathered on first use (only missingImport asks). */
  private get parameterNames(): Set<string> {
    if (this.parameterNamesMemo) return this.parameterNamesMemo;
    const names = new Set<string>();
    for (const defs of this.functionDefs.values()) {
      for (const def of defs) {
        for (const parameter of def.childForFieldName('parameters')?.namedChildren ?? []) {
          const id = parameter?.type === 'identifier' ? parameter : parameter?.namedChildren.find((c) => c?.type === 'identifier');
          if (id) names.add(normaliseIdentifier(id.text));
        }
      }
    }
    this.parameterNamesMemo = names;
    return names;
  }

  private iterate(scope: number, name: string, iterable: Node): void {
    this.bindIn(this.iterated, scope, name, iterable);
  }

  /** Whether a node runs when the module is imported (not inside a function or lambda). */
  isModuleLevel(node: Node): boolean {
    return this.scopeOf(node) === 0;
  }

  /**
   * The id of the innermost function (or lambda) around a node; 0 at module level. From the
   * captured function ranges (in document order), not node.parent, which tree-sitter computes by
   * descending from the root each time.
   */
  private scopeOf(node: Node): number {
    const memo = this.scopeMemo.get(node.id);
    if (memo !== undefined) return memo;
    const start = node.startIndex;
    const end = node.endIndex;
    let scope = 0;
    for (const fn of this.functions) {
      if (fn.start > start) break;
      if (fn.end >= end && fn.id !== node.id) scope = fn.id;
    }
    this.scopeMemo.set(node.id, scope);
    return scope;
  }

  private bind(name: string, qualified: string): void {
    this.bindings.set(normaliseIdentifier(name), qualified);
  }

  private bindImport(node: Node): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'dotted_name') {
        const full = dotted(child);
        this.bind(full.split('.')[0]!, full.split('.')[0]!);
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) this.bind(alias.text, dotted(name));
      }
    }
  }

  private bindFromImport(node: Node): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = dotted(moduleNode);
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'dotted_name') this.bind(child.text, `${module}.${dotted(child)}`);
      else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) this.bind(alias.text, `${module}.${dotted(name)}`);
      }
    }
  }

  private assign(scope: number, name: string, value: Node): void {
    this.bindIn(this.assigned, scope, name, value);
  }

  /** Records `name` (in `scope`) as bound to `value` in one of the "<scope>:name" tables. */
  private bindIn(table: Map<string, Node[]>, scope: number, name: string, value: Node): void {
    const normalised = normaliseIdentifier(name);
    this.boundNames.add(normalised);
    append(table, `${scope}:${normalised}`, value);
  }

  /** What was assigned to a name as seen from `at`: its own function's assignments, else the module's. */
  assignedValues(name: string, at: Node): Node[] {
    const normalised = normaliseIdentifier(name);
    const scope = this.scopeOf(at);
    return this.assigned.get(`${scope}:${normalised}`) ?? (scope === 0 ? [] : (this.assigned.get(`0:${normalised}`) ?? []));
  }

  /** What a loop or comprehension variable iterates over, as seen from `at`. */
  iteratedValues(name: string, at: Node): Node[] {
    const normalised = normaliseIdentifier(name);
    const scope = this.scopeOf(at);
    return [...(this.iterated.get(`${scope}:${normalised}`) ?? []), ...(scope === 0 ? [] : (this.iterated.get(`0:${normalised}`) ?? []))];
  }

  /** The definitions of a function the module defines under this name. */
  functionsNamed(name: string): Node[] {
    return this.functionDefs.get(normaliseIdentifier(name)) ?? [];
  }

  /** The expressions a module-defined function returns (for tags: a decode helper returns decoded data). */
  private returnedValues(name: string): Node[] {
    const values: Node[] = [];
    for (const def of this.functionsNamed(name)) {
      for (const statement of def.descendantsOfType('return_statement')) {
        const value = statement?.namedChildren[0];
        if (value) values.push(value);
      }
    }
    return values;
  }

  private bindAssignment(node: Node, scope: number): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    if (left.type === 'identifier') this.assign(scope, left.text, right);
    else if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
      // a, b = x, y
      const values = right.type === 'expression_list' || right.type === 'tuple' ? right.namedChildren : [];
      left.namedChildren.forEach((n, i) => {
        const value = values[i];
        if (n?.type === 'identifier' && value) this.assign(scope, n.text, value);
      });
    }
  }

  private bindWithItem(node: Node, scope: number): void {
    const value = node.childForFieldName('value');
    if (value?.type === 'as_pattern') {
      const expr = value.namedChildren[0];
      const alias = value.childForFieldName('alias') ?? value.namedChildren[1];
      const target = alias?.type === 'as_pattern_target' ? alias.namedChildren[0] : alias;
      if (expr && target?.type === 'identifier') this.assign(scope, target.text, expr);
    }
  }

  private callSite(node: Node): CallSite {
    const fn = node.childForFieldName('function');
    const name = fn ? this.qualify(fn) : undefined;
    // the attribute's name was read while qualifying (no second trip into the tree)
    const method = fn ? this.attributeNames.get(fn.id) : undefined;
    return new LazyCallSite(node, name, method);
  }

  // ── name resolution ────────────────────────────────────────────────────────────────────────

  qualify(node: Node, depth = 0): string | undefined {
    if (depth > 40) return undefined;
    const memo = this.qualifyMemo.get(node.id);
    if (memo !== undefined || this.qualifyMemo.has(node.id)) return memo;
    this.qualifyMemo.set(node.id, undefined); // cycle guard
    const result = this.qualifyUncached(node, depth);
    this.qualifyMemo.set(node.id, result);
    return result;
  }

  private qualifyUncached(node: Node, depth: number): string | undefined {
    switch (node.type) {
      case 'identifier':
        return this.resolveName(normaliseIdentifier(node.text), node, depth);
      case 'attribute': {
        const object = node.childForFieldName('object');
        const attribute = node.childForFieldName('attribute');
        if (!object || !attribute) return undefined;
        const attributeName = normaliseIdentifier(attribute.text);
        this.attributeNames.set(node.id, attributeName);
        const base = this.qualify(object, depth + 1);
        if (!base) return object.type === 'string' || object.type === 'concatenated_string' ? `str.${attributeName}` : undefined;
        return canonical(`${base}.${attributeName}`);
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.qualify(inner, depth + 1) : undefined;
      }
      case 'conditional_expression': {
        // `getattr(b, "exec") if c else b["exec"]`: either branch may be what runs; the first known one
        const [whenTrue, , whenFalse] = node.namedChildren;
        return (whenTrue && this.qualify(whenTrue, depth + 1)) ?? (whenFalse ? this.qualify(whenFalse, depth + 1) : undefined);
      }
      case 'boolean_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        return (left && this.qualify(left, depth + 1)) ?? (right ? this.qualify(right, depth + 1) : undefined);
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        if (!fn) return undefined;
        const name = this.qualify(fn, depth + 1);
        if (!name) {
          // (lambda: __import__("os"))() and f = lambda: …; f(): the call is what the lambda returns
          const lambdaBody = this.calledLambda(fn)?.childForFieldName('body');
          if (lambdaBody) return this.qualify(lambdaBody, depth + 1);
          // load("r", "e", "q", …) where def load(*p): return __import__("".join(p))
          return helperImport(this, fn, node)?.module;
        }
        // only a few calls stand for something other than "what name() returns": look at the
        // arguments of those alone (this runs for every call in every chain)
        if (name.endsWith('.__dict__.get')) {
          // os.__dict__.get("system") is os.system, as os.__dict__["system"] is
          const [key] = argumentNodes(node);
          const attr = key ? this.fold(key)?.value : undefined;
          return attr ? canonical(`${name.slice(0, -'.__dict__.get'.length)}.${attr}`) : `${name}()`;
        }
        if (!NAME_MAKERS.has(name)) return `${name}()`;
        const args = argumentNodes(node).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
        const firstConst = args[0] ? this.fold(args[0])?.value : undefined;
        if (name === 'builtins.__import__' || name === 'importlib.import_module' || name === 'importlib.__import__') return firstConst;
        // eval("\x65\x76\x61\x6c") is eval itself: a constant name evaluated is that name
        if (name === 'builtins.eval' && firstConst !== undefined && /^\s*[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\s*$/.test(firstConst)) {
          const [head, ...rest] = firstConst.trim().split('.').map(normaliseIdentifier);
          const base = this.resolveName(head!, node, depth);
          if (base) return canonical([base, ...rest].join('.'));
        }
        if (name === 'builtins.getattr' && args[0]) {
          const base = this.qualify(args[0], depth + 1);
          const attr = args[1] ? this.fold(args[1])?.value : undefined;
          return base && attr ? canonical(`${base}.${attr}`) : undefined;
        }
        if (name === 'builtins.vars' && args[0]) {
          const base = this.qualify(args[0], depth + 1);
          return base ? `${base}.__dict__` : undefined;
        }
        if (name === 'builtins.globals' || name === 'builtins.locals' || name === 'builtins.vars') return 'saferun:namespace';
        if (name === 'operator.attrgetter' && firstConst) return `saferun:attrgetter:${firstConst}`;
        return `${name}()`;
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        const index = node.childForFieldName('subscript');
        if (!value || !index) return undefined;
        const base = this.qualify(value, depth + 1);
        const key = this.fold(index)?.value;
        if (!base || key === undefined) return undefined;
        if (base === 'sys.modules') return key;
        if (base === 'builtins') return canonical(`builtins.${key}`); // __builtins__["exec"] (a dict outside __main__)
        if (base === 'saferun:namespace') return key === '__builtins__' ? 'builtins' : (this.bindings.get(key) ?? (BUILTIN_NAMES.has(key) ? `builtins.${key}` : undefined));
        if (base.endsWith('.__dict__')) return canonical(`${base.slice(0, -'.__dict__'.length)}.${key}`);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The lambda a call calls, written in place or assigned to the name called. */
  private calledLambda(fn: Node): Node | undefined {
    let callee: Node | null | undefined = fn;
    while (callee?.type === 'parenthesized_expression') callee = callee.namedChildren[0];
    if (callee?.type === 'lambda') return callee;
    if (callee?.type !== 'identifier') return undefined;
    const values = this.assignedValues(callee.text, callee);
    return values.length === 1 && values[0]!.type === 'lambda' ? values[0] : undefined;
  }

  /**
   * What a bare name stands for where `at` is: an import or alias, what was assigned to it, a
   * builtin, or a module whose import is missing. Shared by identifiers and `eval("name")`.
   */
  private resolveName(name: string, at: Node, depth: number): string | undefined {
    if (name === '__builtins__' || name === 'builtins') return this.bindings.get(name) ?? 'builtins';
    const bound = this.bindings.get(name);
    if (bound) return bound;
    for (const value of this.assignedValues(name, at)) {
      if (value.id === at.id) continue;
      const viaValue = this.qualify(value, depth + 1);
      if (viaValue) return viaValue;
    }
    if (BUILTIN_NAMES.has(name) && !this.definedNames.has(name)) return `builtins.${name}`;
    return this.missingImport(name);
  }

  /**
   * A well-known module name used but never bound (no import, assignment, parameter or
   * definition): the import was cut from the excerpt, hidden in exec'd text or a star import.
   * Python would raise NameError otherwise, so reading it as that module is safe.
   */
  private missingImport(name: string): string | undefined {
    const module = UNBOUND_MODULES.get(name);
    if (!module || this.definedNames.has(name) || this.parameterNames.has(name)) return undefined;
    return this.boundNames.has(name) ? undefined : module;
  }

  // ── constant folding ───────────────────────────────────────────────────────────────────────

  fold(node: Node, depth = 0): Folded | undefined {
    if (depth > 60) return undefined;
    if (this.foldMemo.has(node.id)) return this.foldMemo.get(node.id);
    this.foldMemo.set(node.id, undefined); // cycle guard
    let result: Folded | undefined;
    try {
      result = this.foldUncached(node, depth);
    } catch {
      result = undefined;
    }
    if (result && result.value.length > 4_000_000) result = undefined;
    this.foldMemo.set(node.id, result);
    return result;
  }

  private foldUncached(node: Node, depth: number): Folded | undefined {
    switch (node.type) {
      case 'string':
        return this.foldString(node, depth);
      case 'concatenated_string':
        return this.joinFolded(node.namedChildren, '', depth);
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.fold(inner, depth + 1) : undefined;
      }
      case 'integer':
        return { value: String(parsePythonInt(node.text)), decoded: false };
      case 'identifier': {
        const values = this.assignedValues(node.text, node);
        if (values.length === 1) return this.fold(values[0]!, depth + 1);
        return this.foldAugmented(values, depth); // otherwise reassigned names are not constants
      }
      case 'binary_operator':
        return this.foldBinary(node, depth);
      case 'subscript':
        return this.foldSlice(node, depth);
      case 'call':
        return this.foldCall(node, depth);
      default:
        return undefined;
    }
  }

  private joinFolded(parts: (Node | null)[], separator: string, depth: number): Folded | undefined {
    const values: string[] = [];
    let decoded = false;
    for (const part of parts) {
      if (!part || part.type === 'comment') continue;
      const folded = this.fold(part, depth + 1);
      if (!folded) return undefined;
      values.push(folded.value);
      decoded ||= folded.decoded;
    }
    return { value: values.join(separator), decoded };
  }

  private foldString(node: Node, depth: number): Folded | undefined {
    const start = node.children[0];
    const prefix = (start?.text ?? '').replace(/['"]+$/, '').toLowerCase();
    const raw = prefix.includes('r');
    let value = '';
    let decoded = false;
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'string_content') value += raw ? child.text : unescapePython(child.text);
      else if (child.type === 'escape_sequence') value += raw ? child.text : unescapePython(child.text);
      else if (child.type === 'interpolation') {
        const expr = child.namedChildren[0];
        const folded = expr ? this.fold(expr, depth + 1) : undefined;
        if (!folded) return undefined;
        value += folded.value;
        decoded ||= folded.decoded;
      }
    }
    return { value, decoded };
  }

  /**
   * cmd = "curl …"; cmd += " | sh": one plain assignment, then only += of constants, in order (each
   * += is recorded as its right side and the statement itself).
   */
  private foldAugmented(values: Node[], depth: number): Folded | undefined {
    const [first, ...rest] = values;
    if (!first || first.type === 'augmented_assignment' || rest.length === 0 || rest.length > 16) return undefined;
    const start = this.fold(first, depth + 1);
    if (!start) return undefined;
    let value = start.value;
    let decoded = start.decoded;
    for (const step of rest) {
      if (step.type !== 'augmented_assignment') {
        if (step.parent?.type === 'augmented_assignment') continue; // a += right side: it comes again with its statement
        return undefined; // assigned anew
      }
      if (step.childForFieldName('operator')?.text !== '+=' || step.startIndex < first.startIndex) return undefined;
      const right = step.childForFieldName('right');
      const added = right ? this.fold(right, depth + 1) : undefined;
      if (!added) return undefined;
      value += added.value;
      decoded ||= added.decoded;
    }
    return { value, decoded };
  }

  private foldBinary(node: Node, depth: number): Folded | undefined {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const operator = node.childForFieldName('operator')?.text;
    if (!left || !right) return undefined;
    if (operator === '+') return this.joinFolded([left, right], '', depth);
    if (operator === '*') {
      const text = this.fold(left, depth + 1);
      const times = right.type === 'integer' ? parsePythonInt(right.text) : NaN;
      return text && times >= 0 && times * text.value.length < 100_000 ? { value: text.value.repeat(times), decoded: text.decoded } : undefined;
    }
    if (operator === '%') {
      const format = this.fold(left, depth + 1);
      if (!format) return undefined;
      const items = right.type === 'tuple' ? right.namedChildren : [right];
      const values = items.map((item) => (item ? this.fold(item, depth + 1) : undefined));
      if (values.some((v) => !v)) return undefined;
      let i = 0;
      let charCodes = false;
      const value = format.value.replace(/%[sdircx%]/g, (spec) => {
        if (spec === '%%') return '%';
        const item = values[i++]?.value;
        if (item === undefined) return spec;
        // "%c%c" % (99, 117): character codes in disguise
        if (spec === '%c' && /^\d+$/.test(item) && Number(item) <= 0x10ffff) return ((charCodes = true), String.fromCodePoint(Number(item)));
        if (spec === '%x' && /^\d+$/.test(item)) return Number(item).toString(16);
        return item;
      });
      return { value, decoded: charCodes || format.decoded || values.some((v) => v!.decoded) };
    }
    return undefined;
  }

  /**
   * The items of a list kept in a name, with what append/extend add to it between its assignment
   * and `until`; undefined when it is changed any other way (insert, pop, remove, item assignment).
   */
  private listAsBuilt(name: string, list: Node, until: Node): (Node | null)[] | undefined {
    const items: (Node | null)[] = [...list.namedChildren];
    for (const call of this.callNodes) {
      if (call.startIndex < list.endIndex || call.startIndex >= until.startIndex) continue;
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== name) continue;
      const method = fn.childForFieldName('attribute')?.text;
      const [arg] = argumentNodes(call);
      if (method === 'append' && arg) items.push(arg);
      else if (method === 'extend' && arg && (arg.type === 'list' || arg.type === 'tuple')) items.push(...arg.namedChildren);
      else if (method && /^(insert|pop|remove|clear|reverse|sort|extend)$/.test(method)) return undefined;
      if (items.length > 256) return undefined;
    }
    return items;
  }

  private foldSlice(node: Node, depth: number): Folded | undefined {
    const value = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    if (!value || !index) return undefined;
    const text = this.fold(value, depth + 1);
    if (!text) return undefined;
    if (index.type === 'slice') {
      const parts = index.text.split(':').map((p) => p.trim());
      const num = (p: string | undefined): number | undefined => (p === undefined || p === '' ? undefined : Number(p));
      const [start, stop, step] = [num(parts[0]), num(parts[1]), num(parts[2])];
      if ([start, stop, step].some((n) => n !== undefined && !Number.isInteger(n))) return undefined;
      const chars = [...text.value];
      if (step === -1 && start === undefined && stop === undefined) return { value: chars.reverse().join(''), decoded: true };
      if (step === undefined || step === 1) return { value: chars.slice(start, stop).join(''), decoded: text.decoded };
      if (step !== undefined && step > 1) return { value: chars.slice(start, stop).filter((_, i) => i % step === 0).join(''), decoded: true };
      return undefined;
    }
    if (index.type === 'integer') {
      const i = parsePythonInt(index.text);
      const chars = [...text.value];
      const c = chars[i < 0 ? chars.length + i : i];
      return c === undefined ? undefined : { value: c, decoded: text.decoded };
    }
    return undefined;
  }

  private foldCall(node: Node, depth: number): Folded | undefined {
    const fn = node.childForFieldName('function');
    if (!fn) return undefined;
    const positional = argumentNodes(node).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
    const name = this.qualify(fn, depth + 1);
    if (fn.type === 'attribute') {
      const method = normaliseIdentifier(fn.childForFieldName('attribute')?.text ?? '');
      const object = fn.childForFieldName('object');
      if (method === 'join' && object && positional[0]) {
        const separator = this.fold(object, depth + 1);
        const items = positional[0];
        if (!separator) return undefined;
        // cmd = ["c", "u", "r", "l"]; "".join(cmd): a list kept in a name once is the same list
        const assigned = items.type === 'identifier' ? this.assignedValues(items.text, items) : [];
        const list = assigned.length === 1 && (assigned[0]!.type === 'list' || assigned[0]!.type === 'tuple') ? assigned[0]! : items;
        if (list !== items) {
          // parts = []; parts.append("curl …"); parts.append("| sh"): the list as it grew, in order
          const grown = this.listAsBuilt(items.text, list, node);
          return grown ? this.joinFolded(grown, separator.value, depth) : undefined;
        }
        if (list.type === 'list' || list.type === 'tuple') return this.joinFolded(list.namedChildren, separator.value, depth);
        if (items.type === 'generator_expression' || items.type === 'list_comprehension') return this.foldCharComprehension(items, separator.value, depth);
        if (items.type === 'call') return this.foldCharMap(items, separator.value, depth);
        return undefined;
      }
      // base64.b64decode(x) is a module function, not a method of a string; base64.b64decode(x).decode() is.
      const moduleFunction = name !== undefined && !name.includes('()') && /^(base64|codecs|zlib|binascii|gzip|bz2|lzma)\./.test(name);
      if (object && !moduleFunction && name !== 'bytes.fromhex') {
        const base = this.fold(object, depth + 1);
        if (base) {
          const arg = (i: number): string | undefined => (positional[i] ? this.fold(positional[i], depth + 1)?.value : undefined);
          switch (method) {
            case 'decode':
            case 'encode': {
              const codec = (arg(0) ?? 'utf-8').toLowerCase().replace(/[-_]/g, '');
              if (codec === 'rot13') return { value: rot13(base.value), decoded: true };
              if (codec === 'hex') return { value: Buffer.from(base.value, 'hex').toString('latin1'), decoded: true };
              if (codec === 'base64') return { value: Buffer.from(base.value, 'base64').toString('latin1'), decoded: true };
              return base;
            }
            case 'lower':
              return { value: base.value.toLowerCase(), decoded: base.decoded };
            case 'upper':
              return { value: base.value.toUpperCase(), decoded: base.decoded };
            case 'strip':
              return { value: base.value.trim(), decoded: base.decoded };
            case 'replace': {
              const from = arg(0);
              const to = arg(1);
              return from !== undefined && to !== undefined ? { value: base.value.split(from).join(to), decoded: true } : undefined;
            }
            case 'format': {
              const values = positional.map((p) => this.fold(p, depth + 1)?.value);
              if (values.some((v) => v === undefined)) return undefined;
              let i = 0;
              return { value: base.value.replace(/\{(\d*)\}/g, (_m, n: string) => values[n === '' ? i++ : Number(n)] ?? ''), decoded: base.decoded };
            }
          }
        }
      }
    }
    const first = positional[0] ? this.fold(positional[0], depth + 1) : undefined;
    switch (name) {
      case 'builtins.chr': {
        const code = first ? Number(first.value) : NaN;
        return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? { value: String.fromCodePoint(code), decoded: true } : undefined;
      }
      case 'builtins.bytes':
      case 'builtins.bytearray': {
        // bytes([111, 115]) is the text "os" in disguise
        const codes = positional[0] && (positional[0].type === 'list' || positional[0].type === 'tuple') ? integerItems(positional[0].namedChildren, 0xff) : undefined;
        return codes ? { value: String.fromCharCode(...codes), decoded: true } : first;
      }
      case 'builtins.str':
        return first;
      case 'bytes.fromhex':
      case 'binascii.unhexlify':
      case 'binascii.a2b_hex':
        return first ? { value: Buffer.from(first.value.replace(/\s+/g, ''), 'hex').toString('latin1'), decoded: true } : undefined;
      case 'base64.b64decode':
      case 'base64.decodebytes':
      case 'base64.decodestring':
      case 'base64.urlsafe_b64decode':
      case 'binascii.a2b_base64':
        return first ? { value: Buffer.from(first.value, 'base64').toString('latin1'), decoded: true } : undefined;
      case 'base64.b32decode':
        return first ? { value: base32Decode(first.value), decoded: true } : undefined;
      case 'base64.b16decode':
        return first ? { value: Buffer.from(first.value, 'hex').toString('latin1'), decoded: true } : undefined;
      case 'codecs.decode':
      case 'codecs.encode': {
        const codec = (positional[1] ? this.fold(positional[1], depth + 1)?.value : 'utf-8')?.toLowerCase().replace(/[-_]/g, '');
        if (!first || !codec) return undefined;
        if (codec === 'rot13') return { value: rot13(first.value), decoded: true };
        if (codec === 'base64') return { value: Buffer.from(first.value, 'base64').toString('latin1'), decoded: true };
        if (codec === 'hex') return { value: Buffer.from(first.value, 'hex').toString('latin1'), decoded: true };
        return first;
      }
      case 'zlib.decompress':
      case 'gzip.decompress': {
        if (!first) return undefined;
        const bytes = Buffer.from(first.value, 'latin1');
        for (const inflate of [inflateSync, gunzipSync, inflateRawSync]) {
          try {
            return { value: inflate(bytes, { maxOutputLength: 4_000_000 }).toString('latin1'), decoded: true };
          } catch {
            // try the next container format
          }
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** ''.join(map(chr, [111, 115])) */
  private foldCharMap(node: Node, separator: string, depth: number): Folded | undefined {
    const fn = node.childForFieldName('function');
    if (!fn || this.qualify(fn, depth + 1) !== 'builtins.map') return undefined;
    const [mapper, items] = argumentNodes(node).filter((a) => a.type !== 'comment');
    if (!mapper || !items || this.qualify(mapper, depth + 1) !== 'builtins.chr' || (items.type !== 'list' && items.type !== 'tuple')) return undefined;
    const codes = integerItems(items.namedChildren, 0x10ffff);
    return codes ? { value: codes.map((code) => String.fromCodePoint(code)).join(separator), decoded: true } : undefined;
  }

  /** ''.join(chr(c) for c in [104, 105]) and friends. */
  private foldCharComprehension(node: Node, separator: string, depth: number): Folded | undefined {
    const body = node.childForFieldName('body');
    const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause');
    const variable = clause?.childForFieldName('left');
    const iterable = clause?.childForFieldName('right');
    if (!body || !variable || !iterable || body.type !== 'call') return undefined;
    const fnName = body.childForFieldName('function');
    if (!fnName || this.qualify(fnName, depth + 1) !== 'builtins.chr') return undefined;
    const argText = body.childForFieldName('arguments')?.namedChildren[0]?.text;
    if (argText !== variable.text) return undefined;
    const codes = iterable.type === 'list' || iterable.type === 'tuple' ? integerItems(iterable.namedChildren, 0x10ffff) : undefined;
    return codes ? { value: codes.map((code) => String.fromCodePoint(code)).join(separator), decoded: true } : undefined;
  }

  // ── tags (light, flow-insensitive data flow) ───────────────────────────────────────────────

  private socketsMemo: boolean | undefined;
  /** Values stored under a key (d[k] = v): they carry their data into d, not the 'decoded' tag. */
  private readonly storedValues = new Set<number>();
  private mutationsMemo: Map<string, Node[]> | undefined;

  /**
   * The arguments of the filling methods called on a name (append, update, set_content, write, …)
   * in the scope the name is used in: a `parts` list in one function is not another's.
   */
  private mutationsOf(name: string, at: Node): Node[] {
    if (!this.mutationsMemo) {
      const memo = new Map<string, Node[]>();
      for (const call of this.callNodes) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'attribute') continue;
        const receiver = fn.childForFieldName('object');
        const method = fn.childForFieldName('attribute')?.text ?? '';
        if (receiver?.type !== 'identifier' || !MUTATORS.has(method)) continue;
        const key = `${this.scopeOf(call)}\0${receiver.text}`;
        const list = memo.get(key) ?? [];
        for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) if (argument) list.push(argument);
        memo.set(key, list);
      }
      // found[key] = value: what is stored under a key is in the container
      for (const assignment of this.root.descendantsOfType('assignment')) {
        const left = assignment?.childForFieldName('left');
        const receiver = left?.type === 'subscript' ? left.childForFieldName('value') : undefined;
        const right = assignment?.childForFieldName('right');
        if (receiver?.type !== 'identifier' || !right) continue;
        append(memo, `${this.scopeOf(assignment!)}\0${receiver.text}`, right);
        this.storedValues.add(right.id);
      }
      this.mutationsMemo = memo;
    }
    return this.mutationsMemo.get(`${this.scopeOf(at)}\0${name}`) ?? [];
  }

  private acceptedMemo: Set<string> | undefined;

  /** `conn` in `conn, addr = server.accept()` (or `conn = server.accept()[0]`); names found once per module. */
  private acceptedConnection(name: Node): boolean {
    if (!this.acceptedMemo) {
      const accepted = new Set<string>();
      const isAccept = (value: Node | null | undefined): boolean => {
        let call = value;
        if (call?.type === 'subscript') call = call.childForFieldName('value');
        return call?.type === 'call' && call.childForFieldName('function')?.childForFieldName('attribute')?.text === 'accept';
      };
      for (const assignment of this.root.descendantsOfType('assignment')) {
        if (!assignment || !isAccept(assignment.childForFieldName('right'))) continue;
        const left = assignment.childForFieldName('left');
        if (left?.type === 'identifier') accepted.add(left.text);
        else for (const part of left?.namedChildren ?? []) if (part?.type === 'identifier') accepted.add(part.text);
      }
      this.acceptedMemo = accepted;
    }
    return this.acceptedMemo.has(name.text);
  }

  /** Whether the module imports socket (or something from it). */
  private usesSockets(): boolean {
    this.socketsMemo ??= [...this.bindings.values()].some((qualified) => qualified === 'socket' || qualified.startsWith('socket.'));
    return this.socketsMemo;
  }

  tags(node: Node, depth = 0): Set<Tag> {
    const memo = this.tagMemo.get(node.id);
    if (memo) return memo;
    const tags = new Set<Tag>();
    this.tagMemo.set(node.id, tags); // cycle guard: a node in progress has no tags yet
    if (depth > 40) return tags;
    const add = (other: Set<Tag>): void => other.forEach((t) => tags.add(t));
    // a decoded value of a character or two (chr(0x4000)) hides nothing: it is not a payload
    const folded = this.fold(node);
    if (folded?.decoded && folded.value.trim().length >= 4) tags.add('decoded');
    switch (node.type) {
      case 'identifier':
        for (const value of this.assignedValues(node.text, node)) add(this.tags(value, depth + 1));
        for (const iterable of this.iteratedValues(node.text, node)) add(this.tags(iterable, depth + 1));
        // msg.set_content(env), parts.append(key), data.update(env): what is put into an object is in it
        for (const argument of this.mutationsOf(node.text, node)) {
          for (const tag of this.tags(argument, depth + 1)) if (tag !== 'decoded' || !this.storedValues.has(argument.id)) tags.add(tag);
        }
        // def send(data): … with send(collect()) elsewhere: what the callers pass is in the parameter
        // (not 'decoded': code that reverses or joins what callers pass hides nothing by it)
        if (this.parameterNames.has(normaliseIdentifier(node.text))) {
          for (const argument of argumentsForParameter(this, node)) for (const tag of this.tags(argument, depth + 1)) if (tag !== 'decoded') tags.add(tag);
        }
        break;
      case 'call': {
        const fn = node.childForFieldName('function');
        const name = fn ? this.qualify(fn, depth + 1) : undefined;
        // a helper the module defines (decode(s), self._payload()) carries the tags of what it returns
        const helper = !name ? (fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined) : undefined;
        if (helper) for (const value of this.returnedValues(helper)) add(this.tags(value, depth + 1));
        // decode = lambda s: …; decode(blob): the lambda's body is what comes back
        if (fn?.type === 'identifier') {
          for (const value of this.assignedValues(fn.text, fn)) {
            const body = value.type === 'lambda' ? value.childForFieldName('body') : null;
            if (body) add(this.tags(body, depth + 1));
          }
        }
        // self.codec.b64decode(s), helper.decompress(b): a decoder reached through an object saferun cannot name
        if (!name && fn?.type === 'attribute' && /^(b(16|32|64|85)decode|a85decode|urlsafe_b64decode|decodebytes|decompress|unhexlify|fromhex|decrypt)$/.test(fn.childForFieldName('attribute')?.text ?? '')) tags.add('decoded');
        // conn.recv(…) on a connection the module accepted itself (conn, addr = server.accept()): network input
        if (!name && fn?.type === 'attribute' && /^recv(from|_into)?$/.test(fn.childForFieldName('attribute')?.text ?? '') && this.usesSockets()) {
          const receiver = fn.childForFieldName('object');
          if (receiver?.type === 'identifier' && this.acceptedConnection(receiver)) tags.add('downloaded');
        }
        const bare = name?.replace(/\(\)$/, '');
        if (bare === 'builtins.bytes' || bare === 'builtins.bytearray') {
          // bytes(int(bits[i:i+8], 2) for i in …), bytearray([b ^ k for b in blob]): decoding at run time
          const argument = argumentNodes(node)[0];
          if (argument?.type === 'generator_expression' || argument?.type === 'list_comprehension') tags.add('decoded');
        }
        if (bare && DECODERS.has(bare)) tags.add('decoded');
        if (bare === 'builtins.chr' && !this.fold(node)) tags.add('decoded'); // chr(ord(c) ^ k): decryption at run time
        if (bare && DOWNLOADERS.test(bare)) {
          tags.add('downloaded');
          // the cloud's instance credentials (AWS/GCP/Azure metadata service) are secrets
          let url = argumentNodes(node)[0];
          while (url?.type === 'binary_operator' && !this.fold(url)) url = url.childForFieldName('left') ?? undefined; // base + role
          if (url && CLOUD_CREDENTIALS_URL.test(this.fold(url)?.value ?? '')) tags.add('secret');
        }
        if (bare && SECRET_SOURCES.test(bare)) tags.add('secret');
        if (bare && SYSINFO_SOURCES.test(bare)) tags.add('sysinfo');
        // socket.getfqdn() is this machine's name; socket.getfqdn(host) looks up another's
        if (bare && IDENTITY_SOURCES.test(bare) && !(bare === 'socket.getfqdn' && argumentNodes(node).length > 0)) tags.add('private');
        if (readsPrivateFile(this, name, node)) tags.add('private');
        if (bare && COMMAND_OUTPUT.test(bare)) {
          // the output of `wmic csproduct get uuid`, `curl ifconfig.me`, `whoami` identifies the machine
          const command = argumentNodes(node)[0];
          const text =
            command?.type === 'list' || command?.type === 'tuple'
              ? command.namedChildren.map((part) => (part ? (this.fold(part)?.value ?? '') : '')).join(' ')
              : command
                ? this.fold(command)?.value
                : undefined;
          const behaviour = text ? classifyCommand(text)?.behaviour : undefined;
          if (behaviour === 'reconnaissance') tags.add('sysinfo');
          if (behaviour === 'credential-theft') tags.add('secret'); // git credential fill, security find-generic-password -w
        }
        if (name === 'builtins.open' || name === 'io.open' || name === 'pathlib.Path') {
          const path = argumentNodes(node)[0];
          const pathValue = path ? this.fold(path)?.value : undefined;
          if (pathValue !== undefined && CREDENTIAL_PATH.test(pathValue)) tags.add('secret');
        }
        if (fn?.type === 'attribute') {
          const object = fn.childForFieldName('object');
          if (object) add(this.tags(object, depth + 1));
        }
        for (const arg of node.childForFieldName('arguments')?.namedChildren ?? []) if (arg) add(this.tags(arg, depth + 1));
        break;
      }
      case 'attribute': {
        const name = this.qualify(node, depth + 1);
        if (name && SECRET_SOURCES.test(name)) tags.add('secret');
        const object = node.childForFieldName('object');
        if (object) add(this.tags(object, depth + 1));
        break;
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        if (value) add(this.tags(value, depth + 1));
        // data[::-1] of data known only at run time: reversing is how payloads are hidden in files
        const slice = node.childForFieldName('subscript');
        if (slice?.type === 'slice' && /^::\s*-1$/.test(slice.text.replace(/\s+/g, '')) && !this.fold(node)) tags.add('decoded');
        break;
      }
      default:
        for (const child of node.namedChildren) if (child) add(this.tags(child, depth + 1));
    }
    return tags;
  }
}

/** The values of a list of integer literals, each at most `max`; undefined if any item is something else. */
function integerItems(items: (Node | null)[], max: number): number[] | undefined {
  const codes: number[] = [];
  for (const item of items) {
    if (!item || item.type !== 'integer') return undefined;
    const code = parsePythonInt(item.text);
    if (!(code >= 0 && code <= max)) return undefined;
    codes.push(code);
  }
  return codes;
}

/** Adds a value to the list kept under a key. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Names bound by a for target: c, (k, v), [a, b]. */
function targetNames(target: Node): string[] {
  if (target.type === 'identifier') return [target.text];
  if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern' || target.type === 'tuple' || target.type === 'list') {
    return target.namedChildren.flatMap((child) => (child ? targetNames(child) : []));
  }
  return [];
}

/** Calls whose result is named by their arguments (see qualifyUncached). */
const NAME_MAKERS = new Set(['builtins.__import__', 'importlib.import_module', 'importlib.__import__', 'builtins.eval', 'builtins.getattr', 'builtins.vars', 'builtins.globals', 'builtins.locals', 'operator.attrgetter']);

/** Modules whose bare name, used but never bound, is read as the module (see missingImport). */
const UNBOUND_MODULES = new Map(
  ['os', 'sys', 'subprocess', 'socket', 'platform', 'getpass', 'base64', 'zlib', 'marshal', 'pickle', 'codecs', 'binascii', 'ctypes', 'shutil', 'requests', 'urllib', 'urllib2', 'httpx', 'uuid', 'psutil', 'winreg', '_winreg', 'pty', 'tempfile', 'webbrowser', 'smtplib', 'ftplib', 'telnetlib', 'importlib', 'builtins']
    .map((name): [string, string] => [name, name])
    .concat([['request', 'urllib.request']]),
);

/** Aliases of one thing spelled several ways. */
function canonical(name: string): string {
  if (name.startsWith('__builtins__.')) return `builtins.${name.slice('__builtins__.'.length)}`;
  if (name.startsWith('builtins.__dict__.')) return `builtins.${name.slice('builtins.__dict__.'.length)}`;
  if (name.startsWith('posix.')) return `os.${name.slice('posix.'.length)}`;
  if (/^builtins\.(bytes|str|bytearray)\./.test(name)) return name.slice('builtins.'.length);
  if (name.startsWith('os.path.') || name.startsWith('os.')) return name;
  return name;
}

function dotted(node: Node): string {
  return node.text.split('.').map((part) => normaliseIdentifier(part.trim())).join('.');
}
