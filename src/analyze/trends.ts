// Findings from how a figure moves over the run: a queue that grows (the detection backlog), latency
// that grows from period to period (a run's p95, a custom metric such as detection latency), memory
// that grows over a soak. Pure.
//
// The significance rule: an ordinary least-squares line through (time, value) with at least 6
// points, its slope's two-sided p-value (Student's t, n - 2 degrees of freedom) under 0.01, and the
// fitted change over the run at least 20% of the fitted start (and at least `minChange` in the
// figure's unit). A difference between the first and last point decides nothing.
import { studentTTwoSidedP } from '../stats/student-t.ts';
import { endpointTimes, round } from './context.ts';
import type { RuleInput } from './context.ts';
import { runSamples } from './resources.ts';
import type { Candidate } from './types.ts';

export const TREND_RULES = { minPoints: 6, maxP: 0.01, minRelativeChange: 0.2 } as const;

export interface Trend {
  points: number;
  slopePerSecond: number;
  pValue: number;
  fittedStart: number;
  fittedEnd: number;
  spanSeconds: number;
}

/** The least-squares line through the points (t in ms, value); null with fewer than 3 distinct times. */
export function linearTrend(points: readonly { t: number; value: number }[]): Trend | null {
  const n = points.length;
  if (n < 3) return null;
  const t0 = points[0].t;
  const xs = points.map((p) => (p.t - t0) / 1000);
  const ys = points.map((p) => p.value);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const pValue = se === 0 ? (slope === 0 ? 1 : 0) : studentTTwoSidedP(slope / se, n - 2);
  const span = xs[n - 1];
  return { points: n, slopePerSecond: slope, pValue, fittedStart: intercept, fittedEnd: intercept + slope * span, spanSeconds: span };
}

/** Whether a trend is a significant rise by the rule above. */
export function isGrowing(trend: Trend | null, minChange: number): trend is Trend {
  if (trend === null || trend.points < TREND_RULES.minPoints || trend.pValue >= TREND_RULES.maxP || trend.slopePerSecond <= 0) return false;
  const change = trend.fittedEnd - trend.fittedStart;
  return change >= minChange && change >= TREND_RULES.minRelativeChange * Math.max(Math.abs(trend.fittedStart), 1e-9);
}

const trendEvidence = (trend: Trend, unit: string, scale = 1): Candidate['evidence'] => [
  { label: 'fitted value at the start', value: round(trend.fittedStart * scale, 2), unit },
  { label: 'fitted value at the end', value: round(trend.fittedEnd * scale, 2), unit },
  { label: 'slope', value: round(trend.slopePerSecond * 60 * scale, 3), unit: `${unit} per minute` },
  { label: 'p-value of the slope', value: Number(trend.pValue.toPrecision(2)), unit: 'p' },
  { label: 'points', value: trend.points, unit: 'count' },
];

function queueGrowth(input: RuleInput): Candidate[] {
  const samples = runSamples(input);
  const names = new Set(samples.flatMap((s) => Object.keys(s.queues ?? {})));
  const out: Candidate[] = [];
  for (const name of [...names].sort()) {
    const points = samples.flatMap((s) => (s.queues?.[name] === undefined ? [] : [{ t: s.t, value: s.queues[name] }]));
    const trend = linearTrend(points);
    if (!isGrowing(trend, 10)) continue;
    let rises = 0;
    for (let i = 1; i < points.length; i++) if (points[i].value > points[i - 1].value) rises++;
    const first = points[0].value;
    const last = points[points.length - 1].value;
    out.push({
      rule: 'queue-growth', tier: 'symptom', subject: name, share: rises / Math.max(points.length - 1, 1), shareOf: 'run',
      title: `${name} grows over the run: ${String(first)} at the first sample, ${String(last)} at the last, ${String(round(trend.slopePerSecond * 60, 0))} a minute (the work behind it falls behind the load)`,
      evidence: [...trendEvidence(trend, 'items'), { label: 'first sample', value: first, unit: 'items' }, { label: 'last sample', value: last, unit: 'items' }, { label: 'sample intervals in which it grew', value: rises, unit: 'count' }],
      recommendation: 'the consumer of this queue is slower than what arrives: find what it spends its time on (its statements lead the database time when it is a database worker) and make that cheaper, or run consumers in parallel',
    });
  }
  return out;
}

