// The baseline comparison of one endpoint: a statistical verdict from per-period figures.
//
// Unit of evidence. Requests within one run are not independent: the machine's speed drifts between
// runs and within them. So the observations are the run's 10 s periods (each summarised by one
// figure, the period's median by default), and the uncertainty has two parts:
//   within-run:  how well a run's level is known from its periods (moving-block bootstrap of the
//                median of the period figures: neighbouring periods are correlated);
//   between-run: how much the level moves from one run to the next on the same build: each side's
//                runs around their own mean (both sides are repeated runs of one build), combined
//                with the other endpoints' spread in the same runs when the caller gives it
//                (evaluate.ts does for the relative comparison), never below the noise floor; an
//                estimated spread brings Student's t with Welch-Satterthwaite degrees of freedom.
// The change is d = mean log level of the candidate runs - mean log level of the baseline runs,
// ratio = exp(d) (> 1 means slower), and
//   var(d) = within-run variances / runs^2 + between-run variance * (1/candidate runs + 1/baseline runs).
// Verdict (t = threshold, e.g. 0.10; band = [1/(1+t), 1+t]):
//   SLOWER  both tests significant at alpha, two-sided (the run-level test above, and Mann-Whitney U
//           on the pooled period figures) and ratio > 1+t;
//   FASTER  the same, ratio < 1/(1+t);
//   SAME    equivalence (two one-sided tests at alpha): the (1 - 2 alpha) interval of the ratio lies
//           inside the band, so the runs exclude a change of t either way;
//   UNKNOWN otherwise (too few periods, or the runs cannot exclude a change of t), with the reason.
import { mean } from '../stats/describe.ts';
import { mannWhitneyU } from '../stats/mann-whitney.ts';
import { kolmogorovSmirnov } from '../stats/kolmogorov-smirnov.ts';
import { blockBootstrapLogMedian } from '../stats/bootstrap.ts';
import type { LogMedianEstimate } from '../stats/bootstrap.ts';
import { normalQuantile, twoSidedP } from '../stats/normal.ts';
import { studentTQuantile, studentTTwoSidedP } from '../stats/student-t.ts';
import type { EndpointComparison, Verdict } from '../core/bundle/types.ts';
import type { ComparisonSettings } from './slo.ts';

/** One run's per-period figures for one endpoint (ms), oldest first, qualifying periods only. */
export interface RunSeries {
  runId: string;
  values: number[];
}

export interface ComparisonEvidence {
  verdict: Verdict;
  ratio: number | null;
  lower: number | null;
  upper: number | null;
  pValue: number | null; // the larger of the two tests' p-values: both must be significant
  zPValue: number | null;
  mannWhitneyP: number | null;
  ksD: number | null;
  candidatePeriods: number;
  baselinePeriods: number;
  candidateRuns: number;
  baselineRuns: number;
  betweenRunSpread: number | null; // standard deviation of log levels used (after the floor)
  /** log of each run's level (median of its period figures), candidate and baseline runs. */
  candidateLevels: number[];
  baselineLevels: number[];
  reason: string;
}

/** Resamples x periods per run at most (periods beyond 60 000 / resamples use fewer resamples, never below 100). */
export const RESAMPLE_BUDGET = 60_000;

type Settings = Pick<ComparisonSettings, 'threshold' | 'alpha' | 'minPeriods' | 'noiseFloor' | 'resamples'>;

/** A small stable hash so every endpoint gets its own, reproducible bootstrap seed. */
export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const percent = (ratio: number): string => {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
};

function unknown(reason: string, candidate: RunSeries[], baseline: RunSeries[]): ComparisonEvidence {
  return {
    verdict: 'UNKNOWN', ratio: null, lower: null, upper: null, pValue: null, zPValue: null, mannWhitneyP: null, ksD: null,
    candidatePeriods: candidate.reduce((n, r) => n + r.values.length, 0),
    baselinePeriods: baseline.reduce((n, r) => n + r.values.length, 0),
    candidateRuns: candidate.length, baselineRuns: baseline.length, betweenRunSpread: null, candidateLevels: [], baselineLevels: [], reason,
  };
}

/** One endpoint's run levels, made once (the bootstrap is the gate's costliest step) and decided after. */
export interface SeriesLevels {
  endpoint: string;
  candidate: RunSeries[];
  baseline: RunSeries[];
  /** null when the comparison cannot be made: then `unknown` holds the verdict and its reason */
  levels: { candidate: LogMedianEstimate[]; baseline: LogMedianEstimate[] } | null;
  unknown: ComparisonEvidence | null;
}

/**
 * The between-run variance of log levels that the runs themselves show: each side's runs around
 * their own mean (both sides are repeated runs of one build), less their within-run part. Null
 * with fewer than two runs on both sides.
 */
