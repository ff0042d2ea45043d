/** What the run report says of each distribution installed for a program. */
import type { Finding, RiskLevel } from '../findings/finding.js';

export interface PackageReport {
  name: string;
  version: string;
  /** The file downloaded (a wheel or sdist name). */
  file: string;
  sha256: string;
  riskLevel: RiskLevel;
  findings: Finding[];
}
