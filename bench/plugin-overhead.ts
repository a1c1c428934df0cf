// npm run bench:plugin — the measurement plugin's overhead on the load generator.
//
// Highest sustained request rate of one flow, with the plugin and without it, in one run. Each round
// offers far more arrivals per second than one generator can create, so Artillery sends as fast as
// it can (it stretches the phase rather than drop arrivals) and its rate is its ceiling:
//   - wall-clock rate: Artillery's http.requests over its first-to-last metric span;
//   - rate per CPU-second: the same requests over the CPU the Artillery process (all threads) used in
//     that span, sampled from /proc. A CPU-bound generator's ceiling is (CPU it gets) / (CPU per
//     request); on a shared machine the CPU it gets swings from round to round, so this is the
//     comparable figure, and the headline.
// Rounds alternate (without/with, with/without, ...) and each round's ratio pairs two neighbouring
// runs; the table shows the median of the paired ratios.
// Also: the hooks' own cost per request, called in-process.
//
// Options: --rounds N (default 5)  --rate N arrivals offered per second (default 2000)  --seconds N (default 2)
// Target: rate with/without >= 0.90 (at most 10% lower ceiling with the plugin).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuBetween, runArtillery, startServer } from '../test/plugins/harness.ts';
import { createHooks } from '../plugins/rampart/hooks.ts';
import type { HookRequest } from '../plugins/rampart/hooks.ts';
import { Recorder } from '../plugins/rampart/recorder.ts';
import type { ArtilleryOutput } from '../src/core/bundle/types.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
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

type Variant = 'without' | 'with';
interface Run {
  variant: Variant;
  requests: number;
  rps: number; // requests per wall-clock second
  rpcs: number; // requests per CPU-second
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function measure(root: string, port: number, variant: Variant, round: number): Promise<Run> {
  const dir = join(root, `${variant}-${round}`);
  await mkdir(dir);
  const script = join(dir, 'flow.yml');
  await writeFile(script, flow(port, variant === 'with'));
  const result = await runArtillery(script, join(dir, 'artillery.json'), { RAMPART_BUNDLE_DIR: variant === 'with' ? dir : undefined }, 180_000);
  if (result.timedOut || result.code !== 0) throw new Error(`artillery ${variant} round ${round} failed (code ${result.code}): ${result.stderr.slice(-500)}`);
  if (variant === 'with' && !existsSync(join(dir, 'histograms.json'))) throw new Error(`the plugin did not run in a "with" round: ${result.stderr.slice(-300)}`);
  const output = JSON.parse(await readFile(join(dir, 'artillery.json'), 'utf8')) as ArtilleryOutput;
  const { counters, firstMetricAt, lastMetricAt } = output.aggregate;
  const requests = counters['http.requests'] ?? 0;
  const from = firstMetricAt ?? 0;
  const to = lastMetricAt ?? 0;
  const cpu = cpuBetween(result.cpuSamples, from, to);
  if (cpu === null || cpu <= 0 || to <= from) throw new Error(`round ${round} ${variant}: no CPU samples over the load window`);
  return { variant, requests, rps: requests / ((to - from) / 1000), rpcs: requests / cpu };
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
  const pairs: { without: Run; with: Run }[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: Variant[] = round % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    const runs: Partial<Record<Variant, Run>> = {};
    for (const variant of order) {
      const run = await measure(root, server.port, variant, round);
      runs[variant] = run;
      process.stderr.write(`round ${round + 1}/${rounds} ${variant.padEnd(7)} ${run.requests} requests: ${run.rps.toFixed(0)} req/s, ${run.rpcs.toFixed(0)} req per CPU-second\n`);
    }
    const { without, with: withPlugin } = runs;
    if (without === undefined || withPlugin === undefined) throw new Error(`round ${round + 1} measured only one variant`);
    pairs.push({ without, with: withPlugin });
  }
  hookCostNs(50_000); // warm up
  const perRequestNs = hookCostNs(500_000);

  const row = (label: string, pick: (r: Run) => number, digits = 0): string[] => {
    const ratios = pairs.map((p) => pick(p.with) / pick(p.without));
    const ratio = median(ratios);
    return [
      `| ${label}, without plugin | ${pairs.map((p) => pick(p.without).toFixed(digits)).join(', ')} | ${median(pairs.map((p) => pick(p.without))).toFixed(digits)} |`,
      `| ${label}, with plugin | ${pairs.map((p) => pick(p.with).toFixed(digits)).join(', ')} | ${median(pairs.map((p) => pick(p.with))).toFixed(digits)} |`,
      `| ${label}, ratio with/without | ${ratios.map((r) => r.toFixed(3)).join(', ')} | **${ratio.toFixed(3)}** (${((1 - ratio) * 100).toFixed(1)}% overhead) |`,
    ];
  };
  const headline = median(pairs.map((p) => p.with.rpcs / p.without.rpcs));
  const lines = [
    `Measurement plugin overhead: ${rounds} alternating paired rounds, ${rate} arrivals/s offered for ${seconds} s (far beyond one generator), 3 requests per arrival, local node:http server`,
    '',
    '| figure | per round | median |',
    '|---|---|---|',
    ...row('requests per CPU-second', (r) => r.rpcs),
    ...row('requests per wall-clock second', (r) => r.rps),
    '',
    `Headline (requests per CPU-second, median paired ratio): ${headline.toFixed(3)}, ${((1 - headline) * 100).toFixed(1)}% overhead; target <= 10%: ${headline >= 0.9 ? 'met' : 'NOT met'}`,
    `Hook cost in-process (beforeRequest + afterResponse + histogram record): ${perRequestNs.toFixed(0)} ns per request`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}
