import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../engine/module-model.js';
import { callRule } from './rule.js';

const ADDRESS_SOURCES = /mmap|VirtualAlloc|addressof|c_void_p|c_char_p|cast|from_buffer|memmove/;

/**
 * The argument of CFUNCTYPE(...)(x) is memory, not a Python function: it was made by mmap,
 * VirtualAlloc, addressof, a cast or a pointer type, or the pointer is called on the spot.
 */
function isRawAddress(model: ModuleModel, pointer: Node): boolean {
  const argument = pointer.childForFieldName('arguments')?.namedChildren[0];
  if (!argument) return false;
  if (argument.type === 'integer' || argument.type === 'call') return argument.type === 'integer' || ADDRESS_SOURCES.test(argument.text);
  if (argument.type !== 'identifier') return false;
  const values = model.assignedValues(argument.text, argument);
  if (values.some((v) => v.type === 'call' && ADDRESS_SOURCES.test(v.childForFieldName('function')?.text ?? ''))) return true;
  const invoked = pointer.parent?.type === 'call' && pointer.parent.childForFieldName('function')?.id === pointer.id;
  return invoked && !values.some((v) => v.type === 'lambda' || v.type === 'function_definition');
}

const NATIVE = /^(ctypes\.(CDLL|cdll\.LoadLibrary|PyDLL|CFUNCTYPE|memmove|(windll|oledll|cdll)\.\w+(\.\w+)?|WinDLL)|ctypes\.util\.find_library|ctypes\.(CDLL|WinDLL)\(\)\.\w+|cffi\.FFI\(\)\.(dlopen|cdef)|_ctypes\.dlopen|mmap\.mmap)$/;
const DANGEROUS_SYMBOLS = /\b(system|execve|execl|popen|mprotect|ptrace|setuid|dlopen|memfd_create|VirtualAlloc(Ex)?|VirtualProtect(Ex)?|CreateRemoteThread(Ex)?|WriteProcessMemory|NtCreateThreadEx|RtlCreateUserThread|QueueUserAPC|SetThreadContext|NtUnmapViewOfSection)\b/;

export const nativeCode = callRule(
  {
    id: 'native-code',
    title: 'Native calls through ctypes or cffi (libc, kernel32, memory mapping)',
    severity: 'medium',
    confidence: 'medium',
    category: 'code-execution',
    cwe: 'CWE-676',
    explanation: 'ctypes and cffi call C functions directly: system(), execve, mprotect, VirtualAlloc and friends bypass everything a Python-level review looks at, and are how shellcode gets run.',
    advice: 'Check which library and which functions it loads. Running raw memory (mmap + ctypes) is never needed by ordinary code.',
  },
  (name) => NATIVE.test(name),
  (call, context) => {
    const { model } = context;
    const text = call.args.map((a) => model.fold(a)?.value ?? '').join(' ');
    // CFUNCTYPE(...)(address)(): a function pointer made from raw memory and called — running machine code
    // (CFUNCTYPE(...)(python_function) is an ordinary C callback and does not count)
    const pointer = call.name === 'ctypes.CFUNCTYPE' ? call.node.parent : null;
    if (pointer?.type === 'call' && pointer.childForFieldName('function')?.id === call.node.id && isRawAddress(model, pointer)) {
      return { message: 'ctypes.CFUNCTYPE(...)(address): calls raw memory as a function, the way shellcode is run', severity: 'high' };
    }
    // memmove into memory of bytes fetched from the network: downloaded machine code
    if (call.name === 'ctypes.memmove' && call.args[1] && model.tags(call.args[1]).has('downloaded')) {
      return { message: 'ctypes.memmove() of bytes fetched from the network into raw memory: downloaded machine code', severity: 'critical', confidence: 'high' };
    }
    // libc.mprotect(...), kernel32.VirtualAlloc(...): the symbol is the call's own name
    const symbol = /^ctypes\.(CDLL\(\)|WinDLL\(\)|(windll|oledll|cdll)\.\w+)\.(\w+)$/.exec(call.name!)?.[3];
    if (symbol === 'mmap' && /^(7|.*PROT_EXEC.*)$/.test(call.args[2]?.text ?? '')) return { message: `${call.name}(): executable memory mapped by hand, the way shellcode is made runnable`, severity: 'high' };
    if (symbol && DANGEROUS_SYMBOLS.test(symbol)) return { message: `${call.name}(): native ${symbol}, the way shellcode is made runnable or processes are started behind Python's back`, severity: 'high' };
    if (DANGEROUS_SYMBOLS.test(text)) return { message: `${call.name}() with ${JSON.stringify(text.slice(0, 40) || call.name)}: raw native execution`, severity: 'high' };
    if (call.name === 'mmap.mmap') return /PROT_EXEC|prot\s*=\s*7/.test(call.node.text) ? { message: 'mmap.mmap() with executable memory', severity: 'high' } : undefined;
    return `${call.name}(): native library call`;
  },
);
