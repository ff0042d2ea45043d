import { callRule } from './rule.js';

const HOOKS = /^(pynput\.keyboard\.Listener|pynput\.mouse\.Listener|keyboard\.(on_press|on_release|hook|record|add_hotkey|read_key)|pyxhook\.HookManager|win32api\.GetAsyncKeyState|ctypes\.windll\.user32\.(GetAsyncKeyState|SetWindowsHookExA|SetWindowsHookExW)|pyperclip\.(paste|copy)|win32clipboard\.(GetClipboardData|SetClipboardData)|tkinter\.Tk\(\)\.clipboard_get|PIL\.ImageGrab\.grab|pyautogui\.screenshot|mss\.mss)$/;

const CLIPBOARD_WRITE = /^(pyperclip\.copy|win32clipboard\.SetClipboardData)$/;
/** Wallet addresses, or the patterns that match them (bc1…, 1…/3… base58, 0x + 40 hex, Monero 4…). */
const WALLET = /\b(bc1[a-z0-9]{20,}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})\b|\(bc1\||\[13\]\[a-|0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}/;

export const keyloggerClipboard = callRule(
  {
    id: 'keylogger-clipboard',
    title: 'Records keystrokes, reads or replaces the clipboard, or captures the screen',
    severity: 'high',
    confidence: 'medium',
    category: 'spyware',
    cwe: 'CWE-200',
    explanation: 'Global keyboard hooks, clipboard access (crypto-wallet address swapping) and screen grabs are what keyloggers, clippers and stealers are made of.',
    advice: 'Run it only if recording input is its declared purpose, and never with network access.',
  },
  (name) => HOOKS.test(name),
  (call, { model }) => {
    if (!call.name!.startsWith('pyperclip') && !call.name!.includes('lipboard')) return `${call.name}(): keyboard hook or screen capture`;
    // a clipper swaps a copied wallet address for the attacker's: it writes the clipboard and knows what addresses look like
    if (CLIPBOARD_WRITE.test(call.name!) && model.stringTexts.some((text) => WALLET.test(text))) return `${call.name}() replaces the clipboard in a program that looks for cryptocurrency wallet addresses (a clipper)`;
    return { message: `${call.name}(): clipboard access`, severity: 'medium' };
  },
);
