import { CREDENTIAL_PATH } from '../engine/module-model.js';
import { callsTo, partialPath, type Rule } from './rule.js';

/** Calls that read or take away a file's content. */
const READERS = /^(builtins\.open|io\.open|codecs\.open|os\.open|shutil\.(copy|copy2|copyfile|copytree|make_archive)|glob\.glob|os\.listdir|os\.walk|zipfile\.ZipFile\(\)\.write|tarfile\.open\(\)\.add|pathlib\.Path\(\)\.(read_text|read_bytes|open)|sqlite3\.connect)$/;
/** Calls that only name a path. */
const BUILDERS = /^(os\.path\.(expanduser|join|exists|isfile)|pathlib\.Path(\(\)\.(home|joinpath|expanduser))?|pathlib\.Path\.home\(\)\.joinpath)$/;
/** Public or non-secret files in those places. */
const NOT_SECRET = /known_hosts|\.ssh[\\/]config$|\.aws[\\/](config|models|sso[\\/]cache|cli[\\/]cache)|\.kube[\\/]cache|\.docker[\\/](config\.json)?$/i;

/** Prompts that imitate the system's own password prompts (sudo, macOS, Windows, keychains). */
const FAKE_SYSTEM_PROMPT = /\[sudo\]|\bsudo\b[^\n]{0,20}password|(system|root|admin(istrator)?|mac(os)?|windows|keychain) password|wants to make changes/i;
const PROMPTS = /^(getpass\.getpass|builtins\.input|input|tkinter\.simpledialog\.askstring|simpledialog\.askstring|easygui\.(passwordbox|enterbox|multpasswordbox)|PySimpleGUI\.(popup_get_text|PopupGetText)|pymsgbox\.(password|prompt)|pyautogui\.(password|prompt))$/;
/** Libraries that hand over browsers' cookies and saved passwords, and Windows' decryption of them. */
const BROWSER_SECRETS = /^(browser_cookie3\.\w+|rookiepy\.\w+|pycookiecheat\.(chrome_cookies|firefox_cookies)|win32crypt\.CryptUnprotectData|ctypes\.windll\.crypt32\.CryptUnprotectData)$/;

export const credentialAccess: Rule = {
  meta: {
    id: 'credential-access',
    title: 'Reads credential or browser files (~/.ssh, ~/.aws, browser profiles, keyrings)',
    severity: 'high',
    confidence: 'medium',
    category: 'credential-theft',
    cwe: 'CWE-522',
    explanation: 'The program touches files that hold secrets: SSH keys, cloud credentials, browser cookie and password stores, wallets, token files, shell history, /etc/shadow. Few programs need them; stealers always do. A prompt that imitates a system password prompt ([sudo] password for …) is phishing for the password.',
    advice: 'Do not run it with access to your home directory. If it really needs a credential, pass that one value explicitly (-e) instead.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => BROWSER_SECRETS.test(name))) {
      report(call.node, `${call.name}() takes the browser's cookies or decrypts its saved passwords (logged-in sessions, passwords)`);
    }
    for (const call of callsTo(model, (name) => PROMPTS.test(name))) {
      // "[sudo] password for %s: " % user: the constant part is enough
      // a dialog's title and text both speak to the user: "macOS" / "Enter your password"
      const parts = [...call.args, ...call.keywords.values()].filter((n) => n !== undefined);
      const prompt = parts.length > 0 ? parts.map((part) => model.fold(part)?.value ?? part.text).join(' ') : undefined;
      if (prompt && FAKE_SYSTEM_PROMPT.test(prompt)) report(call.node, `${call.name}(${JSON.stringify(prompt.slice(0, 60))}) imitates a system password prompt (phishing for your password)`);
    }
    const seen = new Set<number>();
    for (const call of model.calls) {
      if (!call.name || !(READERS.test(call.name) || BUILDERS.test(call.name))) continue;
      const reads = READERS.test(call.name);
      for (const arg of call.args) {
        const path = partialPath(model, arg);
        if (path === undefined || !CREDENTIAL_PATH.test(path) || NOT_SECRET.test(path) || seen.has(call.node.startIndex)) continue;
        seen.add(call.node.startIndex);
        // Tool configuration files (.pypirc, .netrc, .npmrc, .env) are read by legitimate tools too.
        const toolConfig = !/\.(ssh|aws|gnupg|kube)|id_(rsa|dsa|ecdsa|ed25519)|Login Data|Cookies|logins\.json|key[34]\.db|wallet|Local Storage|google-chrome|chromium|BraveSoftware|discord|shadow|master\.passwd|history$|keystore|\.bitcoin|\.monero|nkbihfbeogaeaoehlefnkodbefgpgknn/i.test(path);
        const severity = toolConfig || !reads ? 'medium' : 'high';
        // packaging and network tools read their own .pypirc/.netrc/.npmrc: alone, that is a guess
        report(call.node, `${call.name}() ${reads ? 'reads' : 'names'} ${JSON.stringify(path.slice(0, 80))}`, { severity, ...(toolConfig ? { confidence: 'low' as const } : {}) });
      }
    }
  },
};
