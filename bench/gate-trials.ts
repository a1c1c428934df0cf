// bench:gate's trials: windows of a recorded A/B stream judged by the gate, tallied with Wilson
// intervals. See bench/gate-accuracy.ts for how the stream is recorded.
import type { BaselineRun } from '../src/gate/baseline.ts';
import { seriesOf } from '../src/gate/baseline.ts';
import { compareWithBaseline } from '../src/gate/evaluate.ts';
import { adjustedSeries, referenceLevels } from '../src/gate/drift.ts';
import { blockBootstrapLogMedian } from '../src/stats/bootstrap.ts';
import type { SloConfig } from '../src/gate/slo.ts';
import { trialsToTell, wilsonInterval } from '../src/stats/proportion.ts';

export const INJECTED = ['GET /api/v1/alerts', 'GET /api/v1/incidents'];
export const ENDPOINTS = [...INJECTED, 'GET /api/v1/dashboard/summary', 'GET /api/v1/events', 'GET /api/v1/indicators', 'GET /api/v1/auth/me'];

export type Side = 'clean' | 'slow';
export interface MeasuredRun { side: Side; seq: number; run: BaselineRun; trusted: boolean; reasons: string[] }

interface Trial { kind: 'A/A' | 'A/B'; base: MeasuredRun[]; head: MeasuredRun[]; disjoint: boolean }

/**
 * The trials of one stream (ordered by seq), each with `pairs` runs a side (the pull-request job's
 * AB_PAIRS). A/B: every window clean, slow, clean, slow, ... of 2 x pairs consecutive runs, the slow
 * runs as head. A/A: every 2 x pairs consecutive runs of one build, alternately base and head (the
 * 2nd, 4th, ... as head). Windows start every 2 runs of their kind, so neighbouring windows overlap;
 * `disjoint` marks a subset of windows that share no run (those are independent trials, up to the
 * machine's slow drift).
 */
function trialsOf(stream: MeasuredRun[], pairs: number): Trial[] {
  const trials: Trial[] = [];
  const size = 2 * pairs;
  const split = (w: MeasuredRun[]): { base: MeasuredRun[]; head: MeasuredRun[] } => ({ base: w.filter((_, i) => i % 2 === 0), head: w.filter((_, i) => i % 2 === 1) });
  const runs = [...stream].sort((a, b) => a.seq - b.seq);
  for (let i = 0, taken = 0; i + size <= runs.length; i++) {
    const w = runs.slice(i, i + size);
    const alternating = w.every((r, k) => r.side === (k % 2 === 0 ? 'clean' : 'slow'));
    if (!alternating || w.some((r) => !r.trusted) || w[size - 1].seq - w[0].seq !== size - 1) continue;
    trials.push({ kind: 'A/B', ...split(w), disjoint: taken++ % pairs === 0 });
  }
  for (const side of ['clean', 'slow'] as const) {
    const same = runs.filter((r) => r.side === side && r.trusted);
    for (let j = 0; j + size <= same.length; j += 2) trials.push({ kind: 'A/A', ...split(same.slice(j, j + size)), disjoint: j % size === 0 });
  }
  return trials;
}

interface Tally { n: number; slower: number; same: number; unknown: number; faster: number; dn: number; dSlower: number; dSame: number }
const tally = (): Tally => ({ n: 0, slower: 0, same: 0, unknown: 0, faster: 0, dn: 0, dSlower: 0, dSame: 0 });

function add(t: Tally, verdict: string, disjoint: boolean): void {
  t.n++;
  if (verdict === 'SLOWER') t.slower++;
  else if (verdict === 'SAME') t.same++;
  else if (verdict === 'FASTER') t.faster++;
  else t.unknown++;
  if (disjoint) {
    t.dn++;
    if (verdict === 'SLOWER') t.dSlower++;
    if (verdict === 'SAME') t.dSame++;
  }
}

const pct = (k: number, n: number): string => (n === 0 ? 'n/a' : `${((100 * k) / n).toFixed(1)}%`);
function withCi(k: number, n: number): string {
  if (n === 0) return 'n/a';
  const { lower, upper } = wilsonInterval(k, n, 0.95);
  return `${pct(k, n)} [${(100 * lower).toFixed(0)}-${(100 * upper).toFixed(0)}%]`;
}

