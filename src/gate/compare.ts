// The baseline comparison of one endpoint: a statistical verdict from per-period figures.
//
// Unit of evidence. Requests within one run are not independent: the machine's speed drifts between
// runs and within them. So the observations are the run's 10 s periods (each summarised by one
// figure, the period's median latency by default), and the uncertainty has two parts:
//   within-run:  how well a run's level is known from its periods (moving-block bootstrap of the
//                median of the period figures: neighbouring periods are correlated);
//   between-run: how much the level moves from one run to the next on the same build (the spread of
//                the baseline's runs, never taken below the configured noise floor; when the
//                baseline's own spread is used, Student's t with Welch-Satterthwaite degrees of
//                freedom replaces the normal distribution, as a spread from a few runs is uncertain).
// The change is d = mean log level of the candidate runs - mean log level of the baseline runs,
// ratio = exp(d) (> 1 means slower), and
//   var(d) = within-run variances / runs^2 + between-run variance * (1/candidate runs + 1/baseline runs).
// Verdict (t = threshold, e.g. 0.10; band = [1/(1+t), 1+t]):
//   SLOWER  both tests significant at alpha (the run-level z test above, and Mann-Whitney U on the
//           pooled period figures) and ratio > 1+t;
//   FASTER  the same, ratio < 1/(1+t);
//   SAME    the (1-alpha) confidence interval of the ratio lies inside the band;
//   UNKNOWN otherwise (too few periods, or an interval that straddles the band's edge).
import { mean, variance } from '../stats/describe.ts';
import { mannWhitneyU } from '../stats/mann-whitney.ts';
import { kolmogorovSmirnov } from '../stats/kolmogorov-smirnov.ts';
import { blockBootstrapLogMedian } from '../stats/bootstrap.ts';
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

