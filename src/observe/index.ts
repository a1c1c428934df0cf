// The observe stage's entry for `rampart run` (src/run/command.ts calls it; it imports nothing of run):
// before the run, what to publish and where (publish-metrics in the composed script, the child's
// environment); while Artillery runs, Rampart's status family; after it, the arrival check and the
// deletion of the run's groups. Input: the suite's rampart.config.yml `observe:` section, the
// environment, the run's flags. Output: a Publishing, or null when nothing is published.
import { EXIT, usageError, type ExitCode } from '../core/errors.ts';
import type { PlannedPhase } from '../core/bundle/types.ts';
import { checkArrival, type ArrivalResult } from './arrival.ts';
import { loadObserveSettings, type ObserveSettings } from './config.ts';
import { gitRevision, publishPlan, statusGroup, type RunIdentity } from './publish.ts';
import { readStackState } from './stack-state.ts';
import { publishStatus, type StatusPublisher } from './status.ts';

export interface PublishFlags {
  /** use the stack `rampart observe up` started */
  observe?: boolean;
  /** exit 3 when the final figures did not arrive */
  requireMetrics?: boolean;
  /** delete the run's groups after the check */
  deleteMetrics?: boolean;
}

export interface Publishing {
  settings: ObserveSettings;
  run: RunIdentity;
  /** to merge into the composed script's config.plugins */
  plugins: Record<string, unknown>;
  /** to add to the Artillery child's environment */
  env: Record<string, string>;
  requireMetrics: boolean;
  /** call just before Artillery starts */
  startStatus(phases: readonly PlannedPhase[]): StatusPublisher;
  /** call once the bundle is complete, with artillery.json's aggregate counters */
  finish(counters: Readonly<Record<string, number>>): Promise<ArrivalResult>;
}

/** Where to publish, from the flags, the stack state and the configuration; null when nowhere. */
export async function publishSettings(suite: string, root: string, flags: PublishFlags, env: NodeJS.ProcessEnv = process.env): Promise<ObserveSettings | null> {
  const configured = await loadObserveSettings(suite, env);
  let settings = configured;
  if (flags.observe === true) {
    const stack = await readStackState(root);
    if (stack === null) throw usageError(`--observe: no observability stack is running; start one with 'rampart observe up'`);
    settings = { ...configured, pushgateway: stack.urls.pushgateway, prometheus: stack.urls.prometheus };
  }
  if (flags.deleteMetrics === true) settings = { ...settings, deleteGroup: true };
  if (settings.pushgateway === null) {
    if (flags.requireMetrics === true || flags.deleteMetrics === true) {
      throw usageError(`--require-metrics and --delete-metrics need a Pushgateway: --observe, observe.pushgateway in rampart.config.yml or RAMPART_PUSHGATEWAY`);
    }
    return null;
  }
  return settings;
}

/** The run's publishing, once its id is known (settings from publishSettings). */
export async function planPublishing(settings: ObserveSettings, root: string, identity: Omit<RunIdentity, 'gitRevision'>, flags: PublishFlags): Promise<Publishing | null> {
  const pushgateway = settings.pushgateway;
  if (pushgateway === null) return null;
  const run: RunIdentity = { ...identity, gitRevision: await gitRevision(root) };
  const plan = publishPlan(pushgateway, run);
  let status: StatusPublisher | null = null;
  return {
    settings,
    run,
    plugins: { 'publish-metrics': plan.plugin },
    env: plan.env,
    requireMetrics: flags.requireMetrics === true,
    startStatus: (phases) => (status = publishStatus({ pushgateway, group: statusGroup(run), phases, startedAtMs: Date.now() })),
    async finish(counters): Promise<ArrivalResult> {
      const result = await checkArrival({ pushgateway, prometheus: settings.prometheus, run, counters, deleteGroups: settings.deleteGroup });
      const failed = status?.failures();
      if (failed !== undefined && failed.count > 0) result.lines.unshift(`metrics: ${String(failed.count)} of Rampart's status pushes failed (${failed.first ?? ''})`);
      return result;
    },
  };
}

/** The run's exit code once the arrival check is known: exit 3 only when asked (--require-metrics). */
export function exitAfterArrival(exit: ExitCode, requireMetrics: boolean, result: ArrivalResult): ExitCode {
  if (result.arrived || !requireMetrics) return exit;
  return exit === EXIT.usage ? exit : EXIT.untrustworthy;
}

/** The named step after the run: the arrival check, its lines said, and the exit code it leaves. */
export async function checkPublished(publishing: Publishing, counters: Readonly<Record<string, number>>, exit: ExitCode, say: (line: string) => void): Promise<ExitCode> {
  const result = await publishing.finish(counters);
  for (const line of result.lines) say(line);
  const after = exitAfterArrival(exit, publishing.requireMetrics, result);
  if (after !== exit) say(`exit ${String(after)}: --require-metrics and the final figures did not arrive`);
  return after;
}

