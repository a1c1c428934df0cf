// A budget on an endpoint nothing measures is no budget at all: a misspelt key in an SLO file
// ('GET /api/v1/alert') would pass every gate with "0 of 0 met". Every endpoint key an SLO file
// names must be measured by one of the judged runs or the baseline, or be the name of a request in
// one of the suite's scenarios (a flow this run did not select); otherwise it is a one-line error
// (exit 2) naming the file, the line, the key and the nearest known one.
import { usageError } from '../core/errors.ts';
import { listFlows, loadFlow } from '../compose/load.ts';
import { requestsOfFlow } from '../coverage/operations.ts';
import type { SloConfig } from './slo.ts';

/** The request names (endpoint keys) of every flow file of the suite; a flow that does not load adds none. */
export async function suiteEndpointKeys(suite: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const name of await listFlows(suite)) {
    try {
      for (const request of requestsOfFlow(await loadFlow(suite, name))) keys.add(request.key);
    } catch {
      // a broken flow file is `rampart run`'s and `rampart coverage`'s to report, not the gate's
    }
  }
  return keys;
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/** The known key nearest to `key`, when it is near enough to be the one meant. */
export function nearestKey(key: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(3, Math.floor(key.length / 4)) ? best : null;
}

/** Throws a usage error for the first SLO endpoint key that is not in `known`. */
export function checkSloEndpoints(slo: SloConfig, known: ReadonlySet<string>): void {
  for (const key of Object.keys(slo.endpoints)) {
    if (known.has(key)) continue;
    const near = nearestKey(key, known);
    const where = slo.locations[key] ?? slo.sources.join(' + ');
    throw usageError(
      `${where}: endpoint '${key}' is measured by no run and named by no scenario, so its budget would never be checked; ` +
        (near === null ? 'use an endpoint key from the scenarios (rampart coverage lists them)' : `did you mean '${near}'?`),
    );
  }
}
