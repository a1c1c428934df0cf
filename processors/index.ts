// Rampart's Artillery processor: every function the scenarios name. Artillery bundles this file with
// esbuild (CommonJS, unchecked); `npm run typecheck` checks it (processors/tsconfig.json).
// Step functions are async (Artillery awaits them); hooks get (req, context, events) or
// (req, res, context, events); loop conditions get (context, next).
//
// Custom metrics (Artillery histograms, ms; the rampart plugin mirrors them into histograms.json):
//   rampart.detection_latency         202 of the attack batch -> first poll that shows its alert
//   rampart.detection_latency_server  the alert's own detectionLatencyMs (event ingested -> alert created)
//   rampart.correlation_time          202 of the second-stage batch -> its alert seen in an incident
//   rampart.correlation_time_server   the alert's own correlationMs (alert created -> joined the incident)
//   rampart.report_generation         202 of POST /reports -> poll that shows status done
// and counters rampart.probe.polls, rampart.detection_timeout, rampart.report_timeout.
import { DEMO, analystName, sensorKey, session } from './tokens.mts';
import { benignBatch, faker, indicatorBatch, isoAgo, pick, pools, uniqueToken } from './payloads.mts';
import { attackBatch, chooseRule, craftAttack, freshAttackerIp, loadRulebook, newProbe, observeAlerts, probePending, type Probe } from './attacks.mts';
import { edgeTokens, hugeBatch, malformed, oversizedBatch } from './edge.mts';
import type { AfterResponse, BeforeRequest, LoopCondition, RequestParams, StepFunction, VuContext } from './types.mts';

// --- helpers ---------------------------------------------------------------------------------------
const targetOf = (context: VuContext): string => {
  const t = context.vars.target;
  if (typeof t !== 'string' || t === '') throw new Error('no target: set config.target (RAMPART_TARGET for plain artillery runs)');
  return t.replace(/\/+$/, '');
};

