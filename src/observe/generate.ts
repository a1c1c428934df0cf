// The generated files of observability/ (pure apart from reading the SLO files and the profiles):
//   prometheus/rules/slo-budgets.yml   every budget of ci/slo/ as a recording rule (rules.ts)
//   prometheus/prometheus.yml          scrape and alerting configuration for the default ports
//   alertmanager/alertmanager.yml      the routes to the webhook receiver
//   grafana/dashboards/*.json          the dashboards (dashboards.ts)
// `rampart observe generate` writes them; `--check` (npm test) fails when one is out of date.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadBudgets, loadDefaultBudgets } from './slo-budgets.ts';
import { budgetRules } from './rules.ts';
import { DEFAULT_TARGETS, alertmanagerConfig, prometheusConfig } from './prometheus-config.ts';
import { dashboardFiles } from './dashboards.ts';

export const RULE_FILES = ['recordings.yml', 'alerts.yml', 'slo-budgets.yml'] as const;
export const DEFAULT_WEBHOOK = 'http://127.0.0.1:9095/alerts';

/** Profile names: the phases/*.yml files of the suite. */
export async function profileNames(suite: string): Promise<string[]> {
  return (await readdir(path.join(suite, 'phases'))).filter((f) => f.endsWith('.yml')).map((f) => f.slice(0, -4)).sort();
}

/** path relative to observability/ -> content. */
export async function generatedFiles(root: string, suite: string, sloDir: string): Promise<Map<string, string>> {
  const profiles = await profileNames(suite);
  const budgets = await loadBudgets(sloDir, profiles, root);
  const defaults = await loadDefaultBudgets(sloDir, root);
  const sources = [...new Set(budgets.flatMap((b) => b.sources))];
  const files = new Map<string, string>();
  files.set('prometheus/rules/slo-budgets.yml', budgetRules(budgets, defaults.run, sources));
  files.set('prometheus/prometheus.yml', prometheusConfig({ targets: DEFAULT_TARGETS, ruleFiles: RULE_FILES.map((f) => `rules/${f}`), scrapeInterval: '15s', evaluationInterval: '15s' }));
  files.set('alertmanager/alertmanager.yml', alertmanagerConfig({ webhookUrl: DEFAULT_WEBHOOK, groupWait: '10s', groupInterval: '1m', repeatInterval: '4h' }));
  for (const [name, text] of dashboardFiles()) files.set(`grafana/${name}`, text);
  return files;
}
