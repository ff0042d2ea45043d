/**
 * File names are bytes; snapshots carry them exactly. A name is held as a JS string decoded from
 * UTF-8 with "surrogate escapes" (as Python's os.fsdecode does): each byte that is not part of valid
 * UTF-8 becomes the lone surrogate U+DC80..U+DCFF. Valid names stay ordinary strings (the common
 * case costs nothing), any other name round-trips byte for byte, and JSON carries the escapes as
 * `\udcff`. At the file-system boundary `fsPath` turns an escaped string back into its bytes.
 */
import { readdirSync } from 'node:fs';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Bytes → name. Invalid UTF-8 bytes (and only those) become U+DC80..U+DCFF. */
export function decodeName(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let code = length === 2 ? b & 0x1f : length === 3 ? b & 0x0f : b & 0x07;
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) valid = false;
      else code = (code << 6) | (next & 0x3f);
    }
    // no overlong forms, no encoded surrogates, nothing past U+10FFFF
    if (valid && ((length === 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) || (length === 4 && (code < 0x10000 || code > 0x10ffff)))) valid = false;
    if (valid) {
      out += String.fromCodePoint(code);
      i += length;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

/** Whether a string is a name decodeName could have produced (no other lone surrogates, no NUL). */
export function isEncodableName(name: string): boolean {
  if (name.includes('\0')) return false;
  if (!SURROGATE.test(name)) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return false;
    } else if (c >= 0xdc00 && c <= 0xdfff && c < 0xdc80) return false;
  }
  return true;
}

/** Name → bytes (the inverse of decodeName). */
export function encodeName(name: string): Buffer {
  if (!SURROGATE.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && name.charCodeAt(i - 1) >= 0xd800 && name.charCodeAt(i - 1) <= 0xdbff)) {
      parts.push(Buffer.from(run, 'utf8'), Buffer.from([c - 0xdc00]));
      run = '';
    } else run += name[i];
  }
  parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** What to hand to node:fs for this path: the string itself, or its bytes when it holds escapes. */
export function fsPath(p: string): string | Buffer {
  return SURROGATE.test(p) ? encodeName(p) : p;
}

/** A directory's entries as names: the fast string listing when all are UTF-8, else bytes decoded exactly. */
export function namesIn(directory: string): string[] {
  const names = readdirSync(fsPath(directory));
  if (!names.some((name) => name.includes('\uFFFD'))) return names;
  return readdirSync(fsPath(directory), { encoding: 'buffer' }).map(decodeName);
}

/** A name for people: control characters and undecodable bytes shown as \xNN, never raw. */
export function displayName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f\uDC80-\uDCFF]/gu, (c) => {
    const code = c.charCodeAt(0);
    return `\\x${(code >= 0xdc80 ? code - 0xdc00 : code).toString(16).padStart(2, '0')}`;
  });
}
