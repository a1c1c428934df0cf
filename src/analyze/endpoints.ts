// Findings that show where the request time goes: the endpoints by total time (responses x mean
// latency) and those whose tail is far from their median. Symptoms: the bottleneck findings say why.
import { endpointTimes, percent, round } from './context.ts';
import type { RuleInput } from './context.ts';
import type { Candidate } from './types.ts';

export const ENDPOINT_RULES = { minShare: 0.05, tailRatio: 5, tailMinMs: 100, listed: 5 } as const;

export function endpointFindings(input: RuleInput): Candidate[] {
  return endpointTimes(input.analysis).filter((e) => e.share >= ENDPOINT_RULES.minShare).slice(0, ENDPOINT_RULES.listed).map((e) => {
    const stats = e.summary.latencyMs;
    const tail = stats !== null && stats.p99 >= ENDPOINT_RULES.tailMinMs && stats.p99 >= ENDPOINT_RULES.tailRatio * Math.max(stats.p50, 0.001);
    const evidence = [
      { label: 'share of request time', value: percent(e.share), unit: '%' },
      { label: 'requests', value: e.requests, unit: 'count' },
      { label: 'total time', value: round(e.timeMs / 1000, 1), unit: 's' },
      ...(stats === null ? [] : [
        { label: 'mean', value: round(stats.mean, 2), unit: 'ms' },
        { label: 'p50', value: round(stats.p50, 2), unit: 'ms' },
        { label: 'p99', value: round(stats.p99, 2), unit: 'ms' },
      ]),
    ];
    const p = (v: number | undefined): string => String(round(v ?? 0, 1));
    return tail
      ? {
        rule: 'tail-latency' as const, tier: 'symptom' as const, subject: e.endpoint, share: e.share, shareOf: 'request time' as const, evidence,
        title: `${e.endpoint}: a long tail, p99 ${p(stats.p99)} ms against p50 ${p(stats.p50)} ms (${String(percent(e.share))}% of request time)`,
        recommendation: 'a tail this far from the median is waiting, not work: a queue (pool, lock, event loop) or an occasional slow path; compare its worst periods with the resource samples',
      }
      : {
        rule: 'endpoint-time' as const, tier: 'symptom' as const, subject: e.endpoint, share: e.share, shareOf: 'request time' as const, evidence,
        title: `${e.endpoint}: ${String(percent(e.share))}% of request time (${String(e.requests)} requests, mean ${p(stats?.mean)} ms)`,
        recommendation: 'the statements and resources above say what it waits on; it is the endpoint to make faster first',
      };
  });
}
