/** What the dependency check reads from a project and what it reports. */
import type { Finding, RiskLevel, SkippedFile } from '../findings/finding.js';

/** Where a dependency was found. */
export type DependencyOrigin = 'requirements' | 'pyproject' | 'setup.py' | 'setup.cfg' | 'pipfile' | 'lock' | 'environment' | 'metadata' | 'inline-script' | 'import';

export interface Dependency {
  /** The name as written. */
  name: string;
  /** PEP 503 normalised name. */
  normalized: string;
  /** Version specifier as written ('' for none). */
  specifier: string;
  /** A direct reference: `name @ URL`, a VCS URL, an archive URL or a local path. */
  url?: string;
  origin: DependencyOrigin;
  file: string;
  line: number;
  /** Set by the check: where the name comes from and what is known of it. */
  popularityRank?: number;
  onPypi?: boolean;
  license?: string;
}

/** Where packages are fetched from, other than PyPI's default index. */
export interface PackageSource {
  kind: 'index-url' | 'extra-index-url' | 'find-links' | 'trusted-host' | 'no-verify-ssl';
  value: string;
  /** An index consulted only for the packages pinned to it (Poetry `priority = "explicit"`, uv `explicit = true`). */
  pinned?: boolean;
  file: string;
  line: number;
}

/** A licence declared by the project itself or by a distribution installed inside the tree. */
export interface DeclaredLicense {
  /** The distribution's normalised name, or the project's own name. */
  name: string;
  license: string;
  file: string;
  line: number;
  own: boolean;
}

export interface DeclaredDependencies {
  dependencies: Dependency[];
  sources: PackageSource[];
  licenses: DeclaredLicense[];
  /** Manifests that could not be read or parsed, with why. */
  problems: SkippedFile[];
  /** Manifest files read. */
  manifests: string[];
}

export interface DependencyReport {
  version: 1;
  riskLevel: RiskLevel;
  manifests: string[];
  dependencies: Dependency[];
  sources: PackageSource[];
  findings: Finding[];
  skipped: SkippedFile[];
  /** The dates of the bundled data the verdicts rest on. */
  data: { pypiIndex: string; advisories: string };
}