function latencyGrowth(input: RuleInput): Candidate[] {
  const out: Candidate[] = [];
  const series: { name: string; share: number; shareOf: Candidate['shareOf']; points: { t: number; value: number }[] }[] = [];
  series.push({ name: 'all requests (p95)', share: 1, shareOf: 'request time', points: input.analysis.run.periods.flatMap((p) => (p.latencyMs === null ? [] : [{ t: p.start, value: p.latencyMs.p95 }])) });
  for (const e of endpointTimes(input.analysis).filter((x) => x.share >= 0.1)) {
    const periods = input.analysis.endpoints.find((a) => a.summary.endpoint === e.endpoint)?.periods ?? [];
    series.push({ name: `${e.endpoint} (p95)`, share: e.share, shareOf: 'request time', points: periods.flatMap((p) => (p.latencyMs === null ? [] : [{ t: p.start, value: p.latencyMs.p95 }])) });
  }
  for (const m of input.analysis.metrics) series.push({ name: `${m.name} (p95)`, share: 1, shareOf: 'run', points: m.periods.map((p) => ({ t: p.start, value: p.stats.p95 })) });
  for (const s of series) {
    const trend = linearTrend(s.points);
    if (!isGrowing(trend, 1)) continue;
    out.push({
      rule: 'latency-growth', tier: 'symptom', subject: s.name, share: s.share, shareOf: s.shareOf,
      title: `${s.name} grows over the run: from ${String(round(trend.fittedStart, 1))} ms to ${String(round(trend.fittedEnd, 1))} ms`,
      evidence: trendEvidence(trend, 'ms'),
      recommendation: 'something accumulates: a table or queue that grows with the run (scans that read more each period), a cache that never evicts, or a backlog; the queue and statement findings say which',
    });
  }
  return out;
}

function memoryGrowth(input: RuleInput): Candidate[] {
  const samples = runSamples(input);
  const out: Candidate[] = [];
  const figures = [
    { name: 'platform heap', points: samples.flatMap((s) => (s.platform?.heapUsedBytes === undefined ? [] : [{ t: s.t, value: s.platform.heapUsedBytes }])) },
    { name: 'platform RSS', points: samples.flatMap((s) => (s.platform === undefined ? [] : [{ t: s.t, value: s.platform.rssBytes }])) },
  ];
  for (const f of figures) {
    const trend = linearTrend(f.points);
    // over at least a minute: a heap that grows in the first seconds is warming up
    if (trend === null || trend.spanSeconds < 60 || !isGrowing(trend, 16 * 1024 * 1024)) continue;
    out.push({
      rule: 'memory-growth', tier: 'bottleneck', subject: f.name, share: Math.min(1, (trend.fittedEnd - trend.fittedStart) / Math.max(trend.fittedEnd, 1)), shareOf: 'run',
      title: `${f.name} grows over the run: from ${String(round(trend.fittedStart / 2 ** 20, 0))} MiB to ${String(round(trend.fittedEnd / 2 ** 20, 0))} MiB`,
      evidence: trendEvidence(trend, 'MiB', 1 / 2 ** 20),
      recommendation: 'a leak or an unbounded cache: take two heap snapshots a few minutes apart under load (node --heapsnapshot-signal) and compare what grew',
    });
    break; // heap growth explains RSS growth
  }
  return out;
}

export function trendFindings(input: RuleInput): Candidate[] {
  return [...queueGrowth(input), ...latencyGrowth(input), ...memoryGrowth(input)];
}