export function ownSpread(levels: NonNullable<SeriesLevels['levels']>): { variance: number; df: number } | null {
  let squares = 0;
  let df = 0;
  let within = 0;
  let runs = 0;
  for (const side of [levels.candidate, levels.baseline]) {
    for (const l of side) {
      within += l.logStandardError ** 2;
      runs++;
    }
    if (side.length < 2) continue;
    const m = mean(side.map((l) => l.logMedian));
    for (const l of side) squares += (l.logMedian - m) ** 2;
    df += side.length - 1;
  }
  return df === 0 ? null : { variance: Math.max(0, squares / df - within / runs), df };
}

export function seriesLevels(endpoint: string, candidateRuns: readonly RunSeries[], baselineRuns: readonly RunSeries[], settings: Settings): SeriesLevels {
  const usable = (runs: readonly RunSeries[]): RunSeries[] => runs.filter((r) => r.values.length >= settings.minPeriods && r.values.every((v) => v > 0));
  const candidate = usable(candidateRuns);
  const baseline = usable(baselineRuns);
  const none = (evidence: ComparisonEvidence): SeriesLevels => ({ endpoint, candidate, baseline, levels: null, unknown: evidence });
  // An endpoint the baseline never measured says so first, whatever the run's own periods.
  if (baselineRuns.length === 0) return none(unknown('not in the baseline', [...candidateRuns], []));
  if (candidate.length === 0) {
    const most = Math.max(0, ...candidateRuns.map((r) => r.values.length));
    return none(unknown(`too few periods in the run (${most} with enough requests, need ${settings.minPeriods})`, [...candidateRuns], [...baselineRuns]));
  }
  if (baseline.length === 0) {
    const most = Math.max(0, ...baselineRuns.map((r) => r.values.length));
    return none(unknown(`too few periods in the baseline (${most} with enough requests, need ${settings.minPeriods})`, candidate, [...baselineRuns]));
  }
  const seed = seedOf(endpoint);
  // Long runs (a soak has 720 periods) need fewer resamples for the same precision of a standard
  // error that is, by then, far below the between-run spread: cap resamples x periods.
  const resamplesFor = (n: number): number => Math.min(settings.resamples, Math.max(100, Math.ceil(RESAMPLE_BUDGET / n)));
  const level = (run: RunSeries, index: number) => blockBootstrapLogMedian(run.values, { resamples: resamplesFor(run.values.length), seed: seed + index });
  return { endpoint, candidate, baseline, levels: { candidate: candidate.map((r, i) => level(r, i)), baseline: baseline.map((r, i) => level(r, 1000 + i)) }, unknown: null };
}

/**
 * The verdict from one endpoint's levels. `prior`: the between-run variance the other endpoints of
 * the same runs show (pooled, with its degrees of freedom); the endpoint's own estimate is combined
 * with it, weighted by degrees of freedom, so that a verdict from 2 + 2 runs does not rest on a
 * spread estimated from 2 degrees of freedom alone.
 */
