import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../src/results/bundle.ts';
import { analyzeEndpoints } from '../src/results/aggregate.ts';
const dir = process.argv[2];
for (const name of readdirSync(dir).filter((n) => /^r\d/.test(n)).sort()) {
  try {
    const b = await loadBundle(join(dir, name));
    for (const a of analyzeEndpoints(b)) {
      const p = a.periods.filter((x) => x.responses >= 10).map((x) => x.latencyMs!.p50).sort((x, y) => x - y);
      console.log(name.padEnd(14), a.summary.endpoint.padEnd(30), 'periods', p.length, 'median p50', p[Math.floor(p.length / 2)]?.toFixed(2), 'range', p[0]?.toFixed(2), p[p.length - 1]?.toFixed(2));
    }
  } catch (e) { console.log(name, 'not ready'); }
}
