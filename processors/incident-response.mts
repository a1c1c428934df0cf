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
// and counters rampart.probe.polls (waits answered), rampart.detections.<rule kind>, rampart.detection_timeout,
// rampart.correlation_timeout.
import { attackBatch, chooseRule, craftAttack, freshAttackerIp, loadRulebook, newProbe, nextWaitSeconds, observeAlerts, probePending, type Probe } from './attacks.mts';
import { itemsOf, parseBody, setJson } from './bodies.mts';
import { afterResponse, beforeRequest, step } from './hooks.mts';
import { faker, isProbeIp, pick, uniqueToken } from './payloads.mts';
import { idsVar, intVar, targetOf } from './vars.mts';
import type { Condition, LoopCondition, StepFunction, VuContext } from './types.mts';

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
 * the query of the waits: probeRuleId, probeSrcIp, probeSince, probeCorrelated (the second stage
 * waits for the incident), probeWaitSeconds.
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
  context.vars.probeWaitSeconds = nextWaitSeconds(probe, Date.now());
});

/** afterResponse of each wait (GET /api/v1/alerts/wait): the answer, and how long the next wait may last. */
export const observeProbe = afterResponse((_req, res, context, events) => {
  const probe = currentProbe(context);
  const now = Date.now();
  if (res.statusCode === 200) observeAlerts(probe, parseBody(res.body), now);
  else probe.polls += 1; // a refused wait (429, 503) still counts against the probe's bound
  context.vars.probeWaitSeconds = nextWaitSeconds(probe, now);
  events.emit('counter', 'rampart.probe.polls', 1);
});

/** whileTrue of the polling loop. */
export const probeStillPending: LoopCondition = (context, next) => {
  const probe = probeOf(context);
  next(probe !== undefined && probe.injectedAt !== null && probePending(probe, Date.now()));
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