const intVar = (context: VuContext, name: string, fallback: number): number => {
  const n = Number(context.vars[name]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
};

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

const itemsOf = (body: unknown): Record<string, unknown>[] => {
  const parsed = parseBody(body) as { items?: unknown } | null;
  return Array.isArray(parsed?.items) ? (parsed.items as Record<string, unknown>[]) : [];
};

function setJson(req: RequestParams, value: unknown): void {
  req.json = value;
  delete req.body;
}

// --- identities ------------------------------------------------------------------------------------
/** Step: take an analyst session from the pool (vars analysts = how many demo analysts to spread over). */
export const useAnalyst: StepFunction = async (context) => {
  const count = Math.min(intVar(context, 'analysts', DEMO.analystCount), DEMO.analystCount);
  const username = analystName(faker.number.int({ min: 1, max: count }));
  const s = await session(targetOf(context), username, DEMO.analystPassword);
  Object.assign(context.vars, { token: s.accessToken, userId: s.userId, username: s.username });
};

/** Step: the admin session from the pool. */
export const useAdmin: StepFunction = async (context) => {
  const s = await session(targetOf(context), DEMO.admin.username, DEMO.admin.password);
  Object.assign(context.vars, { token: s.accessToken, userId: s.userId, username: s.username });
};

/** Step: a sensor identity (API key) for ingestion. */
export const useSensor: StepFunction = async (context) => {
  const count = Math.min(intVar(context, 'sensors', DEMO.sensorCount), DEMO.sensorCount);
  context.vars.sensorKey = sensorKey(faker.number.int({ min: 1, max: count }));
};

/** Step (login storm / api coverage): credentials of a random analyst for an explicit login request. */
export const pickCredentials: StepFunction = async (context) => {
  const count = Math.min(intVar(context, 'analysts', DEMO.analystCount), DEMO.analystCount);
  Object.assign(context.vars, { loginUser: analystName(faker.number.int({ min: 1, max: count })), loginPassword: DEMO.analystPassword });
};

/** ifTrue: the explicit login succeeded (a 429 during a storm leaves no tokens). */
export const hasOwnTokens = (vars: Record<string, unknown>): boolean => typeof vars.ownAccessToken === 'string' && typeof vars.ownRefreshToken === 'string';

/** Step: keep the current refresh token, to show that it is refused once rotated. */
export const keepRevocableToken: StepFunction = async (context) => {
  context.vars.rotatedRefreshToken = context.vars.ownRefreshToken;
};

/** Step (api coverage): an admin session, an analyst session and a sensor key, side by side. */
export const useRoles: StepFunction = async (context) => {
  const target = targetOf(context);
  const admin = await session(target, DEMO.admin.username, DEMO.admin.password);
  const analyst = await session(target, analystName(faker.number.int({ min: 1, max: Math.min(intVar(context, 'analysts', DEMO.analystCount), DEMO.analystCount) })), DEMO.analystPassword);
  Object.assign(context.vars, {
    adminToken: admin.accessToken,
    userId: admin.userId,
    username: admin.username,
    analystToken: analyst.accessToken,
    analystId: analyst.userId,
    sensorKey: sensorKey(faker.number.int({ min: 1, max: DEMO.sensorCount })),
  });
};

/** afterResponse: remember the tokens a login or refresh returned (for refresh/logout/me requests). */
export const keepLoginTokens: AfterResponse = async (_req, res, context) => {
  const body = parseBody(res.body) as { accessToken?: string; refreshToken?: string } | null;
  if (typeof body?.accessToken === 'string') context.vars.ownAccessToken = body.accessToken;
  if (typeof body?.refreshToken === 'string') context.vars.ownRefreshToken = body.refreshToken;
};

// --- generic capture -----------------------------------------------------------------------------
/**
 * afterResponse: pick a random item of a list response and store its id in the var named by the
 * request's `pickInto` (default `itemId`); also stores `<pickInto>s` = up to `pickMany` ids.
 */
export const pickItem: AfterResponse = async (req, res, context) => {
  const spec = req as RequestParams & { pickInto?: string; pickMany?: number };
  const into = spec.pickInto ?? 'itemId';
  const ids = itemsOf(res.body).map((i) => i.id).filter((id): id is number => typeof id === 'number');
  context.vars[into] = ids.length > 0 ? pick(ids) : 0;
  context.vars[`${into}s`] = ids.slice(0, spec.pickMany ?? 5);
};

/** afterResponse: store the `id` of a created resource in the var named by `pickInto` (default `createdId`). */
export const keepCreatedId: AfterResponse = async (req, res, context) => {
  const spec = req as RequestParams & { pickInto?: string };
  const body = parseBody(res.body) as { id?: unknown } | null;
  context.vars[spec.pickInto ?? 'createdId'] = typeof body?.id === 'number' ? body.id : 0;
};

/** afterResponse: store the `nextCursor` of a list page in vars.nextCursor ('' when there is none). */
export const keepCursor: AfterResponse = async (_req, res, context) => {
  const body = parseBody(res.body) as { nextCursor?: unknown } | null;
  context.vars.nextCursor = typeof body?.nextCursor === 'string' ? body.nextCursor : '';
};

/** ifTrue: there is a next page. */
export const hasNextCursor = (vars: Record<string, unknown>): boolean => typeof vars.nextCursor === 'string' && vars.nextCursor !== '';

// --- analyst triage ---------------------------------------------------------------------------------
/** Step: time window and filters an analyst looks at (vars since, until, severity, status). */
export const triageFilters: StepFunction = async (context) => {
  Object.assign(context.vars, {
    since: isoAgo(faker.helpers.arrayElement([1, 6, 24, 72]) * 3_600_000),
    until: isoAgo(0),
    severity: pick(['critical', 'high', 'medium', 'low']),
    status: pick(['new', 'new', 'acknowledged', 'in_progress']),
  });
};

export const setAlertComment: BeforeRequest = async (req) => {
  setJson(req, { body: `${faker.hacker.phrase()} Checked ${pick(pools.hosts)}; ${pick(['escalating', 'benign, closing', 'needs more data', 'waiting on the owner'])}.` });
};

export const setAlertAssign: BeforeRequest = async (req, context) => {
  setJson(req, { status: pick(['acknowledged', 'in_progress']), assigneeId: context.vars.userId });
};

export const setAlertResolve: BeforeRequest = async (req) => {
  setJson(req, { status: pick(['resolved', 'resolved', 'false_positive', 'in_progress']) });
};

// --- sensor ingestion --------------------------------------------------------------------------------
/** beforeRequest: a realistic batch of `batchSize` events (vars batchSize: a number or a list to pick from). */
export const setEventBatch: BeforeRequest = async (req, context) => {
  setJson(req, benignBatch(intVar(context, 'batchSize', 100)));
};

/** beforeRequest: replay the previous batch (same batchId): the platform must answer duplicate: true. */
export const setReplayBatch: BeforeRequest = async (req, context) => {
  const last = context.vars.lastBatch;
  setJson(req, last ?? benignBatch(5));
};

export const rememberBatch: BeforeRequest = async (req, context) => {
  setJson(req, benignBatch(intVar(context, 'batchSize', 20)));
  context.vars.lastBatch = req.json;
};

// --- incident response: attack probes ----------------------------------------------------------------
async function planStage(context: VuContext, stage: Probe['stage']): Promise<void> {
  const rules = await loadRulebook(targetOf(context));
  const previous = context.vars.probe as Probe | undefined;
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
export const attackNeedsIndicators = (vars: Record<string, unknown>): boolean => ((vars.probe as Probe | undefined)?.plan.indicators.length ?? 0) > 0;

export const setAttackIndicators: BeforeRequest = async (req, context) => {
  setJson(req, { indicators: (context.vars.probe as Probe).plan.indicators });
};

export const setAttackBatch: BeforeRequest = async (req, context) => {
  setJson(req, attackBatch((context.vars.probe as Probe).plan));
};

/** afterResponse of the attack batch: detection latency is measured from the acknowledgement. */
export const markInjected: AfterResponse = async (_req, res, context) => {
  const probe = context.vars.probe as Probe;
  if (res.statusCode === 202) {
    probe.injectedAt = Date.now();
    probe.deadline = probe.injectedAt + intVar(context, 'probeTimeoutMs', 30_000);
  }
  context.vars.probeSince = new Date(Date.now() - 60_000).toISOString();
  context.vars.probeRuleId = probe.plan.ruleId;
};

/** afterResponse of each poll of the alert list. */
export const observeProbe: AfterResponse = async (_req, res, context, events) => {
  const probe = context.vars.probe as Probe;
  if (res.statusCode === 200) observeAlerts(probe, parseBody(res.body), Date.now());
  events.emit('counter', 'rampart.probe.polls', 1);
};

/** whileTrue of the polling loop. */
export const probeStillPending: LoopCondition = (context, next) => {
  const probe = context.vars.probe as Probe | undefined;
  next(probe !== undefined && probe.injectedAt !== null && probePending(probe, Date.now()));
};

/** Step: record the probe's metrics; an attack the platform never detected fails the virtual user. */
export const recordDetection: StepFunction = async (context, events) => {
  const probe = context.vars.probe as Probe;
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
  const ids = Array.isArray(context.vars.stormAlertIds) ? (context.vars.stormAlertIds as number[]) : [];
  if (probe.alertId !== null) ids.push(probe.alertId);
  context.vars.stormAlertIds = ids;
};

/** beforeRequest: bulk-acknowledge the storm's alerts, assigned to the responder. */
export const setBulkAcknowledge: BeforeRequest = async (req, context) => {
  const ids = (context.vars.stormAlertIds as number[] | undefined) ?? [];
  setJson(req, { ids, status: 'acknowledged', assigneeId: context.vars.userId });
};

/** afterResponse of an alert list: up to three alerts that are in no incident yet (vars.freeAlertIds). */
export const pickFreeAlerts: AfterResponse = async (_req, res, context) => {
  const free = itemsOf(res.body).filter((a) => a.incidentId === null && typeof a.id === 'number').map((a) => a.id as number);
  context.vars.freeAlertIds = faker.helpers.arrayElements(free, Math.min(3, free.length));
};

/** ifTrue: there are free alerts to group. */
export const hasFreeAlerts = (vars: Record<string, unknown>): boolean => Array.isArray(vars.freeAlertIds) && vars.freeAlertIds.length > 0;

/** beforeRequest: a manual incident from the free alerts. */
export const setIncidentFromFreeAlerts: BeforeRequest = async (req, context) => {
  setJson(req, { title: `Manual investigation ${uniqueToken()}`, severity: pick(['medium', 'high']), alertIds: context.vars.freeAlertIds });
};

/** beforeRequest: bulk-update the alerts a list response offered (vars.alertIds from pickItem). */
export const setBulkOnPicked: BeforeRequest = async (req, context) => {
  const ids = [...new Set((context.vars.alertIds as number[] | undefined) ?? [])];
  setJson(req, { ids: ids.length > 0 ? ids : [Number(context.vars.alertId)], status: 'acknowledged', assigneeId: context.vars.analystId });
};

export const setIncidentUpdate: BeforeRequest = async (req, context) => {
  setJson(req, { status: 'investigating', assigneeId: context.vars.userId, summary: `Contained attacker ${String(context.vars.attackerIp)}; ${faker.hacker.phrase()}` });
};

// --- threat hunting -----------------------------------------------------------------------------------
export const huntFilters: StepFunction = async (context) => {
  const hours = faker.helpers.arrayElement([1, 4, 24, 24 * 7]);
  Object.assign(context.vars, {
    huntFrom: isoAgo(hours * 3_600_000),
    huntTo: isoAgo(0),
    huntTerm: pick(pools.searchTerms),
    huntHost: pick(pools.hosts),
    huntUser: pick(pools.employees).username,
    huntIp: pick(pools.internalIps),
    huntType: pick(['auth', 'network', 'process', 'dns', 'file']),
    lookupValue: pick([pick(pools.domains), pick(pools.externalIps), `${faker.string.alpha({ length: 8, casing: 'lower' })}.duckdns.org`]),
  });
};

export const setIndicatorFeed: BeforeRequest = async (req, context) => {
  setJson(req, { indicators: indicatorBatch(intVar(context, 'feedSize', 200)) });
};

// --- analytics and reports ------------------------------------------------------------------------------
export const setReportRequest: BeforeRequest = async (req) => {
  const days = faker.helpers.arrayElement([1, 7, 30]);
  setJson(req, {
    kind: pick(['executive_summary', 'alert_digest', 'incident_review', 'ioc_export']),
    params: { from: isoAgo(days * 86_400_000), to: isoAgo(0) },
  });
};

/** afterResponse of POST /reports: start the job clock. */
export const markReportQueued: AfterResponse = async (_req, res, context) => {
  const body = parseBody(res.body) as { id?: unknown } | null;
  context.vars.reportId = typeof body?.id === 'number' ? body.id : 0;
  context.vars.reportQueuedAt = Date.now();
  context.vars.reportStatus = res.statusCode === 202 ? 'queued' : 'failed';
};

export const observeReport: AfterResponse = async (_req, res, context) => {
  const body = parseBody(res.body) as { status?: unknown } | null;
  if (typeof body?.status === 'string') context.vars.reportStatus = body.status;
};

export const reportStillRunning: LoopCondition = (context, next) => {
  const status = context.vars.reportStatus;
  const started = Number(context.vars.reportQueuedAt ?? 0);
  next((status === 'queued' || status === 'running') && Date.now() - started < intVar(context, 'reportTimeoutMs', 60_000));
};

export const recordReport: StepFunction = async (context, events) => {
  if (context.vars.reportStatus !== 'done') {
    events.emit('counter', 'rampart.report_timeout', 1);
    throw new Error(`report ${String(context.vars.reportId)} ended '${String(context.vars.reportStatus)}', not 'done'`);
  }
  events.emit('histogram', 'rampart.report_generation', Date.now() - Number(context.vars.reportQueuedAt));
};

export const analyticsRange: StepFunction = async (context) => {
  const days = faker.helpers.arrayElement([1, 7, 30]);
  Object.assign(context.vars, {
    rangeFrom: isoAgo(days * 86_400_000),
    rangeTo: isoAgo(0),
    bucket: days === 1 ? pick(['minute', 'hour']) : days === 7 ? 'hour' : 'day',
    topBy: pick(['src_ip', 'host', 'username']),
    topOf: pick(['events', 'alerts']),
  });
};

// --- administration ---------------------------------------------------------------------------------------
export const setNewUser: BeforeRequest = async (req, context) => {
  const tag = uniqueToken();
  const user = {
    username: `loadtest.${tag}`,
    email: `loadtest.${tag}@corp.example`,
    displayName: faker.person.fullName(),
    role: 'analyst',
    password: `pw-${tag}-${faker.string.alphanumeric(12)}`,
  };
  context.vars.lastNewUser = user;
  setJson(req, user);
};

/** beforeRequest: the user created just before, again: the platform must answer 409. */
export const setSameUserAgain: BeforeRequest = async (req, context) => {
  setJson(req, context.vars.lastNewUser);
};

export const setUserUpdate: BeforeRequest = async (req) => {
  setJson(req, { displayName: faker.person.fullName(), disabled: true });
};

export const setNewRule: BeforeRequest = async (req) => {
  const tag = uniqueToken();
  setJson(req, {
    name: `Load-test rule ${tag}`,
    description: 'Created by the administration scenario; disabled so it never fires.',
    kind: 'pattern',
    severity: 'low',
    technique: 'T1204',
    enabled: false,
    params: { field: 'process', op: 'equals', value: `never-${tag}.exe`, eventType: 'process', groupBy: 'host' },
  });
};

export const setRuleUpdate: BeforeRequest = async (req) => {
  setJson(req, { severity: pick(['low', 'medium']), description: `Tuned by the administration scenario at ${new Date().toISOString()}` });
};

export const setNewSensor: BeforeRequest = async (req) => {
  setJson(req, { name: `loadtest-sensor-${uniqueToken()}` });
};

// --- edge cases (api-coverage) --------------------------------------------------------------------------
/** Step: tokens the platform must refuse, in vars expiredToken, algNoneToken, forgedToken, garbageToken. */
export const mintBadTokens: StepFunction = async (context) => {
  const id = Number(context.vars.userId ?? 1);
  const name = String(context.vars.username ?? 'admin');
  Object.assign(context.vars, {
    expiredToken: edgeTokens.expired(id, name),
    algNoneToken: edgeTokens.algNone(id, name),
    forgedToken: edgeTokens.forged(id, name),
    garbageToken: edgeTokens.garbage(),
    injectionValue: malformed.sqlInjection,
    rateLimitUser: `ratelimit.${uniqueToken()}`,
  });
};

export const setOversizedBatch: BeforeRequest = async (req, context) => {
  setJson(req, oversizedBatch(intVar(context, 'maxBatchEvents', 1000)));
};

/** beforeRequest: a batch whose body is larger than the platform's body limit (1 MiB): 413. */
export const setHugeBatch: BeforeRequest = async (req) => setJson(req, hugeBatch(1_100_000));

export const setMalformedBatch: BeforeRequest = async (req) => setJson(req, malformed.batch());
export const setMalformedComment: BeforeRequest = async (req) => setJson(req, malformed.comment());
export const setMalformedAlertPatch: BeforeRequest = async (req) => setJson(req, malformed.alertPatch());

/** beforeRequest: a body that is not JSON at all, sent as application/json. */
export const setBrokenJson: BeforeRequest = async (req) => {
  delete req.json;
  req.body = '{"username": "admin", "password": ';
  req.headers = { ...(req.headers ?? {}), 'content-type': 'application/json' };
};
