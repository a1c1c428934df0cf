// npm run bench:plugin — the measurement plugin's overhead on the load generator.
//
// 1. Highest sustained request rate of one flow, with the plugin and without it, in one run:
//    each round offers far more arrivals per second than one generator can create, so Artillery
//    runs as fast as it can; the achieved rate is Artillery's own http.requests over its
//    first-to-last metric span. Rounds alternate (without, with, without, with, ...) so drift of
//    this shared machine hits both sides alike; the table compares medians as a ratio.
// 2. The hooks' own cost per request, called in-process (no network), for scale.
//
// Options: --rounds N (default 3)  --rate N arrivals offered per second (default 2000)  --seconds N (default 2)
// Target: with/without >= 0.90 (at most 10% fewer requests per second with the plugin).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runArtillery, startServer } from '../test/plugins/harness.ts';
import { createHooks } from '../plugins/rampart/hooks.ts';
import type { HookRequest } from '../plugins/rampart/hooks.ts';
import { Recorder } from '../plugins/rampart/recorder.ts';
import type { ArtilleryOutput } from '../src/results/types.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '2' },
  },
});
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (![rounds, rate, seconds].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('bench:plugin: --rounds, --rate and --seconds must be positive integers\n');
  process.exit(2);
}

const flow = (port: number, withPlugin: boolean): string => `
config:
  target: http://127.0.0.1:${port}
  phases:
    - duration: ${seconds}
      arrivalRate: ${rate}
${withPlugin ? '  plugins:\n    rampart: {}\n' : ''}scenarios:
  - name: analyst triage
    flow:
      - get:
          url: /api/v1/alerts?status=open
          name: GET /api/v1/alerts
      - get:
          url: /api/v1/alerts/{{ $randomNumber(1, 1000) }}
          name: GET /api/v1/alerts/:id
      - post:
          url: /api/v1/events
          name: POST /api/v1/events
          json: { type: login_failed, user: analyst }
`;

interface Round {
  variant: 'without' | 'with';
  requests: number;
  seconds: number;
  rps: number;
  cpuMsPer1000: number | null; // generator CPU (all threads, whole run incl. start-up) per 1000 requests
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function measureRound(root: string, port: number, variant: Round['variant'], index: number): Promise<Round> {
  const dir = join(root, `${variant}-${index}`);
  await mkdir(dir);
  const script = join(dir, 'flow.yml');
  await writeFile(script, flow(port, variant === 'with'));
  const result = await runArtillery(script, join(dir, 'artillery.json'), { RAMPART_BUNDLE_DIR: variant === 'with' ? dir : undefined }, 180_000);
  if (result.timedOut || result.code !== 0) throw new Error(`artillery ${variant} round ${index} failed (code ${result.code}): ${result.stderr.slice(-500)}`);
  const output = JSON.parse(await readFile(join(dir, 'artillery.json'), 'utf8')) as ArtilleryOutput;
  const { counters, firstMetricAt, lastMetricAt } = output.aggregate;
  const requests = counters['http.requests'] ?? 0;
  const seconds = ((lastMetricAt ?? 0) - (firstMetricAt ?? 0)) / 1000;
  if (variant === 'with' && !result.stderr.includes('rampart: ')) throw new Error('the plugin did not load in a "with" round');
  const cpuMsPer1000 = result.cpuSeconds === null || requests === 0 ? null : (result.cpuSeconds * 1000 * 1000) / requests;
  return { variant, requests, seconds, rps: seconds > 0 ? requests / seconds : 0, cpuMsPer1000 };
}

function hookCostNs(iterations: number): number {
  const recorder = new Recorder();
  const hooks = createHooks(recorder);
  const done = (): void => undefined;
  const res = { statusCode: 200 };
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const req: HookRequest = { name: i % 2 === 0 ? 'GET /api/v1/alerts/:id' : 'POST /api/v1/events', method: 'GET', url: 'http://127.0.0.1/x' };
    hooks.beforeRequest(req, null, null, done);
    hooks.afterResponse(req, res, null, null, done);
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  recorder.finish();
  return elapsed / iterations;
}

const server = await startServer();
const root = await mkdtemp(join(tmpdir(), 'rampart-bench-plugin-'));
try {
  const results: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const variant of i % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
      const round = await measureRound(root, server.port, variant, i);
      results.push(round);
      process.stderr.write(`round ${i + 1}/${rounds} ${variant.padEnd(7)} ${round.requests} requests in ${round.seconds.toFixed(1)} s = ${round.rps.toFixed(0)} req/s, ${round.cpuMsPer1000?.toFixed(0) ?? '?'} ms CPU per 1000 requests\n`);
    }
  }
  const rps = (variant: Round['variant']): number[] => results.filter((r) => r.variant === variant).map((r) => r.rps);
  const without = median(rps('without'));
  const withPlugin = median(rps('with'));
  // Each round runs both variants back to back, so their ratio cancels the machine's drift between
  // rounds; the headline is the median of these paired ratios.
  const paired = Array.from({ length: rounds }, (_, i) => {
    const inRound = results.slice(2 * i, 2 * i + 2);
    const w = inRound.find((r) => r.variant === 'with')!;
    const wo = inRound.find((r) => r.variant === 'without')!;
    return { rps: w.rps / wo.rps, cpu: w.cpuMsPer1000 !== null && wo.cpuMsPer1000 !== null ? w.cpuMsPer1000 / wo.cpuMsPer1000 : NaN };
  });
  const ratio = median(paired.map((p) => p.rps));
  const cpuRatio = median(paired.map((p) => p.cpu));
  const cpu = (variant: Round['variant']): number[] => results.filter((r) => r.variant === variant && r.cpuMsPer1000 !== null).map((r) => r.cpuMsPer1000 as number);
  const cpuWithout = cpu('without').length > 0 ? median(cpu('without')) : NaN;
  const cpuWith = cpu('with').length > 0 ? median(cpu('with')) : NaN;
  hookCostNs(50_000); // warm up
  const perRequestNs = hookCostNs(500_000);
  const lines = [
    `Measurement plugin overhead — ${rounds} alternating rounds per variant, ${rate} arrivals/s offered for ${seconds} s, 3 requests per arrival, local node:http server`,
    '',
    '| variant | req/s per round | median req/s |',
    '|---|---|---|',
    `| without plugin | ${rps('without').map((r) => r.toFixed(0)).join(', ')} | ${without.toFixed(0)} |`,
    `| with plugin | ${rps('with').map((r) => r.toFixed(0)).join(', ')} | ${withPlugin.toFixed(0)} |`,
    `| ratio with/without, paired per round | ${paired.map((p) => p.rps.toFixed(3)).join(', ')} | ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% overhead; target <= 10%: ${ratio >= 0.9 ? 'met' : 'NOT met'}) |`,
    '',
    '| variant | generator CPU ms per 1000 requests, per round | median |',
    '|---|---|---|',
    `| without plugin | ${cpu('without').map((c) => c.toFixed(0)).join(', ')} | ${cpuWithout.toFixed(0)} |`,
    `| with plugin | ${cpu('with').map((c) => c.toFixed(0)).join(', ')} | ${cpuWith.toFixed(0)} |`,
    `| ratio with/without, paired per round | ${paired.map((p) => p.cpu.toFixed(3)).join(', ')} | ${cpuRatio.toFixed(3)} (> 1 means the plugin costs CPU) |`,
    '',
    `Hook cost in-process (beforeRequest + afterResponse + histogram record): ${perRequestNs.toFixed(0)} ns per request`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}
