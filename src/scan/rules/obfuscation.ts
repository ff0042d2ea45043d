import { sourceLayout } from '../engine/layout.js';
import { callsTo, type Rule } from './rule.js';

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const ENCODED = /^[A-Za-z0-9+/=_\-\s\\x]+$/;

/** Modules and functions worth hiding: processes, code, sockets, native calls, deletion. */
const SENSITIVE_TARGET =
  /^(os|subprocess|socket|ctypes|pty|marshal|pickle|builtins\.(exec|eval|compile|__import__)|os\.(system|popen\w*|exec\w*|spawn\w*|posix_spawnp?|startfile|remove|unlink|rmdir|removedirs|dup2)|subprocess\.\w+|socket\.\w+|shutil\.rmtree|ctypes\.\w+|pty\.spawn|marshal\.loads|pickle\.loads?)$/;
/** PyArmor's loader: the protected module is an encrypted blob handed to it. */
const PACKED_CODE_LOADER = /^(__pyarmor__|pytransform\.pyarmor_runtime|pyarmor_runtime(_\d+)?\.(__pyarmor__|pyarmor_runtime)|pytransform\.__pyarmor__)$/;
const LOOKUPS = new Set(['builtins.getattr', 'importlib.import_module', 'builtins.__import__', 'importlib.__import__']);
const COMPUTED_NAME = new Set(['binary_operator', 'subscript', 'call']);
/** A string literal written with escapes for plain letters: "\x73\x79\x73" is "sys" in disguise. */
const ESCAPED_LETTERS = /\\(x[4-7][0-9a-f]|u00[4-7][0-9a-f]|1[0-7][0-7])/i;

