// A small client of the Pushgateway's HTTP API (push, read, delete one group) and the text
// exposition format it accepts. Every request is bounded in time; a Pushgateway that does not answer
// is a RampartError (exit 3) naming the URL, never a hang.
import { untrustworthy } from '../core/errors.ts';

/** A Pushgateway group: its grouping labels, `job` first (e.g. {job: 'baseline', run_id: '...'}). */
export type GroupKey = Readonly<Record<string, string>>;

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One group as the Pushgateway holds it: metric family name -> samples. */
export interface Group {
  labels: Record<string, string>;
  families: Record<string, Sample[]>;
}

const TIMEOUT_MS = 5000;

/** `/metrics/job/<job>/<label>/<value>...`, every part percent-encoded. */
export function groupPath(group: GroupKey): string {
  const { job, ...rest } = group;
  const parts = [`job/${encodeURIComponent(job)}`, ...Object.entries(rest).map(([k, v]) => `${encodeURIComponent(k)}/${encodeURIComponent(v)}`)];
  return `/metrics/${parts.join('/')}`;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Families in the text exposition format (pure): `# TYPE`, then one line per sample. */
export function exposition(families: Readonly<Record<string, { type: 'counter' | 'gauge'; help: string; samples: readonly Sample[] }>>): string {
  const lines: string[] = [];
  for (const [name, family] of Object.entries(families)) {
    lines.push(`# HELP ${name} ${family.help.replace(/\n/g, ' ')}`, `# TYPE ${name} ${family.type}`);
    for (const s of family.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${name}${labels === '' ? '' : `{${labels}}`} ${String(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw untrustworthy(`${new URL(url).origin} did not answer (${cause}); is it running? ('rampart observe status')`);
  }
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const text = (await response.text()).split('\n')[0].slice(0, 200);
  throw untrustworthy(`${what}: HTTP ${String(response.status)} ${text}`);
}

/** POST: replaces, inside the group, only the families the text names. */
export async function pushAdd(base: string, group: GroupKey, text: string): Promise<void> {
  const response = await call(base + groupPath(group), { method: 'POST', body: text, headers: { 'content-type': 'text/plain; version=0.0.4' } });
  await expectOk(response, `pushing to ${base}${groupPath(group)}`);
}

export async function deleteGroup(base: string, group: GroupKey): Promise<void> {
  const response = await call(base + groupPath(group), { method: 'DELETE' });
  await expectOk(response, `deleting ${base}${groupPath(group)}`);
}

interface ApiMetric { labels?: Record<string, string>; value?: string }
interface ApiFamily { metrics?: ApiMetric[] }
interface ApiGroup { labels?: Record<string, string>; [family: string]: unknown }

/** Every group the Pushgateway holds (its /api/v1/metrics), gauges and counters with their values. */
export async function readGroups(base: string): Promise<Group[]> {
  const response = await call(`${base}/api/v1/metrics`, {});
  await expectOk(response, `reading ${base}/api/v1/metrics`);
  const body = (await response.json()) as { data?: ApiGroup[] };
  return (body.data ?? []).map((g) => {
    const families: Record<string, Sample[]> = {};
    for (const [name, family] of Object.entries(g)) {
      if (name === 'labels' || typeof family !== 'object' || family === null || !Array.isArray((family as ApiFamily).metrics)) continue;
      families[name] = ((family as ApiFamily).metrics ?? [])
        .filter((m) => m.value !== undefined)
        .map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
    }
    return { labels: g.labels ?? {}, families };
  });
}

const sameKey = (labels: Record<string, string>, key: GroupKey): boolean =>
  Object.keys(labels).length === Object.keys(key).length && Object.entries(key).every(([k, v]) => labels[k] === v);

/** The group with exactly these grouping labels, or null. */
export async function readGroup(base: string, key: GroupKey): Promise<Group | null> {
  return (await readGroups(base)).find((g) => sameKey(g.labels, key)) ?? null;
}
