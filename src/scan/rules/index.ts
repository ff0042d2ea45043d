/** Every rule. One file per rule; each has a fixture in test/fixtures/rules/<id>.py. */
import { antiAnalysis } from './anti-analysis.js';
import { codeQuality } from './code-quality.js';
import { containerEscape } from './container-escape.js';
import { credentialAccess } from './credential-access.js';
import { cryptoMiner } from './crypto-miner.js';
import { destructiveFileOps } from './destructive-file-ops.js';
import { hardcodedSecret } from './hardcoded-secret.js';
import { insecureTransport } from './insecure-transport.js';
import { evasiveCall } from './evasive-call.js';
import { hiddenEndpoint } from './hidden-endpoint.js';
import { importTimeProcess } from './import-time-process.js';
import { keyloggerClipboard } from './keylogger-clipboard.js';
import { maliciousCommand } from './malicious-command.js';
import { nativeCode } from './native-code.js';
import { networkExposure } from './network-exposure.js';
import { obfuscation } from './obfuscation.js';
import { persistence } from './persistence.js';
import { sqlInjection } from './sql-injection.js';
import { unsafeFileHandling } from './unsafe-file-handling.js';
import { weakCrypto } from './weak-crypto.js';
import { xmlParsing } from './xml-parsing.js';
import { downloadExec } from './download-exec.js';
import { dropper } from './dropper.js';
import { encodedPayloadExec } from './encoded-payload-exec.js';
import { execEval } from './exec-eval.js';
import { exfiltration } from './exfiltration.js';
import { osCommand } from './os-command.js';
import { rawSocketConnect } from './raw-socket-connect.js';
import { reverseShell } from './reverse-shell.js';
import type { Rule } from './rule.js';
import { scannerSuppression } from './scanner-suppression.js';
import { setupInstallHook } from './setup-install-hook.js';
import { subprocessShell } from './subprocess-shell.js';
import { unsafeDeserialization } from './unsafe-deserialization.js';
import { webhookExfiltration } from './webhook-exfiltration.js';

export const RULES: readonly Rule[] = [
  encodedPayloadExec,
  downloadExec,
  dropper,
  maliciousCommand,
  reverseShell,
  credentialAccess,
  exfiltration,
  webhookExfiltration,
  hiddenEndpoint,
  evasiveCall,
  setupInstallHook,
  importTimeProcess,
  persistence,
  containerEscape,
  destructiveFileOps,
  cryptoMiner,
  keyloggerClipboard,
  antiAnalysis,
  obfuscation,
  nativeCode,
  execEval,
  osCommand,
  subprocessShell,
  unsafeDeserialization,
  rawSocketConnect,
  scannerSuppression,
  insecureTransport,
  networkExposure,
  unsafeFileHandling,
  sqlInjection,
  xmlParsing,
  weakCrypto,
  hardcodedSecret,
  codeQuality,
];

export type { Rule, RuleMeta } from './rule.js';
