/** Every rule. One file per rule; each has a fixture in test/fixtures/rules/<id>.py. */
import { credentialAccess } from './credential-access.js';
import { downloadExec } from './download-exec.js';
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
  reverseShell,
  credentialAccess,
  exfiltration,
  webhookExfiltration,
  setupInstallHook,
  execEval,
  osCommand,
  subprocessShell,
  unsafeDeserialization,
  rawSocketConnect,
  scannerSuppression,
];

export type { Rule, RuleMeta } from './rule.js';