export function decide(series: SeriesLevels, settings: Settings, prior: { variance: number; df: number } | null = null): ComparisonEvidence {
  if (series.levels === null) return series.unknown ?? unknown('no data', series.candidate, series.baseline);
  const { candidate, baseline } = series;
  const candidateLevels = series.levels.candidate;
  const baselineLevels = series.levels.baseline;
  const kc = candidateLevels.length;
  const kb = baselineLevels.length;
  const d = mean(candidateLevels.map((l) => l.logMedian)) - mean(baselineLevels.map((l) => l.logMedian));
  const withinCandidate = candidateLevels.reduce((s, l) => s + l.logStandardError ** 2, 0) / (kc * kc);
  const withinBaseline = baselineLevels.reduce((s, l) => s + l.logStandardError ** 2, 0) / (kb * kb);
  // Between-run spread: estimated from the runs (own, combined with the other endpoints' when
  // given), never assumed below the floor.
  const own = ownSpread(series.levels);
  const parts = [own, prior].filter((p): p is { variance: number; df: number } => p !== null && p.df > 0);
  const df = parts.reduce((n, p) => n + p.df, 0);
  const estimatedVariance = df === 0 ? 0 : parts.reduce((v, p) => v + p.variance * p.df, 0) / df;
  let spread = settings.noiseFloor;
  let spreadEstimated = false;
  if (df > 0 && Math.sqrt(estimatedVariance) > spread) {
    spread = Math.sqrt(estimatedVariance);
    spreadEstimated = true;
  }
  const betweenTerm = spread * spread * (1 / kc + 1 / kb);
  const variance2 = withinCandidate + withinBaseline + betweenTerm;
  const standardError = Math.sqrt(variance2);
  // An estimated spread is itself uncertain: Student's t with the Welch-Satterthwaite degrees of
  // freedom (the within-run parts and the floor count as known).
  const degreesOfFreedom = spreadEstimated && betweenTerm > 0 ? (variance2 * variance2) / ((betweenTerm * betweenTerm) / df) : Number.POSITIVE_INFINITY;
  const z = standardError > 0 ? d / standardError : d === 0 ? 0 : Math.sign(d) * Number.POSITIVE_INFINITY;
  const finite = Number.isFinite(degreesOfFreedom);
  const zPValue = finite ? studentTTwoSidedP(z, degreesOfFreedom) : twoSidedP(z);
  const quantile = (p: number): number => (finite ? studentTQuantile(p, degreesOfFreedom) : normalQuantile(p));
  const ratio = Math.exp(d);
  // The two-sided (1 - alpha) interval (reported); equivalence (two one-sided tests at alpha) asks
  // for the (1 - 2 alpha) interval inside the margin.
  const twoSided = quantile(1 - settings.alpha / 2);
  const lower = Math.exp(d - twoSided * standardError);
  const upper = Math.exp(d + twoSided * standardError);
  const oneSided = quantile(1 - settings.alpha);
  const equivalenceLower = Math.exp(d - oneSided * standardError);
  const equivalenceUpper = Math.exp(d + oneSided * standardError);

  const pooledCandidate = candidate.flatMap((r) => r.values);
  const pooledBaseline = baseline.flatMap((r) => r.values);
  const mannWhitneyP = mannWhitneyU(pooledCandidate, pooledBaseline).pValue;
  const ksD = kolmogorovSmirnov(pooledCandidate, pooledBaseline).d;
  const pValue = Math.max(zPValue, mannWhitneyP);
  const significant = pValue < settings.alpha;

  const slowerEdge = 1 + settings.threshold;
  const fasterEdge = 1 / slowerEdge;
  const margin = `±${(settings.threshold * 100).toFixed(0)}%`;
  let verdict: Verdict;
  let reason: string;
  const wide = `${Math.round((1 - settings.alpha) * 100)}% CI ${percent(lower)}..${percent(upper)}`;
  const interval = `${Math.round((1 - 2 * settings.alpha) * 100)}% CI ${percent(equivalenceLower)}..${percent(equivalenceUpper)}`;
  if (significant && ratio > slowerEdge) {
    verdict = 'SLOWER';
    reason = `${percent(ratio)} slower (${wide}), beyond the ${percent(slowerEdge)} threshold`;
  } else if (significant && ratio < fasterEdge) {
    verdict = 'FASTER';
    reason = `${percent(ratio)} (${wide}), faster beyond the ${percent(fasterEdge)} threshold`;
  } else if (equivalenceLower >= fasterEdge && equivalenceUpper <= slowerEdge) {
    verdict = 'SAME';
    reason = `${percent(ratio)} (${interval}), within ${margin}`;
  } else {
    verdict = 'UNKNOWN';
    const side = equivalenceUpper > slowerEdge && equivalenceLower < fasterEdge ? `a change of ${margin} either way` : equivalenceUpper > slowerEdge ? `a slowdown of more than ${percent(slowerEdge)}` : `a speed-up beyond ${percent(fasterEdge)}`;
    reason = ratio > slowerEdge || ratio < fasterEdge
      ? `${percent(ratio)} (${wide}) is beyond ${margin} but not significant (p=${formatP(pValue)}); gather more runs (--repeat)`
      : `${percent(ratio)} (${interval}): the runs cannot exclude ${side}; gather more runs (--repeat)`;
  }
  return {
    verdict, ratio, lower, upper, pValue, zPValue, mannWhitneyP, ksD,
    candidatePeriods: pooledCandidate.length, baselinePeriods: pooledBaseline.length,
    candidateRuns: kc, baselineRuns: kb, betweenRunSpread: spread,
    candidateLevels: candidateLevels.map((l) => l.logMedian), baselineLevels: baselineLevels.map((l) => l.logMedian), reason,
  };
}

/** One endpoint on its own (no other endpoints' spread to borrow): levels, then the verdict. */
export function compareSeries(endpoint: string, candidateRuns: readonly RunSeries[], baselineRuns: readonly RunSeries[], settings: Settings): ComparisonEvidence {
  return decide(seriesLevels(endpoint, candidateRuns, baselineRuns, settings), settings);
}

/** The evidence as the bundle's EndpointComparison (gate.json), with a one-line detail. */
export function toEndpointComparison(endpoint: string, statistic: string, evidence: ComparisonEvidence): EndpointComparison {
  const counts = `${statistic} of ${evidence.candidatePeriods} periods in ${evidence.candidateRuns} run(s) vs ${evidence.baselinePeriods} in ${evidence.baselineRuns} baseline run(s)`;
  const { pValue, zPValue, mannWhitneyP, ksD } = evidence;
  const tests = pValue === null || zPValue === null || mannWhitneyP === null || ksD === null ? '' : `; p=${formatP(pValue)} (z ${formatP(zPValue)}, Mann-Whitney ${formatP(mannWhitneyP)}), KS D=${ksD.toFixed(2)}`;
  return {
    endpoint,
    verdict: evidence.verdict,
    ratio: evidence.ratio,
    pValue: evidence.pValue,
    detail: `${evidence.reason}; ${counts}${tests}`,
  };
}

export function formatP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return p.toFixed(4);
}
