// Attack injection and detection probes. A probe injects an attack pattern that one enabled detection
// rule must catch (crafted from the rule's own parameters, read once per worker through the admin
// API), then waits for the alert on the platform's long poll (GET /api/v1/alerts/wait: one request
// answered as soon as the alert exists, at most PROBE_WAIT_SECONDS each, a bounded number of them). Every probe uses a fresh attacker IP, so
// its alert is new (not deduplicated) and easy to find; a second stage from the same IP makes the
// platform correlate both alerts into an incident.
import { DEMO, session } from './tokens.mts';
import { faker, isoAgo, newBatchId, pick, pools, uniqueIp, uniqueToken, type EventType, type IndicatorInput, type PlatformEvent } from './payloads.mts';

type RuleKind = 'brute_force' | 'indicator_match' | 'impossible_travel' | 'pattern';

export interface Rule {
  id: number;
  name: string;
  kind: RuleKind;
  enabled: boolean;
  params: Record<string, unknown>;
}

export interface AttackPlan {
  ruleId: number;
  ruleName: string;
  kind: RuleKind;
  srcIp: string;
  events: PlatformEvent[];
  /** indicators to import first (indicator_match), else empty */
  indicators: IndicatorInput[];
}

/** The state of one probe, kept in the virtual user's vars between steps. */
export interface Probe {
  plan: AttackPlan;
  stage: 'initial' | 'correlated';
  injectedAt: number | null; // when the platform acknowledged the batch (ms)
  deadline: number;
  alertId: number | null;
  seenAt: number | null;
  serverLatencyMs: number | null;
  incidentId: number | null;
  correlatedAt: number | null;
  /** the alert's own correlationMs (alert created -> joined an incident), once correlated */
  serverCorrelationMs: number | null;
  /** waits answered so far (GET /api/v1/alerts/wait), and the most the probe makes */
  polls: number;
  maxPolls: number;
}

/** The longest single wait a probe asks for (below the flows' 30 s HTTP timeout and the platform's 25 s cap). */
export const PROBE_WAIT_SECONDS = 20;

// --- The rulebook (once per worker) ------------------------------------------------------------
let rulebook: Promise<Rule[]> | null = null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function parseRules(body: unknown): Rule[] {
  const items: unknown[] = isRecord(body) && Array.isArray(body.items) ? body.items : Array.isArray(body) ? body : [];
  return items
    .filter(isRecord)
    .filter((r) => typeof r.id === 'number' && typeof r.kind === 'string')
    .map((r) => ({
      id: r.id as number,
      name: String(r.name ?? r.id),
      kind: r.kind as RuleKind,
      enabled: r.enabled !== false,
      params: (r.params ?? {}) as Record<string, unknown>,
    }));
}

