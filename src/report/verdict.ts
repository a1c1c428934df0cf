// The report's verdict line: what the gate decided, or why the run is not judged. Pure.
import type { EndpointComparison, SloCheck } from '../core/bundle/types.ts';
import { formatChange, formatSloValue, sloComparator } from './format.ts';
import type { ReportModel } from './model.ts';

/** One line of an SLO check, for reasons and tooltips. */
export function describeCheck(c: SloCheck): string {
  const scope = c.scope === '*' ? 'whole run' : c.scope;
  return `${scope} ${c.metric} ${formatSloValue(c.actual, c.unit)} (budget ${sloComparator(c.metric, c.unit)} ${formatSloValue(c.threshold, c.unit)})`;
}

function describeComparison(c: EndpointComparison): string {
  return `${c.endpoint} is ${c.verdict} than the baseline (${formatChange(c.ratio)})${c.detail ? `: ${c.detail}` : ''}`;
}


/** The verdict shown at the top of the report. */
export function verdictOf(model: Pick<ReportModel, 'gate' | 'generator' | 'totals' | 'run'>): ReportModel['verdict'] {
  const gate = model.gate;
  if (gate !== null) {
    if (gate.outcome === 'untrustworthy') {
      return { level: 'untrustworthy', headline: 'The run cannot be trusted, so the gate did not judge it.', reasons: gate.trust.reasons };
    }
    const breached = gate.slo.filter((c) => !c.passed);
    const slower = gate.comparisons.filter((c) => c.verdict === 'SLOWER');
    const reasons = [...breached.map((c) => `SLO breached: ${describeCheck(c)}`), ...slower.map((c) => `Regression: ${describeComparison(c)}`)];
    if (gate.outcome === 'fail') {
      const parts = [
        breached.length > 0 ? `${breached.length} SLO check${breached.length === 1 ? '' : 's'} breached` : null,
        slower.length > 0 ? `${slower.length} endpoint${slower.length === 1 ? '' : 's'} slower than the baseline` : null,
      ].filter((p): p is string => p !== null);
      return { level: 'fail', headline: parts.length > 0 ? `${parts.join('; ')}.` : 'The gate failed this run.', reasons };
    }
    const baseline = gate.baseline === null ? 'no baseline was compared' : `no endpoint slower than the baseline (${gate.comparisons.length} compared)`;
    const withData = gate.slo.filter((c) => c.actual !== null).length;
    const noData = gate.slo.length - withData;
    const checks = noData === 0 ? `All ${withData} SLO checks passed` : `All ${withData} SLO checks with data passed (${noData} had no data)`;
    return { level: 'pass', headline: `${checks}; ${baseline}.`, reasons };
  }
  if (model.generator !== null && !model.generator.trust.trustworthy) {
    return { level: 'untrustworthy', headline: 'The load generator could not be trusted in this run (its reasons below); its figures are not a measurement of the platform.', reasons: model.generator.trust.reasons };
  }
  const reasons: string[] = [];
  if (model.totals.errors > 0) reasons.push(`${model.totals.errors} of ${model.totals.requests} requests failed (transport errors or 5xx).`);
  if (model.run.interrupted) reasons.push('The run was interrupted before its end.');
  if (model.run.artilleryExitCode !== null && model.run.artilleryExitCode !== 0) {
    reasons.push(`Artillery exited with code ${model.run.artilleryExitCode}${model.run.artilleryExitCode === 1 ? ' (an ensure threshold was breached)' : ''}.`);
  }
  return { level: 'unjudged', headline: 'Not judged: no gate result. Run “rampart gate” on this bundle to check SLO budgets and the baseline.', reasons };
}

