/**
 * Known vulnerabilities: which advisories a requirement cannot avoid. A pinned version is checked
 * exactly; a range is reported only when every version it allows is affected (e.g. `django<2`),
 * because pip would otherwise pick a fixed release.
 */
import { allowedInterval, compareVersions, parseSpecifiers, parseVersion, pinnedVersion, type Bound, type Version } from './pep440.js';

export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  /** [introduced, fixed | null, lastAffected | null]; both null means every version since introduced. */
  ranges: [string, string | null, string | null][];
  /** Explicit affected versions, kept only when the advisory has no version ranges. */
  versions?: string[];
}

export interface AdvisoryData {
  source: string;
  date: string;
  packages: Record<string, Advisory[]>;
}

export interface Exposure {
  advisory: Advisory;
  /** The release that fixes it, when one is known. */
  fixedIn?: string;
  /** 'pinned': the one version allowed is affected; 'range': every version allowed is. */
  how: 'pinned' | 'range';
}

function affects(advisory: Advisory, version: Version, text: string): boolean {
  if (advisory.versions?.includes(text)) return true;
  return advisory.ranges.some(([introduced, fixed, lastAffected]) => {
    const from = parseVersion(introduced);
    if (from && compareVersions(version, from) < 0) return false;
    if (fixed !== null) {
      const to = parseVersion(fixed);
      return to !== undefined && compareVersions(version, to) < 0;
    }
    if (lastAffected !== null) {
      const to = parseVersion(lastAffected);
      return to !== undefined && compareVersions(version, to) <= 0;
    }
    return true;
  });
}

/** True when every version in [lower, upper] lies in one affected range. */
function coversInterval(advisory: Advisory, lower: Bound | undefined, upper: Bound): boolean {
  return advisory.ranges.some(([introduced, fixed, lastAffected]) => {
    const from = introduced === '0' ? undefined : parseVersion(introduced);
    if (from && (!lower || compareVersions(lower.version, from) < 0)) return false;
    if (fixed !== null) {
      const to = parseVersion(fixed);
      if (!to) return false;
      const c = compareVersions(upper.version, to);
      return c < 0 || (c === 0 && !upper.inclusive);
    }
    if (lastAffected !== null) {
      const to = parseVersion(lastAffected);
      return to !== undefined && compareVersions(upper.version, to) <= 0;
    }
    return true;
  });
}

function fixOf(advisory: Advisory, version: Version | undefined): string | undefined {
  const fixes = advisory.ranges.map((r) => r[1]).filter((f): f is string => f !== null);
  if (!version) return fixes[0];
  return fixes.map((f) => ({ f, v: parseVersion(f) })).filter((x) => x.v && compareVersions(x.v, version) > 0).sort((a, b) => compareVersions(a.v!, b.v!))[0]?.f ?? fixes[0];
}

/** The advisories that `specifier` (PEP 440) cannot escape for package `normalized`. */
export function exposures(data: AdvisoryData, normalized: string, specifier: string): Exposure[] {
  const advisories = data.packages[normalized];
  if (!advisories || specifier.trim() === '') return [];
  const specifiers = parseSpecifiers(specifier);
  if (!specifiers) return [];
  const pinned = pinnedVersion(specifiers);
  if (pinned !== undefined) {
    const version = parseVersion(pinned);
    if (!version) return [];
    return advisories.filter((a) => affects(a, version, pinned)).map((advisory) => withFix({ advisory, how: 'pinned' }, fixOf(advisory, version)));
  }
  const interval = allowedInterval(specifiers);
  if (!interval?.upper) return [];
  const { lower, upper } = interval;
  return advisories.filter((a) => coversInterval(a, lower, upper)).map((advisory) => withFix({ advisory, how: 'range' }, fixOf(advisory, upper.version)));
}

function withFix(exposure: Exposure, fixedIn: string | undefined): Exposure {
  return fixedIn === undefined ? exposure : { ...exposure, fixedIn };
}
