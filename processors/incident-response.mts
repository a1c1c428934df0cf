// scenarios/incident-response.yml: an alert storm. A responder injects an attack crafted from an
// enabled detection rule (attacks.mts), waits on the platform's long poll (GET /api/v1/alerts/wait)
// until its alert appears, injects a second stage from the same attacker and waits until the
// platform correlates both into an incident; then works the storm (bulk acknowledge, update the
// incident, group free alerts). A wait holds one request open instead of a poll every 100 ms.
//
// Custom metrics (Artillery histograms, ms; the rampart plugin mirrors them into histograms.json):
//   rampart.detection_latency         202 of the attack batch -> the wait's answer that shows its alert
//   rampart.detection_latency_server  the alert's own detectionLatencyMs (event ingested -> alert created)
//   rampart.correlation_time          202 of the second-stage batch -> its alert seen in an incident
//   rampart.correlation_time_server   the alert's own correlationMs (alert created -> joined the incident)
// and counters rampart.probe.polls (waits answered), rampart.probe.wait_failed.<status|error>, rampart.detections.<rule kind>, rampart.detection_timeout,
// rampart.correlation_timeout.
import { attackBatch, chooseRule, craftAttack, freshAttackerIp, loadRulebook, newProbe, nextWaitSeconds, observeAlerts, probePending, type Probe } from './attacks.mts';
import { itemsOf, parseBody, setJson } from './bodies.mts';
import { afterResponse, beforeRequest, step } from './hooks.mts';
import { faker, isProbeIp, pick, uniqueToken } from './payloads.mts';
import { idsVar, intVar, targetOf } from './vars.mts';
import type { Condition, StepFunction, VuContext, VuEvents } from './types.mts';

const probeOf = (context: VuContext): Probe | undefined => context.vars.probe as Probe | undefined;

/** The probe a step or hook works on; a step run before planAttack is a scenario error. */
function currentProbe(context: VuContext): Probe {
  const probe = probeOf(context);
  if (probe === undefined) throw new Error('no attack planned: run planAttack first');
  return probe;
}

async function planStage(context: VuContext, stage: Probe['stage']): Promise<void> {
  const rules = await loadRulebook(targetOf(context));
  const previous = probeOf(context);
  if (stage === 'initial') context.vars.attackerIp = freshAttackerIp();
  const rule = chooseRule(rules, stage, stage === 'correlated' ? previous?.plan.ruleId : undefined);
  const plan = craftAttack(rule, String(context.vars.attackerIp));
  context.vars.probe = newProbe(plan, stage, intVar(context, 'probeTimeoutMs', 30_000));
}

/** Step: plan the first attack of a chain (a fresh attacker IP, a rule picked from the enabled ones). */
export const planAttack: StepFunction = async (context) => planStage(context, 'initial');
/** Step: plan a second attack from the same attacker: its alert must be correlated into an incident. */
export const planFollowUpAttack: StepFunction = async (context) => planStage(context, 'correlated');

/** ifTrue: the planned attack needs threat-intel indicators imported first. */
export const attackNeedsIndicators: Condition = (vars) => ((vars.probe as Probe | undefined)?.plan.indicators.length ?? 0) > 0;

/** beforeRequest: the indicators the planned attack matches (indicator_match rules). */
export const setAttackIndicators = beforeRequest((req, context) => {
  setJson(req, { indicators: currentProbe(context).plan.indicators });
});

/** beforeRequest: the planned attack's events. */
export const setAttackBatch = beforeRequest((req, context) => {
  setJson(req, attackBatch(currentProbe(context).plan));
});

/**
 * afterResponse of the attack batch: detection latency is measured from the acknowledgement. Sets
 * the query of the first look: probeRuleId, probeSrcIp, probeSince, probeCorrelated (the second
 * stage waits for the incident).
 */
export const markInjected = afterResponse((_req, res, context) => {
  const probe = currentProbe(context);
  if (res.statusCode === 202) {
    probe.injectedAt = Date.now();
    probe.deadline = probe.injectedAt + intVar(context, 'probeTimeoutMs', 30_000);
  }
  context.vars.probeSince = new Date(Date.now() - 60_000).toISOString();
  context.vars.probeRuleId = probe.plan.ruleId;
  context.vars.probeSrcIp = probe.plan.srcIp;
  context.vars.probeCorrelated = probe.stage === 'correlated';
});

/** Counts one answer (or failure) of GET /api/v1/alerts/wait against the probe. */
function observeWait(probe: Probe, status: number, body: unknown, events: VuEvents): void {
  if (status === 200) observeAlerts(probe, body, Date.now());
  else {
    probe.polls += 1; // a refused or failed wait still counts against the probe's bound
    events.emit('counter', `rampart.probe.wait_failed.${status === 0 ? 'error' : String(status)}`, 1);
  }
  events.emit('counter', 'rampart.probe.polls', 1);
}

/** afterResponse of the first look (GET /api/v1/alerts/wait with timeout 0, an Artillery request). */
export const observeProbe = afterResponse((_req, res, context, events) => {
  observeWait(currentProbe(context), res.statusCode, parseBody(res.body), events);
});

