// npm run bench:fidelity — how close Rampart's latencies are to the truth, beside a bare client's
// and Artillery's own.
//
// A local node:http server (a child process, 127.0.0.1) with routes that sleep a known time,
// /sleep/<ms>, records its own truth: the service time of each request, from its 'request' event
// to the moment it writes the response, in µs. Every arrival does GET /sleep/5 then GET /sleep/20 on one keep-alive
// connection of its own (the first request opens it, the second reuses it), as an Artillery
// virtual user does. Three clients follow the same schedule (--rate arrivals/s for --seconds):
//   rampart    Artillery with the Rampart plugin: the plugin's histograms (µs), its generator delay
//   artillery  Artillery without the plugin: its own metrics-by-endpoint figures (whole ms)
//   bare       a bare node:http client in this process: http.get to the response's 'end', hrtime
// Each round runs every client once, in a rotating order (so drift and position cancel), and the
// table shows each figure's median over the rounds with its range. Also Artillery's own figures
// from the rampart rounds, to show that loading the plugin leaves them as they are.
//
// Options: --rounds N (3)  --seconds S (20)  --rate R (20)
// Targets: never below truth; p50 within +0.3 ms and p99 within +1 ms of the bare client on a
// quiet machine; a round whose generator added more is marked with its generator delay.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { runArtillery } from '../test/plugins/harness.ts';
import { readBundleFile } from '../src/core/bundle/read.ts';
import { readHistogramDocument } from '../src/core/bundle/histogram-read.ts';
import { latencyStats, mergeHistograms, newHistogram, recordMicros } from '../src/core/histogram.ts';
import type { Histogram } from '../src/core/histogram.ts';
import type { ArtilleryOutput } from '../src/core/bundle/types.ts';

const ROUTES = [5, 20] as const;
const name = (ms: number): string => `GET /sleep/${String(ms)}`;
type Figures = { min: number; p50: number; p90: number; p99: number };
type Row = Record<number, Figures>; // route -> figures, ms

function stats(histogram: Histogram): Figures {
  const s = latencyStats(histogram);
  return { min: s?.min ?? NaN, p50: s?.p50 ?? NaN, p90: s?.p90 ?? NaN, p99: s?.p99 ?? NaN };
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: unknown): void => {
      const value = (reply as Record<string, unknown>)[key];
      if (value === undefined) return;
      child.off('message', listener);
      resolve(value as T);
    };
    child.on('message', listener);
    if (message !== '') child.send(message);
  });
}

// ---- the clients ----------------------------------------------------------------------------
const flow = (port: number, seconds: number, rate: number, plugin: boolean): string => `config:
  target: http://127.0.0.1:${String(port)}
  phases:
    - duration: ${String(seconds)}
      arrivalRate: ${String(rate)}
${plugin ? '  plugins:\n    rampart: {}\n' : ''}scenarios:
  - flow:
${ROUTES.map((r) => `      - get:\n          url: /sleep/${String(r)}\n          name: ${name(r)}\n`).join('')}`;

interface Measured { own: Row; artillery: Row; delayMs?: number; trustworthy?: boolean }

async function artilleryRound(dir: string, port: number, seconds: number, rate: number, plugin: boolean): Promise<Measured> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'flow.yml'), flow(port, seconds, rate, plugin));
  const result = await runArtillery(join(dir, 'flow.yml'), join(dir, 'artillery.json'), { RAMPART_BUNDLE_DIR: plugin ? dir : undefined }, (seconds + 120) * 1000);
  if (result.timedOut || result.code !== 0) throw new Error(`artillery failed (code ${String(result.code)}): ${result.stderr.slice(-400)}`);
  const output = JSON.parse(await readFile(join(dir, 'artillery.json'), 'utf8')) as ArtilleryOutput;
  const artillery: Row = {};
  for (const route of ROUTES) {
    const key = Object.keys(output.aggregate.summaries).find((k) => k.startsWith('plugins.metrics-by-endpoint.response_time.') && k.endsWith(`(${name(route)})`));
    const s = key === undefined ? undefined : output.aggregate.summaries[key];
    artillery[route] = { min: s?.min ?? NaN, p50: s?.median ?? NaN, p90: s?.p90 ?? NaN, p99: s?.p99 ?? NaN };
  }
  if (!plugin) return { own: artillery, artillery };
  const histograms = await readHistogramDocument(join(dir, 'histograms.json'));
  const own: Row = {};
  for (const route of ROUTES) own[route] = stats(mergeHistograms((histograms.endpoints[name(route)] ?? []).map((p) => p.histogram)));
  const generator = await readBundleFile(join(dir, 'generator.json'), 'generator');
  return { own, artillery, delayMs: generator.trust.generatorDelayMs, trustworthy: generator.trust.trustworthy };
}

