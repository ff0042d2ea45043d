import type { CallSite } from '../engine/call-site.js';
import type { ModuleModel } from '../engine/module-model.js';
import { callRule, callsTo, isTruthyConstant, type CallVerdict } from './rule.js';

const HOOKS = /^(pynput\.keyboard\.Listener|pynput\.mouse\.Listener|keyboard\.(on_press|on_release|hook|record|add_hotkey|read_key)|pyxhook\.HookManager|win32api\.GetAsyncKeyState|ctypes\.windll\.user32\.(GetAsyncKeyState|SetWindowsHookExA|SetWindowsHookExW)|pyperclip\.(paste|copy)|win32clipboard\.(GetClipboardData|SetClipboardData)|tkinter\.Tk\(\)\.clipboard_get|PIL\.ImageGrab\.grab|pyautogui\.screenshot|mss\.mss)$/;

/** Opening the camera or the microphone. */
const RECORDERS = /^(cv2\.VideoCapture|sounddevice\.(rec|InputStream|RawInputStream)|pyaudio\.PyAudio\(\)\.open|speech_recognition\.Microphone|pygame\.camera\.Camera|imageio\.get_reader)$/;
/** Calls that send data off the machine. */
const SENDS = /^(requests\.\w+|urllib\.request\.(urlopen|Request)|http\.client\.HTTPS?Connection|smtplib\.SMTP(_SSL)?|socket\.(socket|create_connection)|httpx\.\w+|aiohttp\.ClientSession|ftplib\.FTP(_TLS)?|paramiko\.SFTPClient\.\w+)$/;

const CLIPBOARD_WRITE = /^(pyperclip\.copy|win32clipboard\.SetClipboardData)$/;
/** Wallet addresses, or the patterns that match them (bc1…, 1…/3… base58, 0x + 40 hex, Monero 4…). */
const WALLET = /\b(bc1[a-z0-9]{20,}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})\b|\(bc1\||\[13\]\[a-|0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}/;

export const keyloggerClipboard = callRule(
  {
    id: 'keylogger-clipboard',
    title: 'Records keystrokes, reads or replaces the clipboard, captures the screen, camera or microphone',
    severity: 'high',
    confidence: 'medium',
    category: 'spyware',
    cwe: 'CWE-200',
    explanation: 'Global keyboard hooks, clipboard access (crypto-wallet address swapping), screen grabs and camera or microphone recording are what keyloggers, clippers, stealers and spyware are made of. Recording alone is medium; recording in a program that also sends data away is high.',
    advice: 'Run it only if recording input is its declared purpose, and never with network access.',
  },
  (name) => HOOKS.test(name) || RECORDERS.test(name),
  (call, { model }) => {
    if (RECORDERS.test(call.name!)) return recording(call, model);
    if (!call.name!.startsWith('pyperclip') && !call.name!.includes('lipboard')) return `${call.name}(): keyboard hook or screen capture`;
    // a clipper swaps a copied wallet address for the attacker's: it writes the clipboard and knows what addresses look like
    if (CLIPBOARD_WRITE.test(call.name!) && model.stringTexts.some((text) => WALLET.test(text))) return `${call.name}() replaces the clipboard in a program that looks for cryptocurrency wallet addresses (a clipper)`;
    return { message: `${call.name}(): clipboard access`, severity: 'medium' };
  },
);

/** Camera or microphone: a device index (not a video file), and whether the program also sends data away. */
function recording(call: CallSite, model: ModuleModel): CallVerdict {
  const first = call.args[0];
  if (call.name === 'cv2.VideoCapture' || call.name === 'imageio.get_reader') {
    const device = first === undefined || first.type === 'integer' || /^<video\d+>$/.test(model.fold(first)?.value ?? '');
    if (!device) return undefined; // a video file or stream
  }
  if (call.name === 'pyaudio.PyAudio().open' && !isTruthyConstant(call.keywords.get('input'))) return undefined; // playback
  const device = /VideoCapture|camera|get_reader/i.test(call.name!) ? 'the camera' : 'the microphone';
  const sender = callsTo(model, (name) => SENDS.test(name))[0];
  if (sender) return { message: `${call.name}() records ${device} in a program that also sends data away (${sender.name}())`, severity: 'high' };
  return { message: `${call.name}() records ${device}`, severity: 'medium' };
}
