/** What the user asked `saferun run` to do, after parsing and validating flags. */
import type { NetworkMode } from '../config/profile.js';
import type { AllowRule } from '../network/allow-rules.js';

export type RunTarget = { kind: 'script'; path: string } | { kind: 'module'; name: string } | { kind: 'code'; code: string };

export interface LimitOverrides {
  memoryBytes?: number;
  nanoCpus?: number;
  pids?: number;
  timeoutMs?: number;
  outputBytes?: number;
}

export interface RunRequest {
  target: RunTarget;
  args: string[];
  profile: string;
  limits: LimitOverrides;
  network?: NetworkMode;
  /** --allow-host: hosts the program may reach in allowlist mode, for this run. */
  allowHosts: AllowRule[];
  /** --runtime NAME (runc, runsc, auto, or any runtime the engine lists). */
  runtime?: string;
  outputDir?: string;
  env: Record<string, string>;
  image?: string;
  reportFile?: string;
  json: boolean;
  quiet: boolean;
  /** The live status line on a terminal (--no-live turns it off). */
  live: boolean;
  yes: boolean;
  dryRun: boolean;
  snapshot: boolean;
  cwd: string;
  /** --requirements FILE: what to install instead of what is found beside the script. */
  requirementsFile?: string;
  /** --with SPEC (repeatable): extra requirements. */
  withSpecs: string[];
  /** --index-url URL: where packages come from. */
  indexUrl?: string;
  /** --only-binary: wheels only, never build an sdist. */
  onlyBinary?: boolean;
}
