// Findings from the run's errors: for each kind (an HTTP status >= 500, 429, transport errors, and
// the errors a scenario raised itself, Artillery's errors.<message> counters that are not transport
// codes, grouped by the message before its first colon) how many, when it first occurred, and
// whether it came as a burst (most of it within 3 consecutive periods) or throughout. Pure. Other
// 4xx are left out: flows send some on purpose.
import { percent, round } from './context.ts';
import type { RuleInput } from './context.ts';
import type { Candidate } from './types.ts';

export const ERROR_RULES = { minErrors: 5, minShareOfRequests: 0.001, burstPeriods: 3, burstShare: 0.5 } as const;

const counted = (code: string): boolean => Number(code) >= 500 || code === '429';

export function errorFindings(input: RuleInput): Candidate[] {
  const { run, endpoints } = input.analysis;
  const periods = run.periods;
  if (periods.length === 0) return [];
  const kinds = new Map<string, number[]>();
  periods.forEach((p, i) => {
    let fivexx = 0;
    for (const [code, count] of Object.entries(p.codes)) {
      if (Number(code) >= 500) fivexx += count;
      if (!counted(code) || count <= 0) continue;
      const key = `HTTP ${code}`;
      if (!kinds.has(key)) kinds.set(key, new Array<number>(periods.length).fill(0));
      (kinds.get(key) ?? [])[i] += count;
    }
    const transport = p.errors - fivexx;
    if (transport > 0) {
      if (!kinds.has('transport errors')) kinds.set('transport errors', new Array<number>(periods.length).fill(0));
      (kinds.get('transport errors') ?? [])[i] += transport;
    }
  });
  for (const period of input.artillery?.intermediate ?? []) {
    const at = typeof period.period === 'number' ? period.period : period.firstCounterAt;
    if (at === undefined) continue;
    // the run's period it falls in (after the last one with requests: the last)
    const index = Math.max(0, periods.findLastIndex((p) => p.start <= at));
    for (const [name, count] of Object.entries(period.counters)) {
      if (!name.startsWith('errors.') || /^E[A-Z_]+$/.test(name.slice(7)) || count <= 0) continue;
      const key = `scenario error: ${name.slice(7).split(':')[0].trim()}`;
      if (!kinds.has(key)) kinds.set(key, new Array<number>(periods.length).fill(0));
      (kinds.get(key) ?? [])[index] += count;
    }
  }
  const all = [...kinds.values()].reduce((n, series) => n + series.reduce((a, b) => a + b, 0), 0);
  const out: Candidate[] = [];
  for (const [kind, series] of kinds) {
    const total = series.reduce((a, b) => a + b, 0);
    if (total < ERROR_RULES.minErrors || total < ERROR_RULES.minShareOfRequests * run.summary.requests) continue;
    const first = series.findIndex((n) => n > 0);
    let best = 0;
    let bestAt = first;
    for (let i = 0; i < series.length; i++) {
      const window = series.slice(i, i + ERROR_RULES.burstPeriods).reduce((a, b) => a + b, 0);
      if (window > best) {
        best = window;
        bestAt = i;
      }
    }
    const burst = best / total >= ERROR_RULES.burstShare && series.filter((n) => n > 0).length > ERROR_RULES.burstPeriods;
    const offset = (i: number): number => round((periods[i].start - periods[0].start) / 1000, 0);
    const code = kind.startsWith('HTTP ') ? kind.slice(5) : null;
    const byEndpoint = kind.startsWith('scenario error') ? [] : endpoints
      .map((e) => ({ endpoint: e.summary.endpoint, n: code === null ? e.summary.errors.transport : (e.summary.codes[code] ?? 0) }))
      .filter((e) => e.n > 0).sort((a, b) => b.n - a.n);
    const top = byEndpoint.at(0);
    out.push({
      rule: 'error-burst', tier: 'symptom', subject: kind, share: all > 0 ? total / all : 0, shareOf: 'errors',
      title: `${kind}: ${String(total)} ${burst ? `in a burst (${String(percent(best / total))}% within 30 s from +${String(offset(bestAt))} s)` : 'spread over the run'}, first at +${String(offset(first))} s${top === undefined ? '' : `, most on ${top.endpoint}`}`,
      evidence: [
        { label: 'errors', value: total, unit: 'count' },
        { label: 'share of the run\'s requests', value: percent(total / Math.max(run.summary.requests, 1)), unit: '%' },
        { label: 'first occurrence after the run\'s first period', value: offset(first), unit: 's' },
        { label: 'periods with this error', value: series.filter((n) => n > 0).length, unit: 'count' },
        { label: 'most in 3 consecutive periods', value: best, unit: 'count' },
        ...(top === undefined ? [] : [{ label: `errors on ${top.endpoint}`, value: top.n, unit: 'count' }]),
      ],
      recommendation: code === '429'
        ? 'a rate limit answered: check whether the scenario meant to trip it (shared tokens, one client address) before reading it as a platform limit'
        : code === '503' || code === '504'
          ? 'the platform shed load or timed out: look at the pool and resource findings for the period it began'
          : kind.startsWith('scenario error')
            ? 'a check the scenario makes failed (a virtual user gave up): read what it waits for, e.g. detection behind a growing backlog, and the findings that explain that'
            : 'read the platform log from the first occurrence on: the first error of a burst names its cause more often than the later ones',
    });
  }
  return out;
}
