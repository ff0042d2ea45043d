/**
 * Maintainer tool: rebuilds the dependency check's bundled data in src/deps/data/.
 *
 *   node dist/src/deps/build-data.js --pypi LIST.tsv --advisories ADVISORY-DB-CHECKOUT
 *
 * --pypi: a tab-separated list of every PyPI project with a header line
 *   `name  version  month  rank_among_15000_most_downloaded  summary`; gives pypi-names.bloom
 *   (every name) and pypi-popular.tsv (the ranked names).
 * --advisories: a checkout of the PyPA advisory database (OSV YAML under vulns/); gives
 *   pypi-advisories.json. Withdrawn advisories are left out.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BloomFilter } from './bloom-filter.js';
import { normalizeName } from './requirement.js';
import { packageRoot } from '../util/package-info.js';
import type { Advisory, AdvisoryData } from './advisories.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const dataDir = path.join(packageRoot(), 'src', 'deps', 'data');

function buildPypi(listFile: string): void {
  const rows = readFileSync(listFile, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split('\t'));
  const names = new Set<string>();
  const ranked: [string, number][] = [];
  let newest = '';
  for (const [name, , month, rank] of rows) {
    if (!name) continue;
    const normalized = normalizeName(name);
    names.add(normalized);
    if (rank) ranked.push([normalized, Number(rank)]);
    if (month && month > newest) newest = month;
  }
  const filter = BloomFilter.build(names, names.size, newest);
  writeFileSync(path.join(dataDir, 'pypi-names.bloom'), filter.serialize());
  ranked.sort((a, b) => a[1] - b[1]);
  writeFileSync(path.join(dataDir, 'pypi-popular.tsv'), `# PyPI's most downloaded projects, normalised name and rank; listed ${newest}\n${ranked.map(([n, r]) => `${n}\t${r}`).join('\n')}\n`);
  console.log(`pypi: ${names.size} names (filter ${filter.serialize().byteLength} bytes), ${ranked.length} ranked, newest release ${newest}`);
}

interface OsvRange {
  type?: string;
  events?: { introduced?: string; fixed?: string; last_affected?: string }[];
}

interface OsvRecord {
  id?: string;
  summary?: string;
  details?: string;
  aliases?: string[];
  withdrawn?: string;
  modified?: string;
  affected?: { package?: { name?: string; ecosystem?: string }; ranges?: OsvRange[]; versions?: string[] }[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ya?ml|json)$/.test(entry)) out.push(full);
  }
  return out;
}

function buildAdvisories(checkout: string): void {
  const data: AdvisoryData = { source: 'PyPA advisory database (CC-BY-4.0)', date: '', packages: {} };
  let count = 0;
  for (const file of walk(path.join(checkout, 'vulns'))) {
    const record = parseYaml(readFileSync(file, 'utf8')) as OsvRecord;
    if (!record?.id || record.withdrawn) continue;
    if (record.modified && record.modified.slice(0, 10) > data.date) data.date = record.modified.slice(0, 10);
    const summary = oneLine(record.summary ?? record.details ?? '');
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem !== 'PyPI' || !affected.package.name) continue;
      const ranges: Advisory['ranges'] = [];
      for (const range of affected.ranges ?? []) {
        if (range.type !== 'ECOSYSTEM') continue;
        let introduced = '0';
        for (const event of range.events ?? []) {
          if (event.introduced !== undefined) introduced = event.introduced;
          else if (event.fixed !== undefined) ranges.push([introduced, event.fixed, null]);
          else if (event.last_affected !== undefined) ranges.push([introduced, null, event.last_affected]);
        }
        if ((range.events ?? []).at(-1)?.introduced !== undefined) ranges.push([introduced, null, null]);
      }
      const advisory: Advisory = { id: record.id, aliases: (record.aliases ?? []).filter((a) => a.startsWith('CVE-') || a.startsWith('GHSA-')), summary, ranges };
      if (ranges.length === 0 && affected.versions?.length) advisory.versions = affected.versions;
      if (ranges.length === 0 && !advisory.versions) continue;
      (data.packages[normalizeName(affected.package.name)] ??= []).push(advisory);
      count++;
    }
  }
  writeFileSync(path.join(dataDir, 'pypi-advisories.json'), `${JSON.stringify(data)}\n`);
  console.log(`advisories: ${count} for ${Object.keys(data.packages).length} packages, newest ${data.date}`);
}

/** The sentence that says what is wrong: descriptions often open with what the project is. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentences = flat.split(/(?<=[.!?])\s+(?=[A-Z`])/);
  const telling = sentences.find((s) => /vulnerab|attack|allow|could|may |inject|bypass|denial|crash|leak|expos|before|prior to|arbitrary|overflow|travers|disclos|XSS|CSRF|forg|execut|spoof|improper|incorrect|missing/i.test(s));
  const sentence = telling ?? sentences[0] ?? '';
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

const pypi = argument('--pypi');
const advisories = argument('--advisories');
if (!pypi && !advisories) {
  console.error('usage: build-data --pypi LIST.tsv --advisories ADVISORY-DB-CHECKOUT (either or both)');
  process.exitCode = 2;
}
if (pypi) buildPypi(pypi);
if (advisories) buildAdvisories(advisories);