function timedGet(agent: Agent, port: number, path: string, into: Histogram): Promise<void> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        recordMicros(into, Number(process.hrtime.bigint() - start) / 1000);
        resolve();
      });
    }).on('error', () => { resolve(); });
  });
}

/** The bare client: one arrival every 1/rate s, each on its own keep-alive connection. */
async function bareRound(port: number, seconds: number, rate: number): Promise<Measured> {
  const histograms = new Map<number, Histogram>(ROUTES.map((r) => [r, newHistogram()]));
  const users: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < seconds * rate; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    users.push((async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (const route of ROUTES) await timedGet(agent, port, `/sleep/${String(route)}`, histograms.get(route) as Histogram);
      agent.destroy();
    })());
  }
  await Promise.all(users);
  const own: Row = {};
  for (const route of ROUTES) own[route] = stats(histograms.get(route) as Histogram);
  return { own, artillery: own };
}

// ---- the table ------------------------------------------------------------------------------
const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const cell = (xs: number[], digits = 2): string => {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return 'n/a';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return `${median(finite).toFixed(digits)}${finite.length > 1 ? ` (${lo.toFixed(digits)}..${hi.toFixed(digits)})` : ''}`;
};

type Variant = 'rampart' | 'bare' | 'artillery';
interface Round { variant: Variant; measured: Measured; truth: Row; load: number }

