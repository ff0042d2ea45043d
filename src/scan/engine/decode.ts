/**
 * Bytes → text the way CPython reads a source file: a UTF-8 BOM, else a PEP 263 coding cookie on
 * line 1 or 2, else UTF-8. An unknown encoding is reported, and the file is read as latin-1 so the
 * scan still sees every byte.
 */
export interface DecodedSource {
  text: string;
  encoding: string;
  problem?: string;
}

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

export function decodePythonSource(bytes: Uint8Array): DecodedSource {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-sig' };
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).split('\n', 2);
  let declared: string | undefined;
  for (const line of head) {
    const match = COOKIE.exec(line);
    if (match) {
      declared = match[1]!.toLowerCase();
      break;
    }
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break; // the cookie must come before any code
  }
  const label = declared === undefined ? 'utf-8' : normaliseLabel(declared);
  // CPython reads UTF-7 sources; TextDecoder does not know it (and code hidden in +…- runs blocks is an evasion)
  if (label === 'utf-7') return { text: decodeUtf7(new TextDecoder('latin1').decode(bytes)), encoding: 'utf-7' };
  try {
    return { text: new TextDecoder(label, { fatal: false }).decode(bytes), encoding: declared ?? 'utf-8' };
  } catch {
    return { text: new TextDecoder('latin1').decode(bytes), encoding: 'latin-1', problem: `unknown source encoding '${declared}'` };
  }
}

function normaliseLabel(name: string): string {
  const n = name.replace(/_/g, '-');
  if (/^(utf-?7|u7|unicode-1-1-utf-7|csunicode11utf7)$/.test(n)) return 'utf-7';
  if (/^(utf-?8)(-.*)?$/.test(n)) return 'utf-8';
  if (/^(latin-?1|iso-?8859-?1|l1)(-.*)?$/.test(n)) return 'latin1';
  return n;
}

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** RFC 2152: "+" opens a run of modified base64 (UTF-16 code units, no padding) that ends at the first other character; "+-" is "+". */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (whole, run: string) => {
    if (run === '') return whole.endsWith('-') ? '+' : whole;
    let bits = 0;
    let value = 0;
    let out = '';
    for (const c of run) {
      value = (value << 6) | BASE64_CHARS.indexOf(c);
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        out += String.fromCharCode((value >> bits) & 0xffff);
      }
      value &= (1 << bits) - 1;
    }
    return out;
  });
}
