/**
 * Is a package name a look-alike of a popular one? Squatters register names one slip away from
 * what people mean to type or what a model suggests: a swapped, missing, doubled or wrong letter,
 * a changed separator, a homoglyph (0/o, 1/l, rn/m), or the popular name with a `python-`/`-py`
 * style affix. A name that is itself popular is never a squat.
 */

export interface SquatMatch {
  target: string;
  targetRank: number;
  how: string;
}

/** Only the most downloaded names are worth squatting; a wider net mostly catches honest names. */
const TARGET_RANK = 5000;
const AFFIXES: [string, string][] = [
  ['python-', ''],
  ['', '-python'],
  ['py-', ''],
  ['', '-py'],
  ['py', ''],
  ['', 'py'],
  ['python3-', ''],
  ['', '3'],
  ['', '-lib'],
  ['lib', ''],
];
const HOMOGLYPHS: [RegExp, string][] = [
  [/0/g, 'o'],
  [/1/g, 'l'],
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/1/g, 'i'],
  [/l/g, 'i'],
  [/i/g, 'l'],
];

/** Optimal-string-alignment distance, giving up once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prevPrev = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const current = new Array<number>(cols);
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, current[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, prevPrev[j - 2]! + 1);
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = current;
  }
  return prev[cols - 1]!;
}

export interface SquatOptions {
  /** Count `python-x`/`x-py` style names (on by default). */
  affixes?: boolean;
  /**
   * 'any' (default): any one-letter change counts. 'slips': a changed letter counts only when it is
   * a neighbouring key or a look-alike, and never two changes; for names that merely appear in code.
   */
  edits?: 'any' | 'slips';
}

/**
 * The popular names by the keys a look-alike can be found under, so a candidate costs a few map
 * lookups rather than a pass over thousands of names (a requirements file may list thousands).
 */
interface TargetIndex {
  rank: Map<string, number>;
  byCollapsed: Map<string, string[]>;
  /** every name with one character deleted → the names it came from */
  byDeletion: Map<string, string[]>;
}

const indexes = new WeakMap<readonly (readonly [string, number])[], TargetIndex>();

function deletions(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < name.length; i++) out.push(name.slice(0, i) + name.slice(i + 1));
  return out;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function targetIndex(popular: readonly (readonly [string, number])[]): TargetIndex {
  let index = indexes.get(popular);
  if (index) return index;
  index = { rank: new Map(), byCollapsed: new Map(), byDeletion: new Map() };
  for (const [target, rank] of popular) {
    if (rank > TARGET_RANK) continue;
    index.rank.set(target, rank);
    push(index.byCollapsed, target.replace(/-/g, ''), target);
    if (target.length >= 5) for (const d of new Set(deletions(target))) push(index.byDeletion, d, target);
  }
  indexes.set(popular, index);
  return index;
}

/** Every popular name that could be a look-alike target of `candidate` (a superset; checked after). */
function possibleTargets(candidate: string, glyphVariants: Set<string>, index: TargetIndex): string[] {
  const found = new Set<string>(index.byCollapsed.get(candidate.replace(/-/g, '')) ?? []);
  const named = (name: string) => {
    if (index.rank.has(name)) found.add(name);
  };
  for (const variant of glyphVariants) named(variant);
  for (const [before, after] of AFFIXES) {
    if (candidate.length > before.length + after.length && candidate.startsWith(before) && candidate.endsWith(after)) named(candidate.slice(before.length, candidate.length - after.length));
  }
  for (const target of index.byDeletion.get(candidate) ?? []) found.add(target);
  for (const d of deletions(candidate)) {
    named(d);
    for (const target of index.byDeletion.get(d) ?? []) found.add(target);
  }
  for (let i = 0; i + 1 < candidate.length; i++) named(candidate.slice(0, i) + candidate[i + 1] + candidate[i] + candidate.slice(i + 2));
  return [...found].sort((a, b) => index.rank.get(a)! - index.rank.get(b)!);
}

export function squatTarget(candidate: string, popular: readonly (readonly [string, number])[], isPopular: (name: string) => boolean, options: SquatOptions = {}): SquatMatch | undefined {
  if (isPopular(candidate) || candidate.length < 3) return undefined;
  const index = targetIndex(popular);
  const collapsed = candidate.replace(/-/g, '');
  const glyphVariants = new Set(HOMOGLYPHS.map(([from, to]) => candidate.replace(from, to)).filter((v) => v !== candidate));
  for (const target of possibleTargets(candidate, glyphVariants, index)) {
    const rank = index.rank.get(target)!;
    if (target.replace(/-/g, '') === collapsed) return { target, targetRank: rank, how: 'the same letters with other separators' };
    if (glyphVariants.has(target)) return { target, targetRank: rank, how: 'look-alike characters' };
    if (options.affixes !== false && target.length >= 4 && rank <= 2000 && AFFIXES.some(([before, after]) => candidate === `${before}${target}${after}`)) {
      return { target, targetRank: rank, how: 'the popular name with an affix added' };
    }
    if (target.length >= 5 && candidate.length >= 5) {
      if (editDistance(candidate, target, 1) <= 1 && !onlyVersionDigitDiffers(candidate, target) && !prefixedByOneLetter(candidate, target) && (target.length >= 6 || !isSubstitution(candidate, target)) && (options.edits !== 'slips' || isSlip(candidate, target))) {
        return { target, targetRank: rank, how: 'one letter changed, missing, added or swapped' };
      }
    }
  }
  return undefined;
}

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const LOOK_ALIKES = new Set(['0o', 'o0', '1l', 'l1', 'il', 'li', '1i', 'i1', 'uv', 'vu', 'mn', 'nm']);

function keyPosition(c: string): [number, number] | undefined {
  for (let row = 0; row < KEYBOARD_ROWS.length; row++) {
    const column = KEYBOARD_ROWS[row]!.indexOf(c);
    if (column >= 0) return [row, column];
  }
  return undefined;
}

/** An insertion, deletion or swap, or a substitution by a neighbouring key or a look-alike. */
function isSlip(candidate: string, target: string): boolean {
  if (candidate.length !== target.length) return true;
  const diffs: number[] = [];
  for (let i = 0; i < candidate.length; i++) if (candidate[i] !== target[i]) diffs.push(i);
  if (diffs.length !== 1) return true; // a swap of two neighbours
  const a = candidate[diffs[0]!]!;
  const b = target[diffs[0]!]!;
  if (LOOK_ALIKES.has(a + b)) return true;
  const pa = keyPosition(a);
  const pb = keyPosition(b);
  return pa !== undefined && pb !== undefined && Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1;
}

/** blask/flask, gouge/rouge: in a five-letter name one other letter is as often another word as a slip. */
function isSubstitution(candidate: string, target: string): boolean {
  if (candidate.length !== target.length) return false;
  let diffs = 0;
  for (let i = 0; i < candidate.length; i++) if (candidate[i] !== target[i]) diffs++;
  return diffs === 1;
}

/** cblack, ainvoke: a letter put before a whole popular name is how forks and rebrands are named. */
function prefixedByOneLetter(candidate: string, target: string): boolean {
  return candidate.length === target.length + 1 && candidate.slice(1) === target;
}

/** pyqt5 / pyqt6, boto2 / boto3: a different major-version digit is another project, not a slip. */
function onlyVersionDigitDiffers(a: string, b: string): boolean {
  const stem = (s: string) => s.replace(/\d+$/, '');
  return stem(a) === stem(b) && /\d$/.test(a) && /\d$/.test(b);
}
