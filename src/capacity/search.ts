// The knee search: the highest steady arrival rate that passes, found with as few steps as the
// precision allows. Pure apart from the step runner it is given (./step.ts runs real Artillery steps;
// tests give their own).
//
//   up        from the start rate, multiply by `growth` after every pass, until a step fails or the
//             max rate passed; if the first step fails, divide by `growth` until one passes or the
//             rate would go below the min rate (then nothing passed: exit 1)
//   bisect    between the highest pass and the lowest fail, at their midpoint, until the bracket is
//             narrower than `precision` (relative to the pass)
//   stop      early when a step's generator could not keep its schedule (the generator, not the
//             platform, is the limit: exit 3), or when the next step would not fit in the time budget
//             (the bracket so far is the answer, marked as wider than asked)
// The sustainable rate is the highest pass; the knee lies in [highest pass, lowest fail).

/** One SLO check a step failed: the limit, where it broke, and by how much. */
export interface Breach {
  scope: string; // endpoint key, '*' (the run) or a custom metric's name
  metric: string;
  threshold: number;
  actual: number;
  unit: string;
}

export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
}

export interface StepOutcome {
  rate: number; // planned arrivals per second
  passed: boolean;
  /** the generator did not keep its schedule: the step says nothing about the platform */
  generatorBound: boolean;
  reasons: string[];
  breaches: Breach[];
  /** checks without data (not passes, not breaches), e.g. a security metric no flow recorded */
  noData: string[];
  latencyMs: LatencyFigures | null; // all endpoints together
  requests: number;
  throughput: number; // requests per second over the step
  errorRate: number;
  endpoints: { endpoint: string; requests: number; latencyMs: LatencyFigures | null; errorRate: number }[];
  generator: { trustworthy: boolean; reasons: string[] };
  bundle: string;
  wallSeconds: number;
}

export type StepRunner = (rate: number, index: number) => Promise<StepOutcome>;

export interface SearchSettings {
  startRate: number;
  minRate: number;
  maxRate: number;
  growth: number;
  precision: number;
  budgetSeconds: number;
  /** seconds since some origin (tests pass a fake clock) */
  clock?: () => number;
}

export type SearchOutcome = 'found' | 'max-rate' | 'budget' | 'none-passed' | 'generator-bound';

/** A limit and the lowest step rate at which it broke. */
export interface LimitBroken extends Breach {
  firstBrokenAt: number;
}

export interface SearchResult {
  outcome: SearchOutcome;
  /** one line: why the search stopped */
  stoppedBecause: string;
  steps: StepOutcome[];
  lastPass: number | null;
  firstFail: number | null;
  /** the highest rate that passed (null when none did) */
  sustainableRate: number | null;
  /** (firstFail - lastPass) / lastPass, null without both */
  bracketWidth: number | null;
  precisionMet: boolean;
  /** every limit that broke, the one that broke at the lowest rate (then by the most) first */
  limits: LimitBroken[];
  wallSeconds: number;
}

/** Rates are kept to 3 significant figures, at most 2 decimals (and at least 0.01/s) so steps read cleanly. */
export function roundRate(rate: number): number {
  if (rate <= 0) return 0;
  const digits = Math.min(2, Math.max(0, 2 - Math.floor(Math.log10(rate))));
  const factor = 10 ** digits;
  return Math.max(0.01, Math.round(rate * factor) / factor);
}

/** How far a breach is past its limit (actual / threshold; for lower bounds, threshold / actual). */
export function overBy(breach: Breach): number {
  if (breach.metric === 'minThroughput') return breach.actual > 0 ? breach.threshold / breach.actual : Number.POSITIVE_INFINITY;
  return breach.threshold > 0 ? breach.actual / breach.threshold : Number.POSITIVE_INFINITY;
}

/** The limits that broke, each at the lowest failing rate it broke at; first broken first, then by how far over. */
export function limitsBroken(steps: readonly StepOutcome[]): LimitBroken[] {
  const byLimit = new Map<string, LimitBroken>();
  for (const step of [...steps].filter((s) => !s.passed && !s.generatorBound).sort((a, b) => a.rate - b.rate)) {
    for (const breach of step.breaches) {
      const key = `${breach.scope}\u0000${breach.metric}`;
      if (!byLimit.has(key)) byLimit.set(key, { ...breach, firstBrokenAt: step.rate });
    }
  }
  return [...byLimit.values()].sort((a, b) => a.firstBrokenAt - b.firstBrokenAt || overBy(b) - overBy(a) || a.scope.localeCompare(b.scope));
}

