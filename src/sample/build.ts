// One resource sample from two readings an interval apart (pure): running totals (CPU seconds, disk
// bytes, GC seconds, database counters) become amounts within the interval, gauges are taken as they
// are at its end. A part missing from either reading is left out of the sample.
import type { ResourceSample } from '../core/bundle/types.ts';
import type { DatabaseReading } from './database.ts';
import type { MetricsReading } from './metrics-text.ts';
import type { ProcessCounters } from './proc.ts';

/** Everything read at one moment; null = not sampled or not readable this time. */
export interface Reading {
  t: number;
  platformProcess: ProcessCounters | null;
  metrics: MetricsReading | null;
  databaseProcess: ProcessCounters | null;
  hostCpu: { busy: number; total: number } | null;
  hostNet: { rx: number; tx: number } | null;
  database: DatabaseReading | null;
  generator: ProcessCounters | null;
}

export const emptyReading = (t: number): Reading => ({
  t, platformProcess: null, metrics: null, databaseProcess: null, hostCpu: null, hostNet: null, database: null, generator: null,
});

const r1 = (n: number): number => Math.round(n * 10) / 10;
const grow = (a: number, b: number): number => Math.max(0, b - a);

function pair<T>(a: T | null | undefined, b: T | null | undefined): [T, T] | null {
  return a === null || a === undefined || b === null || b === undefined ? null : [a, b];
}

/** Percent of one core: CPU seconds over wall seconds. */
const percent = (cpuSeconds: number, wallSeconds: number): number => r1((100 * Math.max(0, cpuSeconds)) / wallSeconds);

function disk(p: [ProcessCounters, ProcessCounters]): { diskReadBytes?: number; diskWriteBytes?: number } {
  const [a, b] = p;
  if (a.diskReadBytes === null || b.diskReadBytes === null || a.diskWriteBytes === null || b.diskWriteBytes === null) return {};
  return { diskReadBytes: grow(a.diskReadBytes, b.diskReadBytes), diskWriteBytes: grow(a.diskWriteBytes, b.diskWriteBytes) };
}

function platformPart(a: Reading, b: Reading, wall: number): ResourceSample['platform'] {
  const m = b.metrics;
  const extras = {
    ...(m?.heapUsedBytes === undefined ? {} : { heapUsedBytes: m.heapUsedBytes }),
    ...(m?.eventLoopDelayP99Ms === undefined ? {} : { eventLoopDelayP99Ms: Math.round(m.eventLoopDelayP99Ms * 100) / 100 }),
    ...(m?.handles === undefined ? {} : { handles: m.handles }),
  };
  const gc = pair(a.metrics?.gcSecondsTotal, m?.gcSecondsTotal);
  if (gc !== null) Object.assign(extras, { gcSeconds: Math.round(grow(gc[0], gc[1]) * 10_000) / 10_000 });
  const proc = pair(a.platformProcess, b.platformProcess);
  if (proc !== null) {
    const [p, q] = proc;
    return {
      cpuUserPercent: percent(q.userSeconds - p.userSeconds, wall),
      cpuSystemPercent: percent(q.systemSeconds - p.systemSeconds, wall),
      rssBytes: q.rssBytes,
      ...extras,
      ...disk(proc),
    };
  }
  const user = pair(a.metrics?.cpuUserSeconds, m?.cpuUserSeconds);
  const system = pair(a.metrics?.cpuSystemSeconds, m?.cpuSystemSeconds);
  if (user === null || system === null || m?.rssBytes === undefined) return undefined;
  return { cpuUserPercent: percent(user[1] - user[0], wall), cpuSystemPercent: percent(system[1] - system[0], wall), rssBytes: m.rssBytes, ...extras };
}

function databasePart(a: DatabaseReading, b: DatabaseReading): NonNullable<ResourceSample['database']> {
  const hit = grow(a.blksHit, b.blksHit);
  const read = grow(a.blksRead, b.blksRead);
  return {
    active: b.active, idle: b.idle, idleInTransaction: b.idleInTransaction, waitingOnLock: b.waitingOnLock,
    cacheHitRatio: hit + read === 0 ? null : Math.round((hit / (hit + read)) * 10_000) / 10_000,
    rowsRead: grow(a.rowsRead, b.rowsRead), rowsWritten: grow(a.rowsWritten, b.rowsWritten),
    tempBytes: grow(a.tempBytes, b.tempBytes), deadlocks: grow(a.deadlocks, b.deadlocks),
  };
}

const treeCpu = (p: [ProcessCounters, ProcessCounters], wall: number): number =>
  percent(p[1].userSeconds + p[1].systemSeconds - p[0].userSeconds - p[0].systemSeconds, wall);

/** The sample for the interval from reading `a` to reading `b`. */
export function buildSample(a: Reading, b: Reading): ResourceSample {
  const wall = Math.max(0.001, (b.t - a.t) / 1000);
  const sample: ResourceSample = { t: b.t };
  const platform = platformPart(a, b, wall);
  if (platform !== undefined) sample.platform = platform;
  const db = pair(a.databaseProcess, b.databaseProcess);
  if (db !== null) sample.databaseProcess = { cpuPercent: treeCpu(db, wall), rssBytes: db[1].rssBytes, ...disk(db) };
  const cpu = pair(a.hostCpu, b.hostCpu);
  const net = pair(a.hostNet, b.hostNet);
  if (cpu !== null && net !== null) {
    const total = grow(cpu[0].total, cpu[1].total);
    sample.host = {
      cpuPercent: total === 0 ? 0 : r1((100 * grow(cpu[0].busy, cpu[1].busy)) / total),
      netRxBytes: grow(net[0].rx, net[1].rx),
      netTxBytes: grow(net[0].tx, net[1].tx),
    };
  }
  if (b.metrics?.pool !== undefined) sample.pool = b.metrics.pool;
  const database = pair(a.database, b.database);
  if (database !== null) sample.database = databasePart(database[0], database[1]);
  const generator = pair(a.generator, b.generator);
  if (generator !== null) sample.generator = { cpuPercent: treeCpu(generator, wall), rssBytes: generator[1].rssBytes };
  if (b.metrics !== null && Object.keys(b.metrics.queues).length > 0) sample.queues = { ...b.metrics.queues };
  return sample;
}
