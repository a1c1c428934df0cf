// Findings from the platform samples (resources.json): which resource bound the run. Pure.
//
//   cpu-bound           the platform's process used >= 80% of one core (user + system) in at least
//                       half the samples while the load ran: its event loop is one thread, so that is
//                       its ceiling (80%, not 100%: on a shared machine it waits for a core at times);
//                       named after the endpoint with the most request time
//   database-cpu-bound  PostgreSQL's processes used >= 80% of one core in at least half the samples:
//                       a statement (or a serial worker on one backend) keeps a core busy
//   pool-bound          requests waited for a database connection (pool waiting > 0) in >= 20% of the
//                       samples; share of request time = mean waiting / mean requests in flight
//                       (Little's law on both), so it estimates the time spent queuing for the pool
//   lock-bound          backends waited on locks in >= 20% of the samples; share of database time =
//                       mean backends waiting on a lock / mean active backends
//   io-bound            the database's cache-hit ratio under 90% in at least half the samples that read
//                       rows: reads go to disk
import { endpointTimes, meanRequestsInFlight, percent, round, runWindow } from './context.ts';
import type { RuleInput } from './context.ts';
import type { ResourceSample } from '../core/bundle/types.ts';
import type { Candidate } from './types.ts';

export const RESOURCE_RULES = { coreShare: 80, boundSamples: 0.5, waitingSamples: 0.2, cacheHitRatio: 0.9 } as const;

const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** The samples taken while the load ran (./context.ts runWindow; all of them when it is unknown). */
export function runSamples(input: RuleInput): ResourceSample[] {
  const samples = input.resources?.samples ?? [];
  const window = runWindow(input);
  if (window === null) return samples;
  // a sample covers the interval before its time: keep those that end inside the window
  const inside = samples.filter((s) => s.t > window.start + (input.resources?.intervalMs ?? 0) / 2 && s.t <= window.end + (input.resources?.intervalMs ?? 0) / 2);
  return inside.length > 0 ? inside : samples;
}

function cpuBound(input: RuleInput, samples: ResourceSample[]): Candidate[] {
  const out: Candidate[] = [];
  const platform = samples.flatMap((s) => (s.platform === undefined ? [] : [s.platform.cpuUserPercent + s.platform.cpuSystemPercent]));
  const busy = platform.filter((cpu) => cpu >= RESOURCE_RULES.coreShare).length;
  if (platform.length > 0 && busy / platform.length >= RESOURCE_RULES.boundSamples) {
    const top = endpointTimes(input.analysis).at(0);
    const loops = samples.flatMap((s) => (s.platform?.eventLoopDelayP99Ms === undefined ? [] : [s.platform.eventLoopDelayP99Ms]));
    out.push({
      rule: 'cpu-bound', tier: 'bottleneck', subject: top?.endpoint ?? 'the platform process', share: busy / platform.length, shareOf: 'run',
      title: `the platform is CPU-bound: ${String(round(mean(platform), 0))}% of a core on average${top === undefined ? '' : `, ${top.endpoint} holds ${String(percent(top.share))}% of request time`}`,
      evidence: [
        { label: 'samples at >= 80% of a core', value: busy, unit: 'count' },
        { label: 'samples', value: platform.length, unit: 'count' },
        { label: 'platform CPU, mean', value: round(mean(platform)), unit: '% of a core' },
        { label: 'platform CPU, max', value: round(Math.max(...platform)), unit: '% of a core' },
        ...(loops.length === 0 ? [] : [{ label: 'event-loop delay p99, max', value: round(Math.max(...loops)), unit: 'ms' }]),
        ...(top === undefined ? [] : [{ label: `share of request time in ${top.endpoint}`, value: percent(top.share), unit: '%' }, { label: `mean latency of ${top.endpoint}`, value: round(top.summary.latencyMs?.mean ?? 0, 2), unit: 'ms' }]),
      ],
      recommendation: `profile the platform under this load (node --cpu-prof) starting with ${top?.endpoint ?? 'the busiest route'}: move synchronous work (hashing, serialisation, loops) off the event loop to worker threads or make it cheaper, or run more platform processes`,
    });
  }
  const database = samples.flatMap((s) => (s.databaseProcess === undefined ? [] : [s.databaseProcess.cpuPercent]));
  const dbBusy = database.filter((cpu) => cpu >= RESOURCE_RULES.coreShare).length;
  if (database.length > 0 && dbBusy / database.length >= RESOURCE_RULES.boundSamples) {
    const top = input.statements?.statements.at(0);
    out.push({
      rule: 'database-cpu-bound', tier: 'bottleneck', subject: 'PostgreSQL', share: dbBusy / database.length, shareOf: 'run',
      title: `the database is CPU-bound: PostgreSQL at ${String(round(mean(database), 0))}% of a core on average`,
      evidence: [
        { label: 'samples at >= 80% of a core', value: dbBusy, unit: 'count' },
        { label: 'samples', value: database.length, unit: 'count' },
        { label: 'database CPU, mean', value: round(mean(database)), unit: '% of a core' },
        ...(top === undefined || input.statements === null ? [] : [{ label: 'share of database time in the top statement', value: percent(top.totalExecMs / input.statements.totalExecMs), unit: '%' }]),
      ],
      recommendation: 'make the statements at the top of the database time cheaper (their plans are in the findings); a serial worker on one backend can use only one core',
    });
  }
  return out;
}

