// Findings from the SQL delta (statements.json): the statements behind the run's database time and
// what their stored plans say. Pure.
//
//   missing-index   a scan that filters what it reads (a Seq Scan with a Filter, or an index scan whose
//                   Filter compares columns the index does not cover) AND the statement reads many
//                   blocks for each row it returns (>= 10 blocks a row, >= 100 blocks a call): rows
//                   are read to be thrown away. Without a stored plan (EXPLAIN failed), the measured
//                   blocks alone, at stricter bounds (>= 100 blocks a row, >= 1,000 a call), with
//                   the comparisons of the statement's text
//   seq-scan        a sequential scan of a large table (>= 1,000 blocks a call) with no equality filter
//                   an index could serve (an aggregate over the whole table)
//   sort-spill      the statement wrote temporary blocks: a sort or hash that did not fit work_mem
//   n-plus-one      called >= 3 times per request of the run, cheap each (mean < 2 ms): a query per
//                   item instead of one query for all; named after the endpoint whose request count
//                   divides its calls evenly when exactly one does
//   slow-statement  any other statement with >= 10% of database time (a symptom: it shows where the
//                   database time goes, not why)
// Each share is the statement's share of all statements' execution time in the delta.
import { endpointTimes, percent, round, statementText } from './context.ts';
import type { RuleInput } from './context.ts';
import { planFacts, scanFromText, suggestedIndex } from './plans.ts';
import type { FilteredScan } from './plans.ts';
import type { StatementDelta } from '../core/bundle/types.ts';
import type { Candidate, Evidence } from './types.ts';

export const STATEMENT_RULES = {
  blocksPerRow: 10,
  minBlocksPerCall: 100,
  largeTableBlocks: 1000,
  planlessBlocksPerRow: 100,
  planlessBlocksPerCall: 1000,
  nPlusOneCallsPerRequest: 3,
  cheapMeanMs: 2,
  slowShare: 0.1,
  minShare: 0.02,
} as const;

const blocksOf = (s: StatementDelta): number => s.sharedBlksHit + s.sharedBlksRead;

function baseEvidence(s: StatementDelta, share: number): Evidence[] {
  return [
    { label: 'share of database time', value: percent(share), unit: '%' },
    { label: 'calls', value: s.calls, unit: 'count' },
    { label: 'mean execution time', value: round(s.meanExecMs, 3), unit: 'ms' },
    { label: 'total execution time', value: round(s.totalExecMs), unit: 'ms' },
    { label: 'rows per call', value: round(s.rows / s.calls, 2), unit: 'rows' },
    { label: 'blocks read per call', value: round(blocksOf(s) / s.calls), unit: 'blocks' },
  ];
}

/**
 * The scan that reads many rows to keep few: from the plan when it has one, else (no plan stored)
 * from the statement's text when its blocks are far past the plan-backed bounds.
 */
function wastefulScan(s: StatementDelta, scans: FilteredScan[], planned: boolean): FilteredScan | null {
  const blocksPerCall = blocksOf(s) / s.calls;
  const blocksPerRow = blocksPerCall / Math.max(s.rows / s.calls, 1);
  if (blocksPerCall < STATEMENT_RULES.minBlocksPerCall || blocksPerRow < STATEMENT_RULES.blocksPerRow) return null;
  const fromPlan = scans.find((scan) => scan.filter !== null && (scan.node === 'Seq Scan' || scan.filterColumns.some((c) => !scan.indexColumns.includes(c))));
  if (fromPlan !== undefined || planned) return fromPlan ?? null;
  return blocksPerCall >= STATEMENT_RULES.planlessBlocksPerCall && blocksPerRow >= STATEMENT_RULES.planlessBlocksPerRow ? scanFromText(s.query) : null;
}

/** The one endpoint whose request count divides the calls evenly (within 3%, >= 2 per request), if exactly one does. */
function nPlusOneEndpoint(input: RuleInput, calls: number): { endpoint: string; perRequest: number } | null {
  const fits = endpointTimes(input.analysis).filter((e) => e.requests > 0).map((e) => ({ endpoint: e.endpoint, perRequest: calls / e.requests }))
    .filter((f) => f.perRequest >= 2 && Math.abs(f.perRequest - Math.round(f.perRequest)) <= 0.03 * f.perRequest);
  return fits.length === 1 ? fits[0] : null;
}

