// What a run publishes while it goes, and where: Artillery's publish-metrics plugin (type prometheus)
// pushing every 10 s period to the Pushgateway, plus Rampart's own status family. Pure, except
// gitRevision.
//
// Groups (docs/observability.md, "Metric names"):
//   {job=<profile>, run_id=<run id>}                   Artillery's families artillery_counters,
//                                                      artillery_rates, artillery_summaries
//   {job=<profile>, run_id=<run id>, source=rampart}   rampart_run_active, rampart_run_planned_arrivals,
//                                                      rampart_run_started_timestamp_seconds
// The plugin pushes to `/metrics/job/<WORKER_ID>` with WORKER_ID percent-encoded; the Pushgateway
// decodes the path before splitting it, so WORKER_ID `<profile>/run_id/<run id>` is the grouping key
// {job=<profile>, run_id=<run id>} instead of the random job per run it uses by default.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GroupKey } from './pushgateway.ts';

export interface RunIdentity {
  profile: string;
  runId: string;
  gitRevision: string | null;
  flows: readonly string[];
}

/** The prefix of Artillery's three families (artillery_counters, artillery_rates, artillery_summaries). */
export const ARTILLERY_PREFIX = 'artillery';

export const artilleryGroup = (run: RunIdentity): GroupKey => ({ job: run.profile, run_id: run.runId });
export const statusGroup = (run: RunIdentity): GroupKey => ({ job: run.profile, run_id: run.runId, source: 'rampart' });

/** Artillery's metric name as the plugin publishes it in the `metric` label: spaces and dots to `_`, lower case. */
export const publishedName = (artilleryName: string): string => artilleryName.replace(/\s|\./g, '_').toLowerCase();

/** A tag value the plugin can carry: it splits tags at ':' and has no escaping. */
const tagValue = (value: string): string => value.replace(/[:\s]/g, '_');

export interface PublishPlan {
  /** config.plugins['publish-metrics'] of the composed script */
  plugin: Record<string, unknown>[];
  /** environment of the Artillery child: WORKER_ID sets the plugin's group */
  env: Record<string, string>;
}

/** The composed script's publish-metrics entry and the child's environment for one run. */
export function publishPlan(pushgateway: string, run: RunIdentity): PublishPlan {
  const tags = [`git_revision:${tagValue(run.gitRevision ?? 'unknown')}`, `flows:${tagValue(run.flows.join('+'))}`];
  return {
    plugin: [{ type: 'prometheus', pushgateway, prefix: ARTILLERY_PREFIX, tags }],
    env: { WORKER_ID: `${run.profile}/run_id/${run.runId}` },
  };
}

/** The labels Artillery's samples carry besides the grouping labels (its tags), for pushes that must match them. */
export function artilleryLabels(run: RunIdentity): Record<string, string> {
  return { git_revision: tagValue(run.gitRevision ?? 'unknown'), flows: tagValue(run.flows.join('+')) };
}

/** The commit the run's tree is at (short), or null outside a git checkout. */
export async function gitRevision(root: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