function waits(input: RuleInput, samples: ResourceSample[]): Candidate[] {
  const out: Candidate[] = [];
  const pool = samples.flatMap((s) => (s.pool === undefined ? [] : [s.pool]));
  const waiting = pool.filter((p) => p.waiting > 0).length;
  if (pool.length > 0 && waiting / pool.length >= RESOURCE_RULES.waitingSamples) {
    const meanWaiting = mean(pool.map((p) => p.waiting));
    const inFlight = meanRequestsInFlight(input.analysis);
    const share = inFlight === null ? waiting / pool.length : Math.min(1, meanWaiting / inFlight);
    out.push({
      rule: 'pool-bound', tier: 'bottleneck', subject: 'database connection pool', share, shareOf: inFlight === null ? 'run' : 'request time',
      title: `the connection pool is saturated: requests waited for a connection in ${String(waiting)} of ${String(pool.length)} samples (all ${String(Math.max(...pool.map((p) => p.total)))} connections in use)`,
      evidence: [
        { label: 'samples with requests waiting', value: waiting, unit: 'count' },
        { label: 'samples', value: pool.length, unit: 'count' },
        { label: 'requests waiting, mean', value: round(meanWaiting, 2), unit: 'count' },
        { label: 'requests waiting, max', value: Math.max(...pool.map((p) => p.waiting)), unit: 'count' },
        { label: 'pool size, max', value: Math.max(...pool.map((p) => p.total)), unit: 'count' },
        { label: 'connections in use, mean', value: round(mean(pool.map((p) => p.inUse)), 2), unit: 'count' },
        ...(inFlight === null ? [] : [{ label: 'requests in flight, mean (Little)', value: round(inFlight, 2), unit: 'count' }]),
      ],
      recommendation: 'shorten what holds a connection (slow statements, work done while a transaction is open), then size the pool to what the database can serve; a bigger pool only helps while the database has idle capacity',
    });
  }
  const db = samples.flatMap((s) => (s.database === undefined ? [] : [s.database]));
  const locked = db.filter((d) => d.waitingOnLock > 0).length;
  if (db.length > 0 && locked / db.length >= RESOURCE_RULES.waitingSamples) {
    const active = mean(db.map((d) => d.active));
    out.push({
      rule: 'lock-bound', tier: 'bottleneck', subject: 'database locks', share: active > 0 ? Math.min(1, mean(db.map((d) => d.waitingOnLock)) / active) : locked / db.length, shareOf: 'database time',
      title: `backends waited on locks in ${String(locked)} of ${String(db.length)} samples`,
      evidence: [
        { label: 'samples with a backend waiting on a lock', value: locked, unit: 'count' },
        { label: 'backends waiting on a lock, max', value: Math.max(...db.map((d) => d.waitingOnLock)), unit: 'count' },
        { label: 'active backends, mean', value: round(active, 2), unit: 'count' },
        { label: 'deadlocks', value: db.reduce((n, d) => n + d.deadlocks, 0), unit: 'count' },
      ],
      recommendation: 'find the contended rows or tables (pg_locks joined to pg_stat_activity during a run): keep transactions short, update rows in one order, avoid updating one hot row from every request',
    });
  }
  const reading = db.filter((d) => d.cacheHitRatio !== null && d.rowsRead > 0);
  const misses = reading.filter((d) => (d.cacheHitRatio ?? 1) < RESOURCE_RULES.cacheHitRatio).length;
  if (reading.length > 0 && misses / reading.length >= RESOURCE_RULES.boundSamples) {
    out.push({
      rule: 'io-bound', tier: 'bottleneck', subject: 'database reads', share: misses / reading.length, shareOf: 'run',
      title: `the database reads from disk: cache-hit ratio under 90% in ${String(misses)} of ${String(reading.length)} samples`,
      evidence: [
        { label: 'cache-hit ratio, mean', value: round(mean(reading.map((d) => d.cacheHitRatio ?? 0)), 3), unit: 'ratio' },
        { label: 'samples under 90%', value: misses, unit: 'count' },
      ],
      recommendation: 'read fewer blocks (indexes for the scans in the findings) or give the database more memory (shared_buffers)',
    });
  }
  return out;
}

export function resourceFindings(input: RuleInput): Candidate[] {
  const samples = runSamples(input);
  if (samples.length === 0) return [];
  return [...cpuBound(input, samples), ...waits(input, samples)];
}
