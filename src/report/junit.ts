// junit.xml for CI test reporters: one test case per SLO check (a <failure> when breached), one per
// baseline comparison (a <failure> when SLOWER) and one for the run's trustworthiness. Pure.
import type { ReportModel } from './model.ts';
import { escapeXml } from './escape.ts';
import { formatChange, formatSloValue, sloComparator } from './format.ts';

const x = escapeXml;

interface Case {
  classname: string;
  name: string;
  failure: { type: string; message: string; body: string } | null;
  skipped: string | null;
}

function suite(name: string, cases: Case[], timestamp: string | null): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const skipped = cases.filter((c) => c.skipped !== null).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${x(c.classname)}" name="${x(c.name)}" time="0"`;
    if (c.failure !== null) {
      return `${open}>\n      <failure type="${x(c.failure.type)}" message="${x(c.failure.message)}">${x(c.failure.body)}</failure>\n    </testcase>`;
    }
    if (c.skipped !== null) return `${open}>\n      <skipped message="${x(c.skipped)}"/>\n    </testcase>`;
    return `${open}/>`;
  }).join('\n');
  const stamp = timestamp === null ? '' : ` timestamp="${x(timestamp)}"`;
  return `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0"${stamp}>\n${body}\n  </testsuite>`;
}

export function renderJunit(model: ReportModel): string {
  const timestamp = model.run.startedAt === null ? null : model.run.startedAt.replace(/Z$|[+-]\d\d:\d\d$/, '');

  const sloCases: Case[] = model.slo.map((c) => {
    const scope = c.scope === '*' ? 'whole run' : c.scope;
    const budget = `${sloComparator(c.metric, c.unit)} ${formatSloValue(c.threshold, c.unit)}`;
    const actual = formatSloValue(c.actual, c.unit);
    return {
      classname: `rampart.slo.${scope}`,
      name: `${c.metric} ${budget}`,
      failure: c.passed ? null : {
        type: 'SloBreach',
        message: `${scope} ${c.metric} is ${actual}, budget ${budget}`,
        body: `scope: ${scope}\nmetric: ${c.metric}\nbudget: ${budget}\nactual: ${actual}\n`,
      },
      skipped: c.passed && c.actual === null ? 'no data: the run never called this endpoint or has no such metric' : null,
    };
  });
  if (sloCases.length === 0) {
    sloCases.push({
      classname: 'rampart.slo',
      name: 'SLO budgets',
      failure: null,
      skipped: model.gate === null ? 'no gate result: run rampart gate on the bundle to check SLO budgets' : 'the gate checked no SLO budgets',
    });
  }

  const comparisonCases: Case[] = model.comparisons.map((c) => ({
    classname: `rampart.baseline.${c.endpoint}`,
    name: 'not slower than the baseline',
    failure: c.verdict !== 'SLOWER' ? null : {
      type: 'Regression',
      message: `${c.endpoint} is SLOWER than the baseline (${formatChange(c.ratio)})`,
      body: `${c.detail}\n`,
    },
    skipped: c.verdict === 'UNKNOWN' ? `the data could not decide: ${c.detail}` : null,
  }));

  const trustReasons = [...new Set([...(model.gate?.trust.reasons ?? []), ...(model.generator?.trust.reasons ?? [])])];
  const trustworthy = (model.gate?.trust.trustworthy ?? true) && (model.generator?.trust.trustworthy ?? true);
  const trustCase: Case = {
    classname: 'rampart.run',
    name: 'the load generator kept to the planned schedule',
    failure: trustworthy ? null : {
      type: 'Untrustworthy',
      message: trustReasons[0] ?? 'the run is untrustworthy',
      body: `${trustReasons.join('\n')}\n`,
    },
    skipped: model.gate === null && model.generator === null ? 'no generator record: the run did not use the measurement plugin' : null,
  };

  const suites = [suite('rampart.slo', sloCases, timestamp)];
  if (comparisonCases.length > 0) suites.push(suite('rampart.baseline', comparisonCases, timestamp));
  suites.push(suite('rampart.run', [trustCase], timestamp));

  const all = [...sloCases, ...comparisonCases, trustCase];
  const failures = all.filter((c) => c.failure !== null).length;
  const skipped = all.filter((c) => c.skipped !== null).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(model.title)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
