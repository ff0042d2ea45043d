import { callRule } from './rule.js';

const HOOKS = /^(pynput\.keyboard\.Listener|pynput\.mouse\.Listener|keyboard\.(on_press|on_release|hook|record|add_hotkey|read_key)|pyxhook\.HookManager|win32api\.GetAsyncKeyState|ctypes\.windll\.user32\.(GetAsyncKeyState|SetWindowsHookExA|SetWindowsHookExW)|pyperclip\.(paste|copy)|win32clipboard\.(GetClipboardData|SetClipboardData)|tkinter\.Tk\(\)\.clipboard_get|PIL\.ImageGrab\.grab|pyautogui\.screenshot|mss\.mss)$/;

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
  (call) => (call.name!.startsWith('pyperclip') || call.name!.includes('lipboard') ? { message: `${call.name}(): clipboard access`, severity: 'medium' } : `${call.name}(): keyboard hook or screen capture`),
);
