// The findings of `rampart analyze` (findings.json, schema 'rampart.findings/1'): what limited a run,
// ranked by how much of the run's time or errors each explains. Written by ./command.ts, read by the
// report's findings section (src/report/findings-section.ts). Shape documented in docs/analysis.md.

/** What a finding's share is a share of. */
export type ShareOf = 'request time' | 'database time' | 'errors' | 'run';

/**
 * A bottleneck is a cause (a statement's plan, a saturated resource, the generator); a symptom is
 * where the time or the errors show (an endpoint, a tail, a burst, a growing queue). Bottlenecks rank
 * before symptoms; the first finding is the run's top bottleneck.
 */
export type FindingTier = 'bottleneck' | 'symptom';

export const FINDING_RULES = [
  'generator-bound', 'missing-index', 'seq-scan', 'sort-spill', 'n-plus-one', 'pool-bound', 'lock-bound',
  'cpu-bound', 'database-cpu-bound', 'io-bound', 'memory-growth', 'slow-statement', 'endpoint-time',
  'tail-latency', 'queue-growth', 'error-burst', 'latency-growth',
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];

/** One number from the bundle that supports a finding. */
export interface Evidence {
  label: string;
  value: number;
  /** 'ms', '%', 'count', 'bytes', 'blocks', 'per request', 'per second', 'ms per period', ... */
  unit: string;
}

export interface Finding {
  rank: number; // 1 = the top bottleneck
  rule: FindingRule;
  tier: FindingTier;
  /** what it is about: an endpoint key, a statement's text (cut to 200 characters), a resource */
  subject: string;
  title: string; // one line
  share: number; // 0..1 of `shareOf`
  shareOf: ShareOf;
  evidence: Evidence[];
  recommendation: string;
}

export interface FindingsFile {
  schema: 'rampart.findings/1';
  /** the run id from run.json, else the bundle folder's name */
  run: string;
  generatedAt: string; // ISO
  /** which bundle files the rules could read; each missing part in one line */
  inputs: { histograms: boolean; generator: boolean; resources: boolean; statements: boolean; missing: string[] };
  findings: Finding[];
}

/** A finding before ranking. */
export type Candidate = Omit<Finding, 'rank'>;
