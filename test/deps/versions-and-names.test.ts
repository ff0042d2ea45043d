/** PEP 440 ordering and intervals, PEP 508 requirements, the name filter and the look-alike detector. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedInterval, compareVersionText, parseSpecifiers, pinnedVersion } from '../../src/deps/pep440.js';
import { normalizeName, parseRequirement } from '../../src/deps/requirement.js';
import { BloomFilter } from '../../src/deps/bloom-filter.js';
import { editDistance, squatTarget } from '../../src/deps/typosquat.js';
import { loadPypiData } from '../../src/deps/pypi-data.js';
import { exposures } from '../../src/deps/advisories.js';

test('PEP 440 versions sort as pip sorts them', () => {
  const ordered = ['1.0.dev0', '1.0a1', '1.0a2.dev1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0.post1', '1.0.1', '1.1', '2!0.1'];
  for (let i = 0; i + 1 < ordered.length; i++) assert.equal(compareVersionText(ordered[i]!, ordered[i + 1]!), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  assert.equal(compareVersionText('1.0', '1.0.0'), 0);
  assert.equal(compareVersionText('1.0-alpha-1', '1.0a1'), 0);
  assert.equal(compareVersionText('not a version', '1.0'), undefined);
});

test('specifier sets become the interval of versions they allow', () => {
  assert.equal(pinnedVersion(parseSpecifiers('==2.19.0')!), '2.19.0');
  assert.equal(pinnedVersion(parseSpecifiers('==2.*')!), undefined);
  const compatible = allowedInterval(parseSpecifiers('~=1.4.2')!)!;
  assert.equal(compareVersionText('1.4.2', '1.4.2'), 0);
  assert.deepEqual(compatible.upper!.version.release, [1, 5]);
  assert.equal(compatible.lower!.inclusive, true);
  const wildcard = allowedInterval(parseSpecifiers('==2.*')!)!;
  assert.deepEqual(wildcard.upper!.version.release, [3]);
  assert.equal(parseSpecifiers('>=1, banana'), undefined);
});

test('requirements parse with extras, markers and direct URLs; names normalise per PEP 503', () => {
  assert.equal(normalizeName('Python_Dateutil'), 'python-dateutil');
  assert.equal(normalizeName('zope.interface'), 'zope-interface');
  const r = parseRequirement('Requests[socks,security] >=2.8.1, <3 ; python_version >= "3.8"')!;
  assert.equal(r.normalized, 'requests');
  assert.deepEqual(r.extras, ['socks', 'security']);
  assert.equal(r.specifier, '>=2.8.1, <3');
  assert.equal(r.marker, 'python_version >= "3.8"');
  assert.equal(parseRequirement('pkg @ https://example.invalid/pkg-1.0.tar.gz')!.url, 'https://example.invalid/pkg-1.0.tar.gz');
  assert.equal(parseRequirement('name (>=1.0)')!.specifier, '>=1.0');
  assert.equal(parseRequirement('!!!'), undefined);
});

test('the name filter answers every added name and survives a round trip; a corrupt one is refused', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `package-${i}`);
  const filter = BloomFilter.load(BloomFilter.build(names, names.length, '2026-01').serialize());
  assert.ok(names.every((n) => filter.has(n)));
  const strangers = Array.from({ length: 5000 }, (_, i) => `stranger-${i}`).filter((n) => filter.has(n)).length;
  assert.ok(strangers < 50, `false positives ${strangers}/5000`);
  assert.equal(filter.date, '2026-01');
  assert.throws(() => BloomFilter.load(new Uint8Array([1, 2, 3])), /not a saferun name filter/);
  assert.throws(() => BloomFilter.load(BloomFilter.build(names, names.length, 'x').serialize().subarray(0, 100)), /truncated/);
});

test('the bundled PyPI data knows popular names and not invented ones', () => {
  const data = loadPypiData();
  for (const name of ['requests', 'numpy', 'django', 'boto3', 'python-dateutil']) {
    assert.ok(data.exists(name), name);
    assert.ok(data.rank(name)! < 1000, name);
  }
  assert.equal(data.exists('surely-nobody-registered-this-name-qzx'), false);
  assert.match(data.dates.pypiIndex, /^\d{4}-\d{2}$/);
});

test('look-alikes of popular names are caught by every kind of slip', () => {
  const data = loadPypiData();
  const isPopular = (n: string) => data.rank(n) !== undefined;
  const cases: [string, string][] = [
    ['reqeusts', 'requests'], // swap
    ['requets', 'requests'], // missing letter
    ['requestss', 'requests'], // doubled letter
    ['djnago', 'django'],
    ['colourama', 'colorama'], // inserted letter
    ['python-dateutils', 'python-dateutil'],
    ['scikitlearn', 'scikit-learn'], // separators
    ['crypt0graphy', 'cryptography'], // homoglyph
    ['py-requests', 'requests'], // affix
    ['urlib3', 'urllib3'],
    ['matplotib', 'matplotlib'],
  ];
  for (const [squat, target] of cases) assert.equal(squatTarget(squat, data.popular, isPopular)?.target, target, squat);
});

test('popular names, other major versions and rebrands are not look-alikes', () => {
  const data = loadPypiData();
  const isPopular = (n: string) => data.rank(n) !== undefined;
  for (const [name] of data.popular.slice(0, 3000)) assert.equal(squatTarget(name, data.popular, isPopular), undefined, name);
  for (const name of ['pyqt7', 'cblack', 'my-company-internal-tool', 'gouge']) assert.equal(squatTarget(name, data.popular, isPopular), undefined, name);
  assert.equal(editDistance('kitten', 'sitting', 5), 3);
  assert.equal(editDistance('ab', 'ba', 1), 1);
});

test('advisories: a pinned affected version and a range that allows only affected versions are exposed', () => {
  const { advisories } = loadPypiData();
  const pinned = exposures(advisories, 'requests', '==2.19.0');
  assert.ok(pinned.some((e) => e.advisory.aliases.includes('CVE-2018-18074') && e.fixedIn === '2.20.0' && e.how === 'pinned'));
  assert.ok(exposures(advisories, 'pyyaml', '<5.4').some((e) => e.how === 'range' && e.advisory.aliases.includes('CVE-2020-14343')));
  assert.deepEqual(exposures(advisories, 'pyyaml', '>=5.1'), [], 'pip can pick a fixed release');
  assert.deepEqual(exposures(advisories, 'requests', ''), []);
  assert.deepEqual(exposures(advisories, 'requests', '==2.32.3'), []);
});
