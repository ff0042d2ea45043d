/** Identifier spelling: NFKC like CPython, so `ｅｖａｌ` is `eval`. */
export function normaliseIdentifier(name: string): string {
  return ASCII.test(name) ? name : name.normalize('NFKC'); // ASCII is already NFKC: skip the work
}

const ASCII = /^[\x00-\x7f]*$/;

/** The builtins a bare name can mean when nothing else binds it. */
export const BUILTIN_NAMES = new Set([
  'eval', 'exec', 'compile', '__import__', 'open', 'getattr', 'setattr', 'globals', 'locals', 'vars', 'input',
  'chr', 'ord', 'map', 'bytes', 'bytearray', 'str', 'breakpoint', 'memoryview', 'print', 'type', 'object',
]);