function table(rounds: Round[]): string[] {
  const of = (variant: Variant): Round[] => rounds.filter((r) => r.variant === variant);
  const lines = ['| route | figure | server truth | bare node:http | Rampart | Rampart − bare | Rampart − truth | Artillery, plugin loaded | Artillery, no plugin |', '|---|---|---|---|---|---|---|---|---|'];
  for (const route of ROUTES) {
    for (const figure of ['min', 'p50', 'p90', 'p99'] as const) {
      const pick = (rs: Round[], source: 'own' | 'artillery' | 'truth'): number[] => rs.map((r) => (source === 'truth' ? r.truth : r.measured[source])[route][figure]);
      const rampart = of('rampart');
      const bare = of('bare');
      const paired = rampart.map((r, i) => r.measured.own[route][figure] - (bare[i]?.measured.own[route][figure] ?? NaN));
      const overTruth = rampart.map((r) => r.measured.own[route][figure] - r.truth[route][figure]);
      lines.push(`| ${name(route)} | ${figure} | ${cell(pick(rounds, 'truth'))} | ${cell(pick(bare, 'own'))} | ${cell(pick(rampart, 'own'))} | ${cell(paired)} | ${cell(overTruth)} | ${cell(pick(rampart, 'artillery'), 0)} | ${cell(pick(of('artillery'), 'artillery'), 0)} |`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '20' } } });
  const [roundCount, seconds, rate] = [Number(values.rounds), Number(values.seconds), Number(values.rate)];
  if (![roundCount, seconds, rate].every((n) => Number.isInteger(n) && n > 0)) {
    process.stderr.write('bench:fidelity: --rounds, --seconds and --rate must be positive integers\n');
    process.exit(2);
  }
  const server = fork(import.meta.filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const root = await mkdtemp(join(tmpdir(), 'rampart-bench-fidelity-'));
  try {
    const port = await ask<number>(server, '', 'port');
    const rounds: Round[] = [];
    const order: Variant[] = ['rampart', 'bare', 'artillery'];
    for (let round = 0; round < roundCount; round++) {
      for (let k = 0; k < order.length; k++) {
        const variant = order[(round + k) % order.length];
        const load = loadavg()[0];
        const measured = variant === 'bare' ? await bareRound(port, seconds, rate) : await artilleryRound(join(root, `${variant}-${String(round)}`), port, seconds, rate, variant === 'rampart');
        const truth = await ask<Row>(server, 'truth', 'truth');
        rounds.push({ variant, measured, truth, load });
        const delay = measured.delayMs === undefined ? '' : `, generator delay ${measured.delayMs.toFixed(2)} ms at p99${measured.trustworthy === false ? ' (untrustworthy)' : ''}`;
        process.stderr.write(`round ${String(round + 1)}/${String(roundCount)} ${variant.padEnd(9)} load ${load.toFixed(2)}: p50 ${ROUTES.map((r) => `${name(r)} ${measured.own[r].p50.toFixed(2)}`).join(', ')} ms${delay}\n`);
      }
    }
    const loads = rounds.map((r) => r.load);
    const rampartRounds = rounds.filter((r) => r.variant === 'rampart');
    const bareRounds = rounds.filter((r) => r.variant === 'bare');
    const below = rampartRounds.flatMap((r, i) => ROUTES.flatMap((route) => (['min', 'p50', 'p90', 'p99'] as const)
      .filter((f) => r.measured.own[route][f] < r.truth[route][f])
      .map((f) => `round ${String(i + 1)} ${name(route)} ${f} ${r.measured.own[route][f].toFixed(2)} < ${r.truth[route][f].toFixed(2)}`)));
    const overBare = (f: 'p50' | 'p99', route: number): number => median(rampartRounds.map((r, i) => r.measured.own[route][f] - (bareRounds[i]?.measured.own[route][f] ?? NaN)));
    const targets = ROUTES.map((route) => `${name(route)}: p50 ${overBare('p50', route) >= 0 ? '+' : ''}${overBare('p50', route).toFixed(2)} ms (target <= +0.3), p99 ${overBare('p99', route) >= 0 ? '+' : ''}${overBare('p99', route).toFixed(2)} ms (target <= +1)`);
    const marked = rounds.filter((r) => r.variant === 'rampart' && (r.measured.delayMs ?? 0) > 1);
    const lines = [
      `Measurement fidelity: ${String(roundCount)} rounds of rampart, bare and artillery (rotating order), ${String(rate)} arrivals/s for ${String(seconds)} s, each arrival GET /sleep/5 (new connection) then GET /sleep/20 (reused); ms, median over rounds (range)`,
      `load average (1 min) at the rounds' starts: ${Math.min(...loads).toFixed(2)}..${Math.max(...loads).toFixed(2)}`,
      '',
      ...table(rounds),
      '',
      `Rampart rounds' generator delay (p99 of the worker's event-loop delay, ms): ${rounds.filter((r) => r.variant === 'rampart').map((r) => `${(r.measured.delayMs ?? NaN).toFixed(2)}${r.measured.trustworthy === false ? ' untrustworthy' : ''}`).join(', ')}`,
      marked.length === 0 ? 'No Rampart round had a generator delay above 1 ms.' : `Marked: ${String(marked.length)} Rampart round(s) whose generator added more than 1 ms at p99 (their figures carry that error bar).`,
      `Below the server's truth (paired by round): ${below.length === 0 ? 'never' : below.join('; ')}`,
      `Rampart − bare, median over rounds: ${targets.join('; ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    server.send('stop');
    await rm(root, { recursive: true, force: true });
  }
}

// ---- the server (child process) -------------------------------------------------------------
function serve(): void {
  const truth = new Map<number, Histogram>(ROUTES.map((r) => [r, newHistogram()]));
  const server = createServer((req, res) => {
    const start = process.hrtime.bigint();
    const ms = Number(/^\/sleep\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    req.resume();
    setTimeout(() => {
      // the truth ends as the response is handed to the socket: stamped after it, it would take in
      // any time this process was not scheduled after writing, which the client never waits for
      const histogram = truth.get(ms);
      if (histogram !== undefined) recordMicros(histogram, Number(process.hrtime.bigint() - start) / 1000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }, ms);
  });
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (message) => {
    if (message === 'truth') {
      process.send?.({ truth: Object.fromEntries([...truth].map(([route, h]) => [route, stats(h)])) });
      for (const h of truth.values()) h.reset();
    } else if (message === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

if (process.argv.includes('--serve')) serve();
else await main();