export function compareSeries(endpoint: string, candidateRuns: readonly RunSeries[], baselineRuns: readonly RunSeries[], settings: Settings): ComparisonEvidence {
  const usable = (runs: readonly RunSeries[]): RunSeries[] => runs.filter((r) => r.values.length >= settings.minPeriods && r.values.every((v) => v > 0));
  const candidate = usable(candidateRuns);
  const baseline = usable(baselineRuns);
  // An endpoint the baseline never measured says so first, whatever the run's own periods.
  if (baselineRuns.length === 0) return unknown('not in the baseline', [...candidateRuns], []);
  if (candidate.length === 0) {
    const most = Math.max(0, ...candidateRuns.map((r) => r.values.length));
    return unknown(`too few periods in the run (${most} with enough requests, need ${settings.minPeriods})`, [...candidateRuns], [...baselineRuns]);
  }
  if (baseline.length === 0) {
    const most = Math.max(0, ...baselineRuns.map((r) => r.values.length));
    return unknown(`too few periods in the baseline (${most} with enough requests, need ${settings.minPeriods})`, candidate, [...baselineRuns]);
  }

  const seed = seedOf(endpoint);
  // Long runs (a soak has 720 periods) need fewer resamples for the same precision of a standard
  // error that is, by then, far below the between-run spread: cap resamples x periods.
  const resamplesFor = (n: number): number => Math.min(settings.resamples, Math.max(100, Math.ceil(RESAMPLE_BUDGET / n)));
  const level = (run: RunSeries, index: number) => blockBootstrapLogMedian(run.values, { resamples: resamplesFor(run.values.length), seed: seed + index });
  const candidateLevels = candidate.map((r, i) => level(r, i));
  const baselineLevels = baseline.map((r, i) => level(r, 1000 + i));
  const kc = candidateLevels.length;
  const kb = baselineLevels.length;

  const d = mean(candidateLevels.map((l) => l.logMedian)) - mean(baselineLevels.map((l) => l.logMedian));
  const withinCandidate = candidateLevels.reduce((s, l) => s + l.logStandardError ** 2, 0) / (kc * kc);
  const withinBaseline = baselineLevels.reduce((s, l) => s + l.logStandardError ** 2, 0) / (kb * kb);
  // Between-run spread: the baseline runs' log levels vary by their true run-to-run drift plus their
  // own within-run error; remove the latter, then never assume less than the floor.
  let spread = settings.noiseFloor;
  let spreadEstimated = false;
  if (kb >= 2) {
    const observed = variance(baselineLevels.map((l) => l.logMedian));
    const meanWithin = baselineLevels.reduce((s, l) => s + l.logStandardError ** 2, 0) / kb;
    const estimated = Math.sqrt(Math.max(0, observed - meanWithin));
    if (estimated > spread) {
      spread = estimated;
      spreadEstimated = true;
    }
  }
  const betweenTerm = spread * spread * (1 / kc + 1 / kb);
  const variance2 = withinCandidate + withinBaseline + betweenTerm;
  const standardError = Math.sqrt(variance2);
  // A spread estimated from kb runs is itself uncertain: Student's t with the Welch-Satterthwaite
  // degrees of freedom (the within-run parts and the floor count as known).
  const degreesOfFreedom = spreadEstimated && betweenTerm > 0 ? (variance2 * variance2) / ((betweenTerm * betweenTerm) / (kb - 1)) : Number.POSITIVE_INFINITY;
  const z = standardError > 0 ? d / standardError : d === 0 ? 0 : Math.sign(d) * Number.POSITIVE_INFINITY;
  const zPValue = Number.isFinite(degreesOfFreedom) ? studentTTwoSidedP(z, degreesOfFreedom) : twoSidedP(z);
  const critical = Number.isFinite(degreesOfFreedom) ? studentTQuantile(1 - settings.alpha / 2, degreesOfFreedom) : normalQuantile(1 - settings.alpha / 2);
  const ratio = Math.exp(d);
  const lower = Math.exp(d - critical * standardError);
  const upper = Math.exp(d + critical * standardError);

  const pooledCandidate = candidate.flatMap((r) => r.values);
  const pooledBaseline = baseline.flatMap((r) => r.values);
  const mannWhitneyP = mannWhitneyU(pooledCandidate, pooledBaseline).pValue;
  const ksD = kolmogorovSmirnov(pooledCandidate, pooledBaseline).d;
  const pValue = Math.max(zPValue, mannWhitneyP);
  const significant = pValue < settings.alpha;

  const slowerEdge = 1 + settings.threshold;
  const fasterEdge = 1 / slowerEdge;
  let verdict: Verdict;
  let reason: string;
  const interval = `${Math.round((1 - settings.alpha) * 100)}% CI ${percent(lower)}..${percent(upper)}`;
  if (significant && ratio > slowerEdge) {
    verdict = 'SLOWER';
    reason = `${percent(ratio)} slower (${interval}), beyond the ${percent(slowerEdge)} threshold`;
  } else if (significant && ratio < fasterEdge) {
    verdict = 'FASTER';
    reason = `${percent(ratio)} (${interval}), faster beyond the ${percent(fasterEdge)} threshold`;
  } else if (lower >= fasterEdge && upper <= slowerEdge) {
    verdict = 'SAME';
    reason = `${percent(ratio)} (${interval}), within ±${(settings.threshold * 100).toFixed(0)}%`;
  } else {
    verdict = 'UNKNOWN';
    reason = `${percent(ratio)} (${interval}) straddles the ±${(settings.threshold * 100).toFixed(0)}% band; gather more runs (--repeat)`;
  }
  return {
    verdict, ratio, lower, upper, pValue, zPValue, mannWhitneyP, ksD,
    candidatePeriods: pooledCandidate.length, baselinePeriods: pooledBaseline.length,
    candidateRuns: kc, baselineRuns: kb, betweenRunSpread: spread,
    candidateLevels: candidateLevels.map((l) => l.logMedian), baselineLevels: baselineLevels.map((l) => l.logMedian), reason,
  };
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
