/**
 * PEP 440 versions and specifiers, as far as a dependency check needs them: parse, compare, and
 * the interval of versions a specifier set allows. Pure.
 */

export interface Version {
  epoch: number;
  release: number[];
  /** ['a'|'b'|'rc', n] */
  pre?: [string, number];
  post?: number;
  dev?: number;
  local?: string;
}

const VERSION_PATTERN =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_NAMES: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', preview: 'rc', pre: 'rc', c: 'rc', rc: 'rc' };

export function parseVersion(text: string): Version | undefined {
  const m = VERSION_PATTERN.exec(text);
  if (!m) return undefined;
  const version: Version = { epoch: m[1] ? Number(m[1]) : 0, release: m[2]!.split('.').map(Number) };
  if (m[3]) version.pre = [PRE_NAMES[m[3].toLowerCase()]!, m[4] ? Number(m[4]) : 0];
  if (m[5] !== undefined) version.post = Number(m[5]);
  else if (m[6]) version.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) version.dev = m[9] ? Number(m[9]) : 0;
  if (m[10]) version.local = m[10].toLowerCase();
  return version;
}

function compareReleases(a: number[], b: number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const PRE_ORDER = ['a', 'b', 'rc'];

/** Sort key of the pre-release part: a dev release of a final version sorts before its pre-releases. */
function preKey(v: Version): [number, number] {
  if (v.pre) return [PRE_ORDER.indexOf(v.pre[0]), v.pre[1]];
  if (v.dev !== undefined && v.post === undefined) return [-1, 0];
  return [3, 0];
}

export function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const release = compareReleases(a.release, b.release);
  if (release !== 0) return release;
  const [ap, an] = preKey(a);
  const [bp, bn] = preKey(b);
  if (ap !== bp) return Math.sign(ap - bp);
  if (an !== bn) return Math.sign(an - bn);
  const post = (a.post ?? -1) - (b.post ?? -1);
  if (post !== 0) return Math.sign(post);
  const ad = a.dev ?? Number.POSITIVE_INFINITY;
  const bd = b.dev ?? Number.POSITIVE_INFINITY;
  if (ad !== bd) return ad < bd ? -1 : 1;
  return (a.local ?? '').localeCompare(b.local ?? '');
}

export function compareVersionText(a: string, b: string): number | undefined {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  return va && vb ? compareVersions(va, vb) : undefined;
}

export interface Specifier {
  op: '==' | '!=' | '<=' | '>=' | '<' | '>' | '~=' | '===';
  version: string;
}

const SPECIFIER_PATTERN = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([^\s,;]+)\s*$/;

/** `>=1.0, <2` → specifiers; undefined when any clause is not a specifier. */
export function parseSpecifiers(text: string): Specifier[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out: Specifier[] = [];
  for (const clause of trimmed.split(',')) {
    const m = SPECIFIER_PATTERN.exec(clause);
    if (!m) return undefined;
    out.push({ op: m[1] as Specifier['op'], version: m[2]! });
  }
  return out;
}

/** The one version a specifier set pins (`==1.2.3`, `===1.2.3`), if it pins one. */
export function pinnedVersion(specifiers: readonly Specifier[]): string | undefined {
  const pin = specifiers.find((s) => (s.op === '==' || s.op === '===') && !s.version.endsWith('.*'));
  return pin?.version;
}

export interface Bound {
  version: Version;
  inclusive: boolean;
}

/** The smallest interval holding every version the specifiers allow; `!=` is ignored (it only narrows). */
export function allowedInterval(specifiers: readonly Specifier[]): { lower?: Bound; upper?: Bound } | undefined {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  const raise = (b: Bound) => {
    if (!lower || compareVersions(b.version, lower.version) > 0 || (compareVersions(b.version, lower.version) === 0 && !b.inclusive)) lower = b;
  };
  const drop = (b: Bound) => {
    if (!upper || compareVersions(b.version, upper.version) < 0 || (compareVersions(b.version, upper.version) === 0 && !b.inclusive)) upper = b;
  };
  for (const spec of specifiers) {
    if (spec.op === '!=') continue;
    const wildcard = spec.version.endsWith('.*');
    const version = parseVersion(wildcard ? spec.version.slice(0, -2) : spec.version);
    if (!version) return undefined;
    if ((spec.op === '==' || spec.op === '===') && wildcard) {
      raise({ version, inclusive: true });
      drop({ version: bumped(version, version.release.length - 1), inclusive: false });
    } else if (spec.op === '==' || spec.op === '===') {
      raise({ version, inclusive: true });
      drop({ version, inclusive: true });
    } else if (spec.op === '>=') raise({ version, inclusive: true });
    else if (spec.op === '>') raise({ version, inclusive: false });
    else if (spec.op === '<=') drop({ version, inclusive: true });
    else if (spec.op === '<') drop({ version, inclusive: false });
    else if (spec.op === '~=') {
      raise({ version, inclusive: true });
      drop({ version: bumped(version, Math.max(0, version.release.length - 2)), inclusive: false });
    }
  }
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

/** 1.4.2 bumped at index 1 → 1.5 (the first version past the prefix). */
function bumped(version: Version, index: number): Version {
  const release = version.release.slice(0, index + 1);
  release[index] = (release[index] ?? 0) + 1;
  return { epoch: version.epoch, release, dev: 0 };
}