function finish(outcome: SearchOutcome, stoppedBecause: string, steps: StepOutcome[], lastPass: number | null, firstFail: number | null, precision: number, wallSeconds: number): SearchResult {
  const bracketWidth = lastPass !== null && firstFail !== null ? (firstFail - lastPass) / lastPass : null;
  return {
    outcome, stoppedBecause, steps, lastPass, firstFail,
    sustainableRate: lastPass,
    bracketWidth,
    precisionMet: bracketWidth !== null && bracketWidth <= precision + 1e-9,
    limits: limitsBroken(steps),
    wallSeconds,
  };
}

const defaultClock = (): number => performance.now() / 1000;

export async function searchKnee(runStep: StepRunner, settings: SearchSettings, say: (line: string) => void = () => undefined): Promise<SearchResult> {
  const clock = settings.clock ?? defaultClock;
  const started = clock();
  const steps: StepOutcome[] = [];
  let lastPass: number | null = null;
  let firstFail: number | null = null;
  let rate = roundRate(settings.startRate);
  const elapsed = (): number => clock() - started;
  const done = (outcome: SearchOutcome, why: string): SearchResult => finish(outcome, why, steps, lastPass, firstFail, settings.precision, elapsed());
  for (;;) {
    // The next step must fit in the budget: judged by the longest step so far (failing steps drain longer).
    const longest = Math.max(0, ...steps.map((s) => s.wallSeconds));
    if (steps.length > 0 && elapsed() + longest > settings.budgetSeconds) {
      return done('budget', `the next step (~${Math.round(longest)} s) would not end within the ${Math.round(settings.budgetSeconds)} s budget (--budget)`);
    }
    say(`step ${steps.length + 1}: ${rate} arrivals/s${lastPass !== null && firstFail !== null ? ` (bisecting ${lastPass}..${firstFail})` : ''}`);
    const step = await runStep(rate, steps.length);
    steps.push(step);
    if (step.generatorBound) {
      return done('generator-bound', `at ${rate} arrivals/s the load generator could not keep its schedule (${step.generator.reasons.join('; ') || 'untrustworthy'}): the generator, not the platform, is the limit`);
    }
    say(`  ${step.passed ? 'pass' : 'FAIL'}${step.latencyMs === null ? '' : `: p95 ${step.latencyMs.p95.toFixed(1)} ms, p99 ${step.latencyMs.p99.toFixed(1)} ms`}, ${step.throughput.toFixed(1)} req/s${step.passed ? '' : `; ${step.reasons.slice(0, 3).join('; ')}`}`);
    if (step.passed) lastPass = Math.max(lastPass ?? 0, rate);
    else firstFail = Math.min(firstFail ?? Number.POSITIVE_INFINITY, rate);

    if (firstFail === null) {
      if (rate >= settings.maxRate) return done('max-rate', `every step passed up to the max rate ${settings.maxRate} arrivals/s (--max-rate): the knee lies above it`);
      rate = roundRate(Math.min(rate * settings.growth, settings.maxRate));
      continue;
    }
    if (lastPass === null) {
      const lower = roundRate(rate / settings.growth);
      if (lower < settings.minRate || lower >= rate) return done('none-passed', `no step passed, down to ${rate} arrivals/s (--min-rate ${settings.minRate})`);
      rate = lower;
      continue;
    }
    if ((firstFail - lastPass) / lastPass <= settings.precision + 1e-9) {
      return done('found', `the knee lies between ${lastPass} and ${firstFail} arrivals/s, within the ${Math.round(settings.precision * 100)}% precision (--precision)`);
    }
    const middle = roundRate((lastPass + firstFail) / 2);
    if (middle <= lastPass || middle >= firstFail) {
      return done('found', `the knee lies between ${lastPass} and ${firstFail} arrivals/s (no rate between them at this rounding)`);
    }
    rate = middle;
  }
}
