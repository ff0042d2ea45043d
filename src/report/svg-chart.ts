/**
 * A small inline SVG line chart: series over the run's time, an optional limit line, and vertical
 * markers (alerts, the network cut) with their text as a tooltip. Pure; every text is escaped.
 */
import { escapeHtml } from './html-escape.js';

export interface ChartSeries {
  name: string;
  color: string;
  /** [ms since start, value] */
  points: readonly (readonly [number, number])[];
}

export interface ChartMarker {
  atMs: number;
  label: string;
  kind: 'alert' | 'cut';
}

export interface ChartSpec {
  id: string;
  title: string;
  series: ChartSeries[];
  limit?: { value: number; label: string };
  markers: ChartMarker[];
  /** The time axis runs from 0 to this (the run's length). */
  durationMs: number;
  formatValue: (value: number) => string;
}

const WIDTH = 720;
const HEIGHT = 190;
const PAD = { left: 64, right: 12, top: 26, bottom: 24 };

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

export function lineChart(spec: ChartSpec): string {
  const values = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const top = Math.max(1, ...values, spec.limit?.value ?? 0) * 1.05;
  const span = Math.max(1, spec.durationMs, ...spec.series.flatMap((s) => s.points.map((p) => p[0])));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (ms: number): number => PAD.left + (ms / span) * plotW;
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;
  const f = (n: number): string => n.toFixed(1);
  const parts: string[] = [];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`);
  for (const fraction of [0, 0.5, 1]) {
    const value = (top / 1.05) * fraction;
    parts.push(`<text x="${PAD.left - 6}" y="${f(y(value) + 4)}" text-anchor="end" class="axis">${escapeHtml(spec.formatValue(value))}</text>`);
  }
  parts.push(`<text x="${PAD.left}" y="${HEIGHT - 6}" class="axis">0s</text>`);
  parts.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end" class="axis">${seconds(span)}</text>`);
  if (spec.limit && spec.limit.value > 0) {
    const ly = f(y(spec.limit.value));
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ly}" y2="${ly}" stroke="#c00" stroke-dasharray="6 4" class="limit"/>`);
    parts.push(`<text x="${WIDTH - PAD.right - 4}" y="${f(y(spec.limit.value) - 4)}" text-anchor="end" class="axis limit-label">${escapeHtml(spec.limit.label)}</text>`);
  }
  for (const series of spec.series) {
    if (series.points.length === 0) continue;
    const d = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p[0]))},${f(y(p[1]))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${escapeHtml(series.color)}" stroke-width="1.6" class="series"><title>${escapeHtml(series.name)}</title></path>`);
  }
  for (const marker of spec.markers) {
    const mx = f(x(Math.min(marker.atMs, span)));
    const color = marker.kind === 'cut' ? '#c00' : '#e08000';
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${color}" stroke-width="2" class="marker marker-${marker.kind}"><title>${escapeHtml(`${seconds(marker.atMs)} ${marker.label}`)}</title></line>`,
    );
  }
  const legend = spec.series.map((s, i) => `<text x="${PAD.left + 8 + i * 150}" y="16" fill="${escapeHtml(s.color)}" class="legend">■ ${escapeHtml(s.name)}</text>`).join('');
  const empty = values.length === 0 ? `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" class="axis">no samples</text>` : '';
  return `<svg class="chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(spec.title)}</title>${legend}${parts.join('')}${empty}</svg>`;
}
