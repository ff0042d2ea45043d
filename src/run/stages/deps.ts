/**
 * Stage 2: the dependencies of what will run — the manifests beside the program, its PEP 723
 * metadata and its imports — checked with the same code as `saferun deps`. A program with nothing
 * to check costs a directory listing: the parsers and the PyPI data load only when needed.
 */
import path from 'node:path';
import type { DependencySettings } from '../../config/profile.js';
import { hasDependenciesToCheck } from '../../deps/quick-look.js';
import type { DependencyReport } from '../../deps/types.js';

export interface DepsStageInput {
  files: string[];
  settings: DependencySettings;
}

export interface DepsStageOutput {
  report: DependencyReport | undefined;
  durationMs: number;
}

export async function depsStage(input: DepsStageInput): Promise<DepsStageOutput> {
  const t0 = performance.now();
  if (!input.settings.check || input.files.length === 0) return { report: undefined, durationMs: 0 };
  const directories = [...new Set(input.files.map((f) => path.dirname(f)))];
  if (!hasDependenciesToCheck(directories, input.files)) return { report: undefined, durationMs: Math.round(performance.now() - t0) };
  const [{ collectDeclared }, { checkDependencies }] = await Promise.all([import('../../deps/collect-declared.js'), import('../../deps/check-dependencies.js')]);
  const declared = collectDeclared([...directories, ...input.files], { manifestsOnly: true });
  if (declared.dependencies.length === 0 && declared.sources.length === 0 && declared.licenses.every((l) => l.own)) {
    return { report: undefined, durationMs: Math.round(performance.now() - t0) };
  }
  const report = checkDependencies(declared, { trustedIndexes: input.settings.trustedIndexes, deniedLicenses: input.settings.deniedLicenses });
  return { report, durationMs: Math.round(performance.now() - t0) };
}