function statementFinding(input: RuleInput, s: StatementDelta, share: number, plan: { plan: unknown; error?: string } | undefined): Candidate | null {
  const facts = planFacts(plan?.plan ?? null);
  const subject = statementText(s.query);
  const evidence = baseEvidence(s, share);
  const runRequests = input.analysis.run.summary.requests;
  const scan = wastefulScan(s, facts.scans, facts.scans.length > 0);
  if (scan !== null && share >= STATEMENT_RULES.minShare) {
    const index = suggestedIndex(scan);
    const how = scan.node === 'Seq Scan' ? `a sequential scan of ${scan.relation}`
      : scan.node === 'statement text' ? `a read of ${scan.relation} (no plan stored${plan?.error === undefined ? '' : `: ${plan.error}`})`
        : `${scan.node} of ${scan.relation} on ${scan.index ?? 'an index'} (${scan.indexColumns.join(', ')})`;
    evidence.push({ label: 'blocks read per row returned (a call returning none counts one)', value: round(blocksOf(s) / s.calls / Math.max(s.rows / s.calls, 1)), unit: 'blocks' });
    if (index !== null) {
      return {
        rule: 'missing-index', tier: 'bottleneck', subject, share, shareOf: 'database time', evidence,
        title: `missing index: ${how} filters on ${scan.filterColumns.filter((c) => !scan.indexColumns.includes(c)).join(', ')} and discards most of what it reads`,
        recommendation: `${index}${scan.filterColumns.filter((c) => !scan.indexColumns.includes(c)).length > 1 ? ' (the most selective equality column may do alone, with the range column after it)' : ''}; then check that EXPLAIN uses it and the blocks read per call fall`,
      };
    }
    if (scan.node === 'Seq Scan') {
      return {
        rule: 'seq-scan', tier: 'bottleneck', subject, share, shareOf: 'database time', evidence,
        title: `sequential scan of ${scan.relation} on every call (${String(round(blocksOf(s) / s.calls, 0))} blocks a call)`,
        recommendation: `index the filter (${scan.filter ?? ''}) or keep the answer precomputed (a summary table, a materialised view) instead of scanning ${scan.relation} each call`,
      };
    }
  }
  const fullScan = facts.scans.find((sc) => sc.node === 'Seq Scan' && sc.filterColumns.length === 0);
  if (fullScan !== undefined && blocksOf(s) / s.calls >= STATEMENT_RULES.largeTableBlocks && share >= STATEMENT_RULES.minShare) {
    return {
      rule: 'seq-scan', tier: 'bottleneck', subject, share, shareOf: 'database time', evidence,
      title: `sequential scan of ${fullScan.relation} on every call (${String(round(blocksOf(s) / s.calls, 0))} blocks a call)`,
      recommendation: `avoid reading all of ${fullScan.relation} per call: an index on what the query narrows by, a summary kept up to date, or a cached answer`,
    };
  }
  if (s.tempBlksWritten > 0 && share >= STATEMENT_RULES.minShare) {
    evidence.push({ label: 'temporary blocks written per call', value: round(s.tempBlksWritten / s.calls), unit: 'blocks' });
    const key = facts.sorts.at(0)?.key.join(', ');
    return {
      rule: 'sort-spill', tier: 'bottleneck', subject, share, shareOf: 'database time', evidence,
      title: `${key === undefined ? 'a sort or hash' : `the sort on ${key}`} spills to disk (${String(s.tempBlksWritten)} temporary blocks written)`,
      recommendation: `an index in the sort's order (with a LIMIT, the database stops early), or a larger work_mem for this statement (SET LOCAL work_mem)`,
    };
  }
  if (runRequests > 0 && s.calls >= STATEMENT_RULES.nPlusOneCallsPerRequest * runRequests && s.meanExecMs < STATEMENT_RULES.cheapMeanMs) {
    const owner = nPlusOneEndpoint(input, s.calls);
    evidence.splice(1, 0, { label: 'calls per request of the run', value: round(s.calls / runRequests, 2), unit: 'per request' });
    if (owner !== null) evidence.splice(2, 0, { label: `calls per request of ${owner.endpoint}`, value: round(owner.perRequest, 2), unit: 'per request' });
    return {
      rule: 'n-plus-one', tier: 'bottleneck', subject, share, shareOf: 'database time', evidence,
      title: `N+1 queries${owner === null ? '' : ` in ${owner.endpoint}`}: called ${String(round(s.calls / (owner === null ? runRequests : s.calls / owner.perRequest), 1))} times per request, ${String(round(s.meanExecMs, 3))} ms each`,
      recommendation: 'fetch the items in one statement (WHERE id = ANY($1), or a JOIN) instead of one query per item; each round trip costs far more than the query',
    };
  }
  if (share >= STATEMENT_RULES.slowShare) {
    return {
      rule: 'slow-statement', tier: 'symptom', subject, share, shareOf: 'database time', evidence,
      title: `${String(percent(share))}% of database time in one statement (${String(s.calls)} calls, ${String(round(s.meanExecMs, 2))} ms each)`,
      recommendation: 'read its plan (EXPLAIN (ANALYZE, BUFFERS) with real parameters): if it waits rather than works, the time is elsewhere (a lock, a sleep, the network)',
    };
  }
  return null;
}

export function statementFindings(input: RuleInput): Candidate[] {
  const file = input.statements;
  if (file === null || file.totalExecMs <= 0) return [];
  const plans = new Map(file.plans.map((p) => [p.queryId, p]));
  const out: Candidate[] = [];
  for (const s of file.statements) {
    if (s.calls <= 0) continue;
    const finding = statementFinding(input, s, s.totalExecMs / file.totalExecMs, plans.get(s.queryId));
    if (finding !== null) out.push(finding);
  }
  return out;
}
