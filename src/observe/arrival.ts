// After the run: did what was published arrive? Compares the run's final counters (artillery.json's
// aggregate, what the bundle counts) with what the Pushgateway holds in the run's group, then —
// because Artillery's publish-metrics does not always deliver its last push before the process exits
// (docs/observability.md, "The final push") — pushes the bundle's final counter totals into the same
// family and checks again; with a Prometheus configured, waits until Prometheus has scraped them.
// Finally deletes the run's groups when asked. Returns lines to print and whether the figures arrived.
import { publishedName, type RunIdentity, artilleryGroup, artilleryLabels, statusGroup, ARTILLERY_PREFIX } from './publish.ts';
import { deleteGroup, exposition, pushAdd, readGroup, type Group } from './pushgateway.ts';

export interface ArrivalInput {
  pushgateway: string;
  prometheus: string | null;
  run: RunIdentity;
  /** artillery.json's aggregate counters (Artillery's names, e.g. 'http.requests') */
  counters: Readonly<Record<string, number>>;
  deleteGroups: boolean;
  /** how long to wait for Prometheus to scrape the final figures (default 45 s) */
  prometheusWaitMs?: number;
}

export interface ArrivalResult {
  /** the final request count reached the Pushgateway (and Prometheus, when one is configured) */
  arrived: boolean;
  lines: string[];
}

const COUNTERS = `${ARTILLERY_PREFIX}_counters`;

/** The value of artillery_counters{metric=<name>} in a group, or null (pure). */
export function counterIn(group: Group | null, name: string): number | null {
  const sample = group?.families[COUNTERS]?.find((s) => s.labels.metric === name);
  return sample === undefined ? null : sample.value;
}

/** The bundle's final counters as Artillery's family, with the labels Artillery's own samples carry (pure). */
export function finalCountersText(run: RunIdentity, counters: Readonly<Record<string, number>>): string {
  const labels = artilleryLabels(run);
  const samples = Object.entries(counters).map(([name, value]) => ({ labels: { ...labels, metric: publishedName(name) }, value }));
  return exposition({ [COUNTERS]: { type: 'counter', help: 'counter based stats e.g.: core_vusers_created_total, engine.http.requests', samples } });
}

const escapeSelector = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The run's published request count as Prometheus has it, or null when it has none. */
export async function requestsInPrometheus(prometheus: string, run: RunIdentity): Promise<number | null> {
  const query = `sum(${COUNTERS}{job="${escapeSelector(run.profile)}",run_id="${escapeSelector(run.runId)}",metric="http_requests"})`;
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) return null;
  const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value?.[1];
  return value === undefined ? null : Number(value);
}

async function waitForPrometheus(input: ArrivalInput, expected: number): Promise<number | null> {
  const prometheus = input.prometheus;
  if (prometheus === null) return null;
  const deadline = Date.now() + (input.prometheusWaitMs ?? 45_000);
  let seen: number | null = null;
  while (Date.now() < deadline) {
    seen = await requestsInPrometheus(prometheus, input.run).catch(() => null);
    if (seen === expected) return seen;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return seen;
}

const describe = (n: number | null): string => (n === null ? 'none' : String(n));

export async function checkArrival(input: ArrivalInput): Promise<ArrivalResult> {
  const lines: string[] = [];
  const expected = input.counters['http.requests'] ?? 0;
  const key = artilleryGroup(input.run);
  const where = `${input.pushgateway} group job=${key.job},run_id=${key.run_id}`;
  let arrived = false;
  try {
    const fromArtillery = counterIn(await readGroup(input.pushgateway, key), 'http_requests');
    if (fromArtillery === expected) {
      lines.push(`metrics: ${where} holds the final request count (${String(expected)}) as Artillery pushed it`);
    } else {
      await pushAdd(input.pushgateway, key, finalCountersText(input.run, input.counters));
      const repaired = counterIn(await readGroup(input.pushgateway, key), 'http_requests');
      lines.push(`metrics: Artillery's pushes left ${describe(fromArtillery)} of ${String(expected)} requests in ${where}; ` +
        `Rampart pushed the bundle's final counters, the group now holds ${describe(repaired)}`);
      if (repaired !== expected) throw new Error(`the Pushgateway still holds ${describe(repaired)} requests, not ${String(expected)}`);
    }
    arrived = true;
    if (input.prometheus !== null) {
      const seen = await waitForPrometheus(input, expected);
      arrived = seen === expected;
      lines.push(arrived
        ? `metrics: ${input.prometheus} has scraped the final request count (${String(expected)})`
        : `metrics: ${input.prometheus} has ${describe(seen)} requests for run ${input.run.runId}, not ${String(expected)}: does it scrape ${input.pushgateway}?`);
    }
  } catch (error) {
    lines.push(`metrics did not arrive: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (input.deleteGroups) {
    try {
      await deleteGroup(input.pushgateway, key);
      await deleteGroup(input.pushgateway, statusGroup(input.run));
      lines.push(`metrics: deleted the run's groups from ${input.pushgateway}`);
    } catch (error) {
      lines.push(`metrics: could not delete the run's groups: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { arrived, lines };
}
