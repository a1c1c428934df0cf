// B against A, per endpoint, with the gate's own statistics (pure but for loading the bundles):
//   verdict   src/gate/evaluate.ts compareWithBaseline with B as the candidate runs and A as the
//             baseline runs (the SLO files' comparison settings, the common-drift adjustment included):
//             SLOWER / FASTER / SAME / UNKNOWN, its ratio and its one-line detail
//   p50, p95  the ratio B/A of each run's per-period p50 (p95) and its confidence interval, from the
//             gate's compareSeries on those per-period figures (absolute latencies: the settings'
//             absoluteNoiseFloor is the least run-to-run spread assumed)
//   resources the platform's CPU, the database's CPU, pool waiting ... from resources.json, per side
//   statements the top statements of statements.json, per side, joined by queryId
import { untrustworthy, usageError } from '../core/errors.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import type { EndpointAnalysis } from '../results/index.ts';
import { baselineRunOf, profileOf, runIdOf } from '../gate/baseline.ts';
import { assessTrust, compareWithBaseline, runTotals } from '../gate/evaluate.ts';
import type { AnalysedRun } from '../gate/evaluate.ts';
import { compareSeries } from '../gate/compare.ts';
import type { RunSeries } from '../gate/compare.ts';
import type { SloConfig } from '../gate/slo.ts';
import type { CompareEndpoint, RatioInterval, SideRun, SideSummary } from './document.ts';
import { resourcesOf, statementsSideBySide } from './resources.ts';

export async function loadSide(paths: readonly string[]): Promise<AnalysedRun[]> {
  const runs: AnalysedRun[] = [];
  for (const path of paths) {
    const bundle = await loadBundle(path);
    runs.push({ bundle, analysis: analyzeBundle(bundle) });
  }
  return runs;
}

/** Both sides' runs must be trustworthy (exit 3 naming the run otherwise) and of one profile (exit 2). */
export function checkSides(a: readonly AnalysedRun[], b: readonly AnalysedRun[]): string | null {
  const reasons: string[] = [];
  for (const [side, runs] of [['A', a], ['B', b]] as const) {
    for (const run of runs) {
      const trust = assessTrust(run.bundle, runTotals(run.analysis.endpoints));
      if (!trust.trustworthy) reasons.push(`${side} ${runIdOf(run.bundle)}: ${trust.reasons.join('; ')}`);
    }
  }
  if (reasons.length > 0) throw untrustworthy(`a run cannot be trusted, nothing compared: ${reasons.join(' | ')}`);
  const profiles = new Set([...a, ...b].map((r) => profileOf(r.bundle)).filter((p): p is string => p !== null));
  if (profiles.size > 1) throw usageError(`the runs are of different profiles (${[...profiles].sort().join(', ')}); compare runs of one profile`);
  return [...profiles][0] ?? null;
}

function periodSeries(runs: readonly AnalysedRun[], key: string, pick: 'p50' | 'p95', minResponses: number): RunSeries[] {
  const out: RunSeries[] = [];
  for (const run of runs) {
    const endpoint = run.analysis.endpoints.find((e) => e.summary.endpoint === key);
    if (endpoint === undefined) continue;
    const values = endpoint.periods.filter((p) => p.responses >= minResponses && p.latencyMs !== null).map((p) => p.latencyMs?.[pick] ?? 0);
    out.push({ runId: runIdOf(run.bundle), values });
  }
  return out;
}

function ratioOf(key: string, pick: 'p50' | 'p95', a: readonly AnalysedRun[], b: readonly AnalysedRun[], slo: SloConfig): RatioInterval | null {
  const settings = { ...slo.comparison, noiseFloor: Math.max(slo.comparison.noiseFloor, slo.comparison.absoluteNoiseFloor) };
  const evidence = compareSeries(`${key} ${pick}`, periodSeries(b, key, pick, settings.minRequestsPerPeriod), periodSeries(a, key, pick, settings.minRequestsPerPeriod), settings);
  if (evidence.ratio === null || evidence.lower === null || evidence.upper === null) return null;
  return { ratio: evidence.ratio, lower: evidence.lower, upper: evidence.upper, verdict: evidence.verdict };
}

function figuresOf(runs: readonly AnalysedRun[], key: string): SideSummary | null {
  const found = runs.map((r) => r.analysis.endpoints.find((e) => e.summary.endpoint === key)).filter((e): e is EndpointAnalysis => e !== undefined);
  if (found.length === 0) return null;
  const mean = (pick: (e: EndpointAnalysis) => number | null): number | null => {
    const values = found.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
  };
  return {
    requests: found.reduce((n, e) => n + e.summary.requests, 0),
    p50: mean((e) => e.summary.latencyMs?.p50 ?? null),
    p95: mean((e) => e.summary.latencyMs?.p95 ?? null),
    p99: mean((e) => e.summary.latencyMs?.p99 ?? null),
    errorRate: mean((e) => e.summary.errorRate) ?? 0,
  };
}

export function sideRuns(runs: readonly AnalysedRun[], paths: readonly string[]): SideRun[] {
  return runs.map((run, i) => ({ runId: runIdOf(run.bundle), bundle: paths[i] ?? run.bundle.dir, startedAt: run.bundle.manifest?.startedAt ?? null, requests: runTotals(run.analysis.endpoints).requests }));
}

export function compareEndpoints(a: readonly AnalysedRun[], b: readonly AnalysedRun[], slo: SloConfig): CompareEndpoint[] {
  const verdicts = compareWithBaseline(slo, b.map((r) => baselineRunOf(r.bundle, r.analysis.endpoints)), a.map((r) => baselineRunOf(r.bundle, r.analysis.endpoints)));
  const keys = new Set<string>();
  for (const run of [...a, ...b]) for (const e of run.analysis.endpoints) keys.add(e.summary.endpoint);
  return [...keys].sort().map((key) => {
    const verdict = verdicts.find((v) => v.endpoint === key);
    return {
      endpoint: key,
      verdict: verdict?.verdict ?? 'UNKNOWN',
      ratio: verdict?.ratio ?? null,
      detail: verdict?.detail ?? 'not measured in B',
      p50: ratioOf(key, 'p50', a, b, slo),
      p95: ratioOf(key, 'p95', a, b, slo),
      a: figuresOf(a, key),
      b: figuresOf(b, key),
    };
  });
}

export function sideBySide(a: readonly LoadedBundle[], b: readonly LoadedBundle[]): { resources: { a: ReturnType<typeof resourcesOf>; b: ReturnType<typeof resourcesOf> }; statements: ReturnType<typeof statementsSideBySide> } {
  return { resources: { a: resourcesOf(a), b: resourcesOf(b) }, statements: statementsSideBySide(a, b, 10) };
}
