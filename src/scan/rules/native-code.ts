import { callRule } from './rule.js';

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
    const text = call.args.map((a) => context.model.fold(a)?.value ?? '').join(' ');
    // libc.mprotect(...), kernel32.VirtualAlloc(...): the symbol is the call's own name
    const symbol = /^ctypes\.(CDLL\(\)|WinDLL\(\)|(windll|oledll|cdll)\.\w+)\.(\w+)$/.exec(call.name!)?.[3];
    if (symbol && DANGEROUS_SYMBOLS.test(symbol)) return { message: `${call.name}(): native ${symbol}, the way shellcode is made runnable or processes are started behind Python's back`, severity: 'high' };
    if (DANGEROUS_SYMBOLS.test(text)) return { message: `${call.name}() with ${JSON.stringify(text.slice(0, 40) || call.name)}: raw native execution`, severity: 'high' };
    if (call.name === 'mmap.mmap') return /PROT_EXEC|prot\s*=\s*7/.test(call.node.text) ? { message: 'mmap.mmap() with executable memory', severity: 'high' } : undefined;
    return `${call.name}(): native library call`;
  },
);
