// npm run bench:sampler — the platform sampler's own cost (src/sample), in the process that runs it.
//
// Starts the reference platform, then samples it (platform process, its /metrics, PostgreSQL's
// process tree and one connection, the machine, this process as the "generator") every
// --interval ms for --seconds, with nothing else running in this process, and prints: samples
// taken, CPU per sample (this process's user+system CPU over the sampling window / samples), the
// share of one core that is at the default 2 s interval, and the wall time of stop() (closing
// pg_stat_statements snapshot, EXPLAIN of the top statements, the two files written).
// Options: --seconds N (default 20)  --interval MS (default 500)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../src/core/paths.ts';
import { startPlatform } from '../src/run/platform.ts';
import { DEFAULT_INTERVAL_MS, ownPlatformTargets, startSampler } from '../src/sample/index.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, interval: { type: 'string', default: '500' } } });
const seconds = Number(values.seconds);
const intervalMs = Number(values.interval);
if (!(seconds > 0) || !(intervalMs >= 100)) {
  process.stderr.write('--seconds must be > 0 and --interval >= 100 (ms)\n');
  process.exit(2);
}

const work = await mkdtemp(join(tmpdir(), 'rampart-bench-sampler-'));
const platform = await startPlatform({ root: REPO_ROOT, logFile: join(work, 'platform.log') });
try {
  const targets = await ownPlatformTargets(platform);
  const cpu0 = process.cpuUsage();
  const sampler = await startSampler({ ...targets, bundleDir: work, intervalMs });
  sampler.setGeneratorPid(process.pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const sampling = process.cpuUsage(cpu0);
  const stopAt = Date.now();
  const { resources, statements } = await sampler.stop();
  const stopMs = Date.now() - stopAt;
  const n = resources.samples.length;
  const perSampleMs = (sampling.user + sampling.system) / 1000 / Math.max(1, n);
  const rows: [string, string][] = [
    ['samples', String(n)],
    ['CPU per sample (ms), whole window / samples', perSampleMs.toFixed(2)],
    ['CPU per sample (ms), the sampler\'s own figure', String(resources.sampler?.cpuMsPerSample ?? '–')],
    [`share of one core at ${DEFAULT_INTERVAL_MS} ms`, `${((100 * perSampleMs) / DEFAULT_INTERVAL_MS).toFixed(2)} %`],
    ['stop() wall time (ms)', String(stopMs)],
    ['statements in the delta / explained', `${statements?.statements.length ?? 0} / ${statements?.plans.filter((p) => p.plan !== null).length ?? 0}`],
    ['missing', resources.missing.length === 0 ? 'none' : resources.missing.join('; ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
} finally {
  await platform.stop();
  await rm(work, { recursive: true, force: true });
}