export function loadRulebook(target: string): Promise<Rule[]> {
  if (rulebook === null) {
    rulebook = (async () => {
      const admin = await session(target, DEMO.admin.username, DEMO.admin.password);
      const res = await fetch(`${target}/api/v1/admin/rules?limit=200`, {
        headers: { authorization: `Bearer ${admin.accessToken}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 200) throw new Error(`attack injection: GET /api/v1/admin/rules answered ${res.status}`);
      const rules = parseRules(await res.json()).filter((r) => r.enabled && injectable(r));
      if (rules.length === 0) throw new Error('attack injection: the platform has no enabled rule Rampart can trigger');
      return rules;
    })();
    rulebook.catch(() => {
      rulebook = null; // try again on the next probe
    });
  }
  return rulebook;
}

/** Rules a probe can trigger on its own (a pattern on a field with a value, or the stateful kinds). */
export function injectable(rule: Rule): boolean {
  if (rule.kind !== 'pattern') return true;
  return typeof rule.params.field === 'string' && typeof rule.params.value === 'string';
}

// --- Crafting events from a rule --------------------------------------------------------------
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

const FIELD_OF: Partial<Record<string, keyof PlatformEvent>> = {
  process: 'process', domain: 'domain', host: 'host', username: 'username', message: 'message',
  file_hash: 'fileHash', country: 'country', outcome: 'outcome',
};

const NATURAL_TYPE: Partial<Record<string, EventType>> = { process: 'process', domain: 'dns', file_hash: 'file', country: 'auth', outcome: 'auth' };

function baseEvent(type: EventType, srcIp: string, host: string, username: string): PlatformEvent {
  return { type, occurredAt: isoAgo(0), host, username, srcIp, message: `${type} activity on ${host}` };
}

/** Events (and indicators) that make `rule` raise an alert for attacker `srcIp`. Pure apart from random values. */
export function craftAttack(rule: Rule, srcIp: string): AttackPlan {
  const tag = uniqueToken();
  const host = `atk-${tag}.corp.example`;
  const username = `probe.${tag}`;
  const plan: AttackPlan = { ruleId: rule.id, ruleName: rule.name, kind: rule.kind, srcIp, events: [], indicators: [] };
  switch (rule.kind) {
    case 'brute_force': {
      const threshold = num(rule.params.threshold, 10);
      const windowMs = num(rule.params.windowSeconds, 60) * 1000;
      const spread = Math.min(windowMs / 2, 20_000);
      for (let i = 0; i < threshold + 2; i++) {
        const victim = pick(pools.employees).username;
        plan.events.push({
          ...baseEvent('auth', srcIp, pick(pools.hosts), victim),
          occurredAt: isoAgo(Math.round(spread * (1 - i / (threshold + 2)))),
          outcome: 'failure',
          country: 'NL',
          message: `ssh login failure for ${victim} from ${srcIp}`,
          attributes: { method: 'ssh', reason: 'bad password' },
        });
      }
      return plan;
    }
    case 'impossible_travel': {
      const minutes = num(rule.params.windowMinutes, 60);
      const gapMs = Math.min(minutes * 60_000 / 4, 10 * 60_000);
      plan.events.push(
        { ...baseEvent('auth', srcIp, host, username), occurredAt: isoAgo(gapMs), outcome: 'success', country: 'US', message: `vpn login success for ${username}`, attributes: { method: 'vpn' } },
        { ...baseEvent('auth', srcIp, host, username), occurredAt: isoAgo(0), outcome: 'success', country: 'KP', message: `vpn login success for ${username}`, attributes: { method: 'vpn' } },
      );
      return plan;
    }
    case 'indicator_match': {
      const fields = Array.isArray(rule.params.fields) ? (rule.params.fields as string[]) : ['src_ip', 'domain'];
      if (fields.includes('domain')) {
        const domain = `c2-${tag}.badexample.net`;
        plan.indicators.push({ type: 'domain', value: domain, severity: 'high', source: 'rampart-probe', description: 'probe command-and-control domain' });
        plan.events.push({ ...baseEvent('dns', srcIp, host, username), domain, message: `dns query A ${domain}`, attributes: { qtype: 'A' } });
      } else if (fields.includes('file_hash')) {
        const fileHash = faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' });
        plan.indicators.push({ type: 'hash', value: fileHash, severity: 'high', source: 'rampart-probe' });
        plan.events.push({ ...baseEvent('file', srcIp, host, username), fileHash, message: `file written by ${username}` });
      } else {
        plan.indicators.push({ type: 'ip', value: srcIp, severity: 'high', source: 'rampart-probe', description: 'probe attacker address' });
        plan.events.push({ ...baseEvent('network', srcIp, host, username), dstIp: pick(pools.internalIps), dstPort: 445, message: `connection ${srcIp} -> smb` });
      }
      return plan;
    }
    case 'pattern': {
      const field = String(rule.params.field);
      const value = String(rule.params.value);
      const type = (typeof rule.params.eventType === 'string' ? rule.params.eventType : NATURAL_TYPE[field] ?? 'process') as EventType;
      const event: PlatformEvent = baseEvent(type, srcIp, host, username);
      const key = FIELD_OF[field];
      if (key === 'outcome') event.outcome = value === 'failure' ? 'failure' : 'success';
      else if (key !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
      if (type === 'auth' && event.outcome === undefined) event.outcome = 'success';
      if (field !== 'message') event.message = `${type} event: ${field}=${value} on ${host}`;
      plan.events.push(event);
      return plan;
    }
  }
}

/** Choose a rule for a stage: the first stage rotates over every kind; the second stays a pattern if possible. */
export function chooseRule(rules: Rule[], stage: 'initial' | 'correlated', not?: number): Rule {
  const candidates = rules.filter((r) => r.id !== not);
  const pool = stage === 'correlated' ? candidates.filter((r) => r.kind === 'pattern') : candidates;
  return pick(pool.length > 0 ? pool : candidates.length > 0 ? candidates : rules);
}

export function newProbe(plan: AttackPlan, stage: Probe['stage'], timeoutMs: number): Probe {
  // Enough waits to cover the timeout, plus two for answers cut short (a 429 or 503 answers at once).
  const maxPolls = Math.ceil(timeoutMs / (PROBE_WAIT_SECONDS * 1000)) + 2;
  return { plan, stage, injectedAt: null, deadline: Date.now() + timeoutMs, alertId: null, seenAt: null, serverLatencyMs: null, incidentId: null, correlatedAt: null, serverCorrelationMs: null, polls: 0, maxPolls };
}

/** Seconds the next wait may last: what is left of the probe's timeout, at most PROBE_WAIT_SECONDS. */
export function nextWaitSeconds(probe: Probe, now: number): number {
  return Math.max(0, Math.min(PROBE_WAIT_SECONDS, Math.ceil((probe.deadline - now) / 1000)));
}

export const attackBatch = (plan: AttackPlan): { batchId: string; events: PlatformEvent[] } => ({ batchId: newBatchId(), events: plan.events });

export const freshAttackerIp = uniqueIp;

interface AlertItem {
  id: number;
  ruleId?: number;
  srcIp?: string | null;
  incidentId?: number | null;
  detectionLatencyMs?: number;
  correlationMs?: number | null;
}

/** Update the probe from one answer of GET /api/v1/alerts/wait (or an alert-list page); returns the probe (mutated). */
export function observeAlerts(probe: Probe, body: unknown, now: number): Probe {
  probe.polls += 1;
  const items = ((body as { items?: unknown[] } | null)?.items ?? []) as AlertItem[];
  const mine = items.find((a) => a.srcIp === probe.plan.srcIp && (a.ruleId === undefined || a.ruleId === probe.plan.ruleId));
  if (mine === undefined) return probe;
  if (probe.seenAt === null) {
    probe.seenAt = now;
    probe.alertId = mine.id;
    probe.serverLatencyMs = typeof mine.detectionLatencyMs === 'number' ? mine.detectionLatencyMs : null;
  }
  if (mine.incidentId !== undefined && mine.incidentId !== null && probe.correlatedAt === null) {
    probe.correlatedAt = now;
    probe.incidentId = mine.incidentId;
    probe.serverCorrelationMs = typeof mine.correlationMs === 'number' ? mine.correlationMs : null;
  }
  return probe;
}

/** Wait again? Until seen (and, for the correlated stage, attached to an incident), the deadline or maxPolls waits. */
export function probePending(probe: Probe, now: number): boolean {
  if (now >= probe.deadline || probe.polls >= probe.maxPolls) return false;
  if (probe.seenAt === null) return true;
  return probe.stage === 'correlated' && probe.correlatedAt === null;
}