const WAIT_GRACE_MS = 10_000; // beyond the wait's own timeout, before the client gives up on an answer
const RETRY_AFTER_FAILED_WAIT_MS = 1000;

/**
 * Step: the long waits, until the probe's alert is there (in an incident, for the second stage),
 * its deadline or maxPolls waits. They go through fetch, not Artillery's HTTP engine, on purpose:
 * a wait lasts as long as detection does, which is the probe's measurement (rampart.detection_latency),
 * not a response time; as Artillery requests they would dominate http.response_time and the endpoint
 * histograms. Each wait is one request against the analyst's rate limit, counted in rampart.probe.polls.
 */
export const awaitProbe: StepFunction = async (context, events) => {
  const probe = currentProbe(context);
  const url = `${targetOf(context)}/api/v1/alerts/wait`;
  const headers = { authorization: `Bearer ${String(context.vars.token)}` };
  while (probe.injectedAt !== null && probePending(probe, Date.now())) {
    const timeout = nextWaitSeconds(probe, Date.now());
    const query = new URLSearchParams({ ruleId: String(probe.plan.ruleId), srcIp: probe.plan.srcIp, from: String(context.vars.probeSince), timeout: String(timeout) });
    if (probe.stage === 'correlated') query.set('correlated', 'true');
    let status = 0;
    let body: unknown = null;
    try {
      const res = await fetch(`${url}?${query.toString()}`, { headers, signal: AbortSignal.timeout(timeout * 1000 + WAIT_GRACE_MS) });
      status = res.status;
      body = parseBody(await res.text());
    } catch {
      status = 0; // refused connection, reset or no answer in time: counted, then retried
    }
    observeWait(probe, status, body, events);
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILED_WAIT_MS));
  }
};

/** Step: record the probe's metrics; an attack the platform never detected fails the virtual user. */
export const recordDetection = step((context, events) => {
  const probe = currentProbe(context);
  if (probe.injectedAt === null) throw new Error(`attack batch for rule '${probe.plan.ruleName}' was not accepted`);
  if (probe.seenAt === null) {
    events.emit('counter', 'rampart.detection_timeout', 1);
    throw new Error(`attack not detected within the probe timeout: rule '${probe.plan.ruleName}'`);
  }
  events.emit('histogram', 'rampart.detection_latency', probe.seenAt - probe.injectedAt);
  events.emit('counter', `rampart.detections.${probe.plan.kind}`, 1);
  if (probe.serverLatencyMs !== null) events.emit('histogram', 'rampart.detection_latency_server', probe.serverLatencyMs);
  context.vars.alertId = probe.alertId;
  if (probe.stage === 'correlated') {
    if (probe.correlatedAt === null) {
      events.emit('counter', 'rampart.correlation_timeout', 1);
      throw new Error(`alert of rule '${probe.plan.ruleName}' was not correlated into an incident within the probe timeout`);
    }
    events.emit('histogram', 'rampart.correlation_time', probe.correlatedAt - probe.injectedAt);
    if (probe.serverCorrelationMs !== null) events.emit('histogram', 'rampart.correlation_time_server', probe.serverCorrelationMs);
    context.vars.incidentId = probe.incidentId;
  }
  const ids = idsVar(context, 'stormAlertIds');
  if (probe.alertId !== null) ids.push(probe.alertId);
  context.vars.stormAlertIds = ids;
});

/** beforeRequest: bulk-acknowledge the storm's alerts, assigned to the responder. */
export const setBulkAcknowledge = beforeRequest((req, context) => {
  setJson(req, { ids: idsVar(context, 'stormAlertIds'), status: 'acknowledged', assigneeId: context.vars.userId });
});

/** beforeRequest: the responder takes the incident and writes what was contained. */
export const setIncidentUpdate = beforeRequest((req, context) => {
  setJson(req, { status: 'investigating', assigneeId: context.vars.userId, summary: `Contained attacker ${String(context.vars.attackerIp)}; ${faker.hacker.phrase()}` });
});

/** afterResponse of an alert list: up to three alerts that are in no incident yet (vars.freeAlertIds). */
export const pickFreeAlerts = afterResponse((_req, res, context) => {
  const free = itemsOf(res.body).filter((a) => a.incidentId === null && typeof a.id === 'number' && !isProbeIp(a.srcIp)).map((a) => a.id as number);
  context.vars.freeAlertIds = faker.helpers.arrayElements(free, Math.min(3, free.length));
});

/** ifTrue: there are free alerts to group. */
export const hasFreeAlerts: Condition = (vars) => Array.isArray(vars.freeAlertIds) && vars.freeAlertIds.length > 0;

/** beforeRequest: a manual incident from the free alerts. */
export const setIncidentFromFreeAlerts = beforeRequest((req, context) => {
  setJson(req, { title: `Manual investigation ${uniqueToken()}`, severity: pick(['medium', 'high']), alertIds: context.vars.freeAlertIds });
});