export const obfuscation: Rule = {
  meta: {
    id: 'obfuscation',
    title: 'Obfuscated code: long encoded literals, character-code chains, absurdly long lines',
    severity: 'medium',
    confidence: 'medium',
    category: 'obfuscation',
    cwe: 'CWE-506',
    explanation: 'Long base64/hex or high-entropy string literals, strings built from chains of chr() codes, dangerous modules or functions looked up by a name that is hex, character codes or escapes (getattr(os, bytes.fromhex(...).decode())), lines thousands of characters long, modules encrypted by a packer (PyArmor) and sources written in UTF-7 hide what code does. Generated data files sometimes look like this; hand-written programs rarely do.',
    advice: 'Decode the literal (without running it) and read what it is before running the program.',
  },
  check({ model, report }) {
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      const text = texts[i]!;
      if (text.length < 400) continue;
      const body = text.replace(/^[a-zA-Z]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
      if (body.length >= 400 && !/\s{2,}/.test(body.slice(0, 400)) && ENCODED.test(body.slice(0, 2000)) && entropy(body.slice(0, 4000)) > 4.5) {
        report(node, `a ${body.length}-character encoded literal (entropy ${entropy(body.slice(0, 4000)).toFixed(1)} bits/char)`);
      }
    }
    // One report is enough; stop at the first chain (node.parent costs a walk from the root).
    for (const call of model.calls) {
      if (call.name !== 'builtins.chr') continue;
      const parent = call.node.parent;
      if (parent?.type === 'binary_operator' && parent.parent?.type === 'binary_operator') {
        report(call.node, 'string assembled from chr() codes');
        break;
      }
    }
    // Names in scripts no one writes by hand (Hyperion-style CJK or homoglyph identifiers).
    const source = model.source;
    const foreignNames = new Set<string>();
    // Obfuscators draw long random strings from a foreign alphabet (馬女水女口目人馬鳥月水馬山山馬鸟);
    // people naming things in their language use words (カタカナ, кириллица): ten letters or more is the line.
    if (/[^\x00-\x7F]/.test(source)) for (const match of source.matchAll(/^[ \t]*([^\x00-\x7F\s"'#(){}[\],.:;=+\-*/%&|^~<>!@]{10,})\s*[-+*/|&^%]?=(?!=)/gmu)) foreignNames.add(match[1]!);
    if (foreignNames.size >= 5) report(model.root, `${foreignNames.size} variables with machine-made non-Latin names (e.g. ${[...foreignNames][0]})`, { severity: 'high' });
    // Modules and functions looked up by a name that is spelled out nowhere: getattr(__builtins__,
    // <expression>), getattr(os, bytes.fromhex("73797374656d").decode()), __import__("".join(map(chr, [111, 115])))
    for (const call of callsTo(model, (name) => LOOKUPS.has(name))) {
      const isGetattr = call.name === 'builtins.getattr';
      const nameArg = isGetattr ? call.args[1] : call.args[0];
      if (!nameArg) continue;
      const escaped = nameArg.type === 'string' && ESCAPED_LETTERS.test(nameArg.text);
      if (nameArg.type === 'string' && !escaped) continue; // spelled out: nothing is hidden
      const folded = model.fold(nameArg);
      if (!folded) {
        // what getattr looks the name up on; for an import, '' (the module is what is hidden)
        const base = isGetattr ? (call.args[0] ? model.qualify(call.args[0]) : undefined) : '';
        // A plain variable (getattr(builtins, op)) is how dispatch code works; an expression built
        // from pieces is how obfuscators hide the name.
        if (base === 'builtins' && COMPUTED_NAME.has(nameArg.type)) report(call.node, 'a builtin looked up by a name assembled at run time (hides which function is called)', { severity: 'high' });
        // getattr(os, unxor("t~tbj")): the name exists only once a helper has decoded it
        else if (base !== undefined && (base === '' || SENSITIVE_TARGET.test(base)) && model.tags(nameArg).has('decoded')) {
          report(call.node, `${base ? `an attribute of ${base}` : 'a module'} looked up by a name decoded at run time: the code hides what it calls`, { severity: 'high' });
        }
        continue;
      }
      const target = model.qualify(call.node);
      if (!target || !SENSITIVE_TARGET.test(target)) continue;
      const hidden = folded.decoded || escaped;
      report(call.node, `${target} reached through a name ${hidden ? 'hidden in an encoding' : 'assembled from pieces'} (${JSON.stringify(folded.value)}): the code hides what it calls`, { severity: hidden ? 'high' : 'medium' });
    }
    // Encrypted by a commercial packer: the real code exists only in memory at run time
    // (__pyarmor__ is injected at run time: it resolves to nothing, so the callee's text is what counts)
    if (source.includes('pyarmor')) {
      for (const call of model.calls) {
        const callee = call.name ?? call.node.childForFieldName('function')?.text ?? '';
        if (PACKED_CODE_LOADER.test(callee)) report(call.node, `${callee}(): code encrypted by PyArmor, decrypted only when it runs (nothing in it can be reviewed)`, { severity: 'high' });
      }
    }
    // A source in UTF-7 reads as gibberish in every editor and to most tools; CPython runs it
    const cookie = model.lines.slice(0, 2).find((line) => /^[ \t\f]*#.*?coding[:=][ \t]*(utf[-_]?7|u7)\b/i.test(line));
    if (cookie) report(model.root.descendantForPosition({ row: model.lines.indexOf(cookie), column: 0 }) ?? model.root, 'the source is written in UTF-7: code hidden in +…- runs that editors and reviewers do not see', { severity: 'high' });
        // Trojan Source (CVE-2021-42574): bidirectional controls make the code read differently from how it runs
    const bidi = /[\u202A-\u202E\u2066-\u2069]/.exec(source);
    if (bidi) {
      const before = source.slice(0, bidi.index);
      const row = before.split('\n').length - 1;
      report(model.root.descendantForPosition({ row, column: 0 }) ?? model.root, `Unicode bidirectional control U+${bidi[0].codePointAt(0)!.toString(16).toUpperCase()} (the code does not run the way it reads)`, { severity: 'high' });
    }
    const layout = sourceLayout(model);
    const longest = layout.longestLine;
    if (longest.length > 5000 && model.root.endPosition.row > 0) report(model.root.descendantForPosition({ row: longest.row, column: 0 }) ?? model.root, `a ${longest.length}-character line`, { severity: 'low' });
    if (layout.offscreenCode) report(model.root.descendantForPosition(layout.offscreenCode) ?? model.root, 'code pushed off-screen by a long run of blanks (hidden from anyone reading the file)');
  },
};
