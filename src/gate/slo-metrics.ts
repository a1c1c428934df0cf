// SLO budgets on any metric a run's processors emitted (the `metrics:` section of ci/slo files):
// counters, rates and histograms (summaries), by their Artillery name.
//
//   metrics:
//     shop.orders:      { min: 100 }            # a counter: the run's total
//     shop.clicks:      { max: 50 }             # a rate: Artillery's events per second over the run
//     shop.checkout_ms: { p95: 200, max: 900 }  # a histogram: its statistics over the run (ms)
//
// `min` is a floor, every other statistic a ceiling. Which kind a name is comes from the run: a
// histogram when the run recorded one of that name, else a counter, else a rate. A statistic that
// does not fit the kind (p95 of a counter) is bad input (exit 2); a name the run never emitted is a
// check with no data, which the command line warns about.
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { usageError } from '../core/errors.ts';
import type { SloCheck } from '../core/bundle/types.ts';
import type { CustomMetric, EnsureCheck } from '../results/index.ts';

export const METRIC_STATISTICS = ['min', 'max', 'mean', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999'] as const;
export type MetricStatistic = (typeof METRIC_STATISTICS)[number];
/** A custom metric's budget: statistic -> limit (null switches an inherited one off). */
export type MetricBudget = Partial<Record<MetricStatistic, number | null>>;

const COUNTER_STATISTICS: readonly MetricStatistic[] = ['min', 'max'];

/** Parses the `metrics:` section (a YAML mapping node); `at` gives a node's file:line. */
export function metricBudgetsAt(node: unknown, at: (node: Node | null | undefined) => string, locations: Record<string, string>): Record<string, MetricBudget> {
  if (!isMap(node)) throw usageError(`${at(node as Node)}: metrics must be a mapping of metric names to budgets, e.g. 'my.counter: { max: 10 }'`);
  const out: Record<string, MetricBudget> = {};
  for (const pair of node.items) {
    if (!isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number') || String(pair.key.value).trim() === '') {
      throw usageError(`${at(pair.key as Node)}: metrics has a key that is not a metric name`);
    }
    const name = String(pair.key.value);
    if (!isMap(pair.value)) throw usageError(`${at(pair.value as Node)}: metrics."${name}" must be a mapping of statistics to limits, e.g. { p95: 200 }`);
    const budget: MetricBudget = {};
    for (const entry of pair.value.items) {
      const statistic = isScalar(entry.key) ? String(entry.key.value) : '';
      if (!(METRIC_STATISTICS as readonly string[]).includes(statistic)) {
        throw usageError(`${at(entry.key as Node)}: unknown statistic '${statistic}' in metrics."${name}"; known statistics: ${METRIC_STATISTICS.join(', ')} (min is a floor, the others ceilings)`);
      }
      const value = isScalar(entry.value) ? entry.value.value : undefined;
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw usageError(`${at(entry.value as Node)}: metrics."${name}".${statistic} must be a number, at least 0, or null, got '${typeof value === 'string' ? value : JSON.stringify(value)}'`);
      }
      budget[statistic as MetricStatistic] = value;
    }
    locations[name] = at(pair.key);
    out[name] = budget;
  }
  return out;
}

/**
 * Artillery's own ensure checks as SLO checks (scope `ensure`): a failed strict check fails the gate
 * as a breached budget does; a failed optional one (strict: false) is shown but, as in Artillery,
 * fails nothing. The value is the metric's figure in the run's aggregate when Rampart can read it.
 */
export function ensureSloChecks(checks: readonly EnsureCheck[] | null): SloCheck[] {
  return (checks ?? []).map((c) => ({
    scope: 'ensure',
    metric: `${c.expression}${c.strict ? '' : c.passed ? ' (optional)' : ' (optional, failed)'}`,
    threshold: c.limit ?? 0,
    actual: c.value,
    unit: 'count',
    passed: c.passed || !c.strict,
  }));
}

/** What the run recorded of its custom metrics: Artillery's aggregate counters and rates, and the analysed histograms. */
export interface EmittedMetrics {
  counters: Readonly<Record<string, number>>;
  rates: Readonly<Record<string, number>>;
  histograms: readonly CustomMetric[];
}

/** The checks of the `metrics:` budgets against what the run emitted. */
export function metricChecks(budgets: Readonly<Record<string, MetricBudget>>, emitted: EmittedMetrics, locations: Readonly<Record<string, string>> = {}): SloCheck[] {
  const checks: SloCheck[] = [];
  const histograms = new Map(emitted.histograms.map((m) => [m.name, m]));
  for (const name of Object.keys(budgets).sort()) {
    const budget = budgets[name];
    const histogram = histograms.get(name);
    const kind = histogram !== undefined ? 'histogram' : Object.hasOwn(emitted.counters, name) ? 'counter' : Object.hasOwn(emitted.rates, name) ? 'rate' : null;
    for (const statistic of METRIC_STATISTICS) {
      const threshold = budget[statistic];
      if (threshold == null) continue;
      if ((kind === 'counter' || kind === 'rate') && !COUNTER_STATISTICS.includes(statistic)) {
        throw usageError(`${locations[name] ?? 'SLO file'}: metrics."${name}".${statistic}: '${name}' is a ${kind} in this run, whose budgets are min and max (${statistic} applies to histograms)`);
      }
      let actual: number | null = null;
      if (kind === 'histogram') actual = histogram?.stats?.[statistic] ?? null;
      else if (kind === 'counter') actual = emitted.counters[name];
      else if (kind === 'rate') actual = emitted.rates[name];
      const unit: SloCheck['unit'] = kind === 'counter' ? 'count' : kind === 'rate' ? 'rate' : 'ms';
      const passed = actual === null ? true : statistic === 'min' ? actual >= threshold : actual <= threshold;
      checks.push({ scope: name, metric: statistic, threshold, actual, unit, passed });
    }
  }
  return checks;
}
