// Analyze: what limited a run, from its bundle.
//
//   findingsOf(bundle, analysis) the findings document (findings.json, rampart.findings/1)
//   findRunFindings(input)   every rule over the bundle's analysis, generator health and platform
//                            samples, ranked (pure); the first finding is the top bottleneck
//
// Ranking: a generator-bound finding comes first (the measurement itself hit its limit); then the
// bottlenecks (causes: statement plans, saturated resources, memory growth) that explain at least
// 10% of their whole, by share; then everything else (the symptoms: endpoints by time and tail,
// error bursts, growing queues and latency, slow statements; and the minor causes) by share. A
// database-CPU finding is folded into the statement finding that explains it.
import { basename } from 'node:path';
import type { LoadedBundle } from '../core/bundle/types.ts';
import type { BundleAnalysis } from '../results/index.ts';
import { endpointFindings } from './endpoints.ts';
import { errorFindings } from './errors.ts';
import { generatorFindings } from './generator.ts';
import { resourceFindings } from './resources.ts';
import { statementFindings } from './statements.ts';
import { trendFindings } from './trends.ts';
import type { RuleInput } from './context.ts';
import type { Candidate, Finding, FindingsFile } from './types.ts';

/** Below this share a cause is not the run's bottleneck: it ranks with the symptoms. */
const MAJOR_SHARE = 0.1;
const order = (c: Candidate): number => (c.rule === 'generator-bound' ? 0 : c.tier === 'bottleneck' && c.share >= MAJOR_SHARE ? 1 : 2);

/** A saturated database with a statement defect: the defect is the finding, the CPU its evidence. */
function fold(candidates: Candidate[]): Candidate[] {
  const database = candidates.find((c) => c.rule === 'database-cpu-bound');
  const defect = candidates.filter((c) => c.tier === 'bottleneck' && c.shareOf === 'database time' && c.rule !== 'lock-bound').sort((a, b) => b.share - a.share).at(0);
  if (database === undefined || defect === undefined || defect.share < 0.5) return candidates;
  defect.evidence.push(...database.evidence.filter((e) => e.label.startsWith('database CPU') || e.label.startsWith('samples')).map((e) => ({ ...e, label: `${e.label} (PostgreSQL)` })));
  return candidates.filter((c) => c !== database);
}

export function findRunFindings(input: RuleInput): Finding[] {
  const candidates = fold([
    ...generatorFindings(input), ...statementFindings(input), ...resourceFindings(input),
    ...trendFindings(input), ...errorFindings(input), ...endpointFindings(input),
  ]);
  return candidates
    .sort((a, b) => order(a) - order(b) || b.share - a.share)
    .map((c, i) => ({ rank: i + 1, ...c }));
}

/** The findings document of a loaded, analysed bundle. */
export function findingsOf(bundle: LoadedBundle, analysis: BundleAnalysis, now = new Date()): FindingsFile {
  const resources = bundle.resources ?? null;
  const statements = bundle.statements ?? null;
  const missing: string[] = [];
  if (bundle.generator === null) missing.push('generator.json: no generator health (not a run with the measurement plugin); the generator rule is skipped');
  if (resources === null) missing.push('resources.json: no platform samples (a run without the sampler); the resource, queue and memory rules are skipped');
  else missing.push(...resources.missing.map((m) => `resources.json: ${m}`));
  if (statements === null) missing.push('statements.json: no SQL delta (no database was sampled); the statement rules are skipped');
  return {
    schema: 'rampart.findings/1',
    run: bundle.manifest?.runId ?? basename(bundle.dir),
    generatedAt: now.toISOString(),
    inputs: { histograms: bundle.histograms !== null, generator: bundle.generator !== null, resources: resources !== null, statements: statements !== null, missing },
    findings: findRunFindings({ analysis, generator: bundle.generator, resources, statements, artillery: bundle.artillery }),
  };
}
