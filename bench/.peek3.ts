import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHistogram } from '../src/results/aggregate.ts';
const dir = process.argv[2];
const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows: [string, Record<string, number[]>][] = [];
for (const name of readdirSync(dir).filter((n) => /^r\d/.test(n)).sort((a, b) => a.slice(3).localeCompare(b.slice(3)) || a.localeCompare(b))) {
  try {
    const h = JSON.parse(readFileSync(join(dir, name, 'histograms.json'), 'utf8'));
    const out: Record<string, number[]> = {};
    for (const [key, periods] of Object.entries(h.endpoints as Record<string, { histogram: string }[]>)) {
      const stats = periods.map((p) => decodeHistogram(p.histogram)).filter((x) => x.totalCount >= 10).map((x) => [x.minNonZeroValue, x.getValueAtPercentile(10), x.getValueAtPercentile(25), x.getValueAtPercentile(50)]);
      out[key] = [0, 1, 2, 3].map((i) => med(stats.map((s) => s[i])) / 1000);
    }
    rows.push([name, out]);
  } catch { }
}
for (const [i, label] of ['min', 'p10', 'p25', 'p50'].entries()) {
  console.log('==', label);
  for (const [name, out] of rows) {
    const a = out['GET /api/v1/alerts'][i], d = out['GET /api/v1/dashboard/summary'][i], e = out['GET /api/v1/events'][i];
    console.log(name.padEnd(12), 'alerts', a.toFixed(2), 'dash', d.toFixed(2), 'events', e.toFixed(2), ' a/d', (a / d).toFixed(3), 'a/e', (a / e).toFixed(3));
  }
}
