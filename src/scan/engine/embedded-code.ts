/**
 * Python code carried as text: written to a file that is run later (`f.write("import requests;
 * exec(…)")`), passed to `python -c`, handed to exec/eval/compile, or kept in a long base64 literal
 * (optionally zlib-compressed) however it is used later. Its text is scanned as a module of its
 * own, so what it does is reported at the place that carries it.
 */
import { inflateSync } from 'node:zlib';
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module-model.js';
import { PROCESS_START } from './shell-command.js';

export interface EmbeddedCode {
  node: Node;
  code: string;
  how: string;
}

/** Calls that write text to a file (their first argument is the text). */
export const FILE_WRITES = /^(\*\.write|\*\.write_text|\*\.write_bytes|\*\.writelines|pathlib\.Path\(\)\.(write_text|write_bytes)|builtins\.open\(\)\.write|io\.open\(\)\.write|tempfile\.\w+\(\)\.write)$/;
const RUNS = /^builtins\.(exec|eval|compile)$/;
/** Enough to tell code from prose or data; the parse decides the rest. */
const LOOKS_LIKE_CODE = /\b(import\s+[\w.]+|from\s+[\w.]+\s+import|exec\s*\(|eval\s*\(|__import__\s*\(|os\.system\s*\(|subprocess\.)/;
const MAX_EMBEDDED_BYTES = 1_000_000;

export function findEmbeddedCode(model: ModuleModel): EmbeddedCode[] {
  const found: EmbeddedCode[] = [];
  let bytes = 0;
  const add = (node: Node, code: string | undefined, how: string): void => {
    if (!code || code.length < 16 || !LOOKS_LIKE_CODE.test(code) || bytes + code.length > MAX_EMBEDDED_BYTES) return;
    bytes += code.length;
    found.push({ node, code, how });
  };
  for (const [name, calls] of model.callsByName) {
    for (const call of calls) {
      if (FILE_WRITES.test(name) || RUNS.test(name)) {
        const first = call.args[0];
        if (first) add(call.node, model.fold(first)?.value, RUNS.test(name) ? `code run by ${name.replace('builtins.', '')}()` : 'code written to a file');
      } else if (PROCESS_START.test(name)) {
        for (const arg of call.args) {
          const parts = arg.type === 'list' || arg.type === 'tuple' ? arg.namedChildren.filter((n): n is Node => n !== null) : [arg];
          const texts = parts.map((part) => model.fold(part)?.value);
          // ["python", "-c", CODE] or "python -c 'CODE'"
          const flag = texts.indexOf('-c');
          if (flag >= 0 && texts[flag + 1]) add(call.node, texts[flag + 1], 'code run by python -c');
          else if (texts.length === 1 && texts[0]) {
            const inline = /\bpython[0-9.]*(?:\.exe)?\s+-c\s+(["'])([\s\S]+)\1/.exec(texts[0]);
            if (inline) add(call.node, inline[2], 'code run by python -c');
          }
        }
      }
    }
  }
  model.strings.forEach((node, i) => {
    const text = model.stringTexts[i]!;
    if (text.length < MIN_ENCODED_LITERAL || !BASE64_LITERAL.test(text)) return;
    const value = model.fold(node)?.value;
    if (value) add(node, decodedCode(value), 'code hidden in a base64 literal');
  });
  return found;
}

/** A long string literal of base64 characters only (quotes and a prefix aside). */
const BASE64_LITERAL = /^[a-zA-Z]{0,2}("""|'''|"|')[A-Za-z0-9+/=\s\\]+\1$/;
const MIN_ENCODED_LITERAL = 200;

/** The text a base64 value decodes to (inflated if it is zlib data), when it is text at all. */
function decodedCode(value: string): string | undefined {
  const bytes = Buffer.from(value.replace(/\s+/g, ''), 'base64');
  for (const candidate of [bytes, tryInflate(bytes)]) {
    if (!candidate) continue;
    const text = candidate.toString('utf8');
    if (!text.includes('\uFFFD')) return text;
  }
  return undefined;
}

function tryInflate(bytes: Buffer): Buffer | undefined {
  try {
    return inflateSync(bytes, { maxOutputLength: MAX_EMBEDDED_BYTES });
  } catch {
    return undefined;
  }
}