/** Whether an endpoint has enough traffic in every run of a trial: minPeriods qualifying periods. */
function enoughTraffic(slo: SloConfig, runs: MeasuredRun[], key: string): boolean {
  const { statistic, minRequestsPerPeriod, minPeriods } = slo.comparison;
  return runs.every((r) => seriesOf(r.run, key, statistic, minRequestsPerPeriod).length >= minPeriods);
}

const medianOf = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** log level of an endpoint in a run (median log period figure), relative to the run's untouched endpoints. */
function relativeLevel(slo: SloConfig, run: BaselineRun, key: string, statistic: 'p50' | 'min'): number | null {
  const level = (k: string): number | null => {
    const values = seriesOf(run, k, statistic, slo.comparison.minRequestsPerPeriod);
    return values.length === 0 ? null : Math.log(medianOf(values));
  };
  const own = level(key);
  const others = ENDPOINTS.filter((k) => !INJECTED.includes(k)).filter((k) => k !== key).map(level).filter((v): v is number => v !== null);
  return own === null || others.length === 0 ? null : own - medianOf(others);
}

/** The bench's table. */
export function judgeStreams(streams: { source: string; runs: MeasuredRun[] }[], slo: SloConfig, header: string, pairs = 2, verbose = false): string {
  const aa = tally();
  const aaGate = tally();
  const detect = tally();
  const detectBy = new Map(INJECTED.map((k) => [k, tally()]));
  const untouched = tally();
  const seen = { ab: 0, aa: 0, abDisjoint: 0, aaDisjoint: 0, lowTraffic: 0 };
  const clientRatios = new Map<string, { p50: number[]; min: number[] }>(INJECTED.map((k) => [k, { p50: [], min: [] }]));
  const spread = { squares: 0, df: 0, within: 0, runs: 0 };
  for (const stream of streams) {
    for (const trial of trialsOf(stream.runs, pairs)) {
      const runs = [...trial.base, ...trial.head];
      const comparisons = compareWithBaseline(slo, trial.head.map((r) => r.run), trial.base.map((r) => r.run));
      if (verbose) {
        process.stderr.write(`${trial.kind} base ${trial.base.map((r) => r.run.runId).join(' ')} head ${trial.head.map((r) => r.run.runId).join(' ')}\n`);
        for (const c of comparisons) process.stderr.write(`  ${c.verdict.padEnd(7)} ${c.endpoint.padEnd(30)} ${c.detail}\n`);
      }
      if (trial.kind === 'A/A') {
        seen.aa++;
        if (trial.disjoint) seen.aaDisjoint++;
        let alarm = false;
        for (const c of comparisons) {
          if (!enoughTraffic(slo, runs, c.endpoint)) { seen.lowTraffic++; continue; }
          add(aa, c.verdict, trial.disjoint);
          if (c.verdict === 'SLOWER') alarm = true;
        }
        add(aaGate, alarm ? 'SLOWER' : 'SAME', trial.disjoint);
      } else {
        seen.ab++;
        if (trial.disjoint) seen.abDisjoint++;
        for (const c of comparisons) {
          if (!enoughTraffic(slo, runs, c.endpoint)) { seen.lowTraffic++; continue; }
          add(INJECTED.includes(c.endpoint) ? detect : untouched, c.verdict, trial.disjoint);
          const own = detectBy.get(c.endpoint);
          if (own !== undefined) add(own, c.verdict, trial.disjoint);
        }
        for (const key of INJECTED) {
          for (const statistic of ['p50', 'min'] as const) {
            const level = (list: MeasuredRun[]): number[] => list.map((r) => relativeLevel(slo, r.run, key, statistic)).filter((v): v is number => v !== null);
            const h = level(trial.head);
            const b = level(trial.base);
            if (h.length > 0 && b.length > 0) clientRatios.get(key)?.[statistic].push(Math.exp(medianOf(h) - medianOf(b)));
          }
        }
      }
    }
    // How much a build's drift-adjusted level moves from run to run, and how much of that is the
    // runs' own within-run noise (the gate's bootstrap): each build's runs, every endpoint, pooled.
    for (const side of ['clean', 'slow'] as const) {
      const runs = stream.runs.filter((r) => r.side === side && r.trusted).map((r) => r.run);
      const reference = referenceLevels(runs, slo.comparison.statistic, slo.comparison.minRequestsPerPeriod);
      const adjusted = runs.map((r) => adjustedSeries(r, reference, slo.comparison.statistic, slo.comparison.minRequestsPerPeriod, slo.comparison.minReferenceEndpoints));
      for (const key of ENDPOINTS) {
        const levels = adjusted.map((a) => a.get(key) ?? []).filter((v) => v.length >= slo.comparison.minPeriods).map((v, i) => blockBootstrapLogMedian(v, { resamples: 400, seed: 11 + i }));
        if (levels.length < 2) continue;
        const m = levels.reduce((t, l) => t + l.logMedian, 0) / levels.length;
        spread.squares += levels.reduce((t, l) => t + (l.logMedian - m) ** 2, 0);
        spread.df += levels.length - 1;
        for (const l of levels) { spread.within += l.logStandardError ** 2; spread.runs++; }
      }
    }
  }
  const c = slo.comparison;
  const lines = [
    `bench:gate — ${header}`,
    `settings: ${c.statistic} per 10 s period, equivalence margin ±${(c.threshold * 100).toFixed(0)}%, alpha ${c.alpha}, noise floor ${(c.noiseFloor * 100).toFixed(1)}%, min ${c.minPeriods} periods of >= ${c.minRequestsPerPeriod} responses, common-drift adjustment ${c.adjustForDrift ? 'on' : 'off'}.`,
    `Trials, ${pairs} run(s) a side: ${seen.ab} A/B windows (clean, slow, clean, slow, ...; ${seen.abDisjoint} of them share no run) and ${seen.aa} A/A windows (${2 * pairs} runs of one build; ${seen.aaDisjoint} share no run). ${seen.lowTraffic} endpoint verdicts left out for too little traffic.`,
    'Rates over all windows; then, over the windows that share no run (independent trials, the honest count), the rate and its [95% Wilson interval]. For "the gate fails", SAME means no endpoint was SLOWER.',
    '',
    '| comparison | endpoint verdicts (independent) | SLOWER | SAME | UNKNOWN | FASTER | target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  const row = (name: string, t: Tally, target: string): void => {
    const independent = (k: number): string => (t.dn > 0 ? ` (independent: ${withCi(k, t.dn)})` : '');
    lines.push(`| ${name} | ${t.n} (${t.dn}) | ${pct(t.slower, t.n)}${independent(t.dSlower)} | ${pct(t.same, t.n)}${independent(t.dSame)} | ${pct(t.unknown, t.n)} | ${pct(t.faster, t.n)} | ${target} |`);
  };
  row('A/A, per endpoint', aa, `SAME >= 80%: ${aa.n > 0 && aa.same / aa.n >= 0.8 ? 'met' : 'NOT met'}; false alarms <= 5%: ${aa.n > 0 && aa.slower / aa.n <= 0.05 ? 'met' : 'NOT met'}`);
  row('A/A, the gate fails (any SLOWER)', aaGate, '');
  row(`A/B, injected (${INJECTED.length} endpoints)`, detect, `SLOWER >= 90%: ${detect.n > 0 && detect.slower / detect.n >= 0.9 ? 'met' : 'NOT met'}`);
  for (const [key, t] of detectBy) row(`A/B, injected: ${key} alone`, t, '');
  row('A/B, untouched endpoints', untouched, 'false alarms <= 5%');
  lines.push('');
  for (const [key, r] of clientRatios) {
    lines.push(`Client-visible slowdown of ${key} (head/base, relative to the untouched endpoints, median over A/B windows): p50 ${((medianOf(r.p50) - 1) * 100).toFixed(1)}%, fastest response ${((medianOf(r.min) - 1) * 100).toFixed(1)}%.`);
  }
  const total = spread.df === 0 ? Number.NaN : spread.squares / spread.df;
  const within = spread.runs === 0 ? Number.NaN : spread.within / spread.runs;
  lines.push(`Run-to-run spread of a build's drift-adjusted level (${c.statistic}; each build's runs, all endpoints pooled, ${spread.df} degrees of freedom): ${(100 * Math.sqrt(total)).toFixed(1)}% in all, of which within-run noise (the bootstrap's standard error) ${(100 * Math.sqrt(within)).toFixed(1)}% and between runs ${(100 * Math.sqrt(Math.max(0, total - within))).toFixed(1)}%; comparison.noiseFloor (${(100 * c.noiseFloor).toFixed(0)}%) is the least between-run part the gate assumes.`);
  lines.push(`Telling 90% from 70%: a true 90% rate gives a 95% Wilson lower bound above 70% with probability 0.8 from ${trialsToTell(0.9, 0.7)} independent trials on (${trialsToTell(0.9, 0.7, 0.5)} for an even chance); ${detect.dn} independent injected-endpoint verdicts here.`);
  return lines.join('\n');
}
