// The platform sampler: while a run goes, once per interval, the platform's process (/proc, and its
// /metrics for heap, event loop, GC, handles, pool and queues), its PostgreSQL (process tree and
// pg_stat_activity/pg_stat_database over one read-only connection), the machine (CPU, network) and
// the generator's process tree; pg_stat_statements at the start and the end. It runs in the
// `rampart run` process, never in Artillery's. Nothing here throws into the run: a part that cannot
// be read is left out and said in `missing`, and stop() resolves within STOP_BUDGET_MS.
import { bundleFile, writeJsonAtomic } from '../core/bundle/files.ts';
import type { ResourceSample, ResourcesFile, StatementsFile } from '../core/bundle/types.ts';
import { buildSample, emptyReading, type Reading } from './build.ts';
import { connectDatabase, readDatabase, type SamplerConnection } from './database.ts';
import { fetchMetrics, type MetricsReading } from './metrics-text.ts';
import { processTree, readHostCpu, readNetDev, readProcess, readTree } from './proc.ts';
import { explainTop, snapshotStatements, statementsDelta, type StatementsSnapshot } from './statements.ts';

/** What to sample; null = that part is not sampled (say why in `missing`). */
export interface SamplerTargets {
  /** the platform's process on this machine: CPU, RSS and disk I/O from /proc */
  platformPid: number | null;
  /** the platform's base URL: its /metrics (heap, event loop, GC, handles, pool, queues; CPU and RSS without a pid) */
  metricsUrl: string | null;
  databaseUrl: string | null;
  /** PostgreSQL's postmaster on this machine: its process tree's CPU, RSS and disk I/O */
  postmasterPid: number | null;
  /** whether the platform runs on this machine (host CPU and network are then worth recording) */
  local: boolean;
  /** parts known to be missing before sampling starts */
  missing: string[];
}

export interface SamplerOptions extends SamplerTargets {
  bundleDir: string;
  /** default DEFAULT_INTERVAL_MS */
  intervalMs?: number;
  /** how many top statements are explained (default 10) */
  explainTop?: number;
}

export interface SamplerResult {
  resources: ResourcesFile;
  statements: StatementsFile | null;
  /** the files written into the bundle */
  written: string[];
}

export interface Sampler {
  /** the generator's root pid (Artillery), once it is started */
  setGeneratorPid(pid: number): void;
  /** stops sampling, takes the closing snapshot, writes resources.json (and statements.json); never rejects */
  stop(): Promise<SamplerResult>;
}

export const DEFAULT_INTERVAL_MS = 2000;
const STOP_BUDGET_MS = 8000;
const DB_TIMEOUT_MS = 3000;
const METRICS_TIMEOUT_MS = 10_000;

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
const within = <T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> => Promise.race([promise, sleep(ms).then(() => fallback)]);
const clock = (t: number): string => new Date(t).toISOString().slice(11, 19);

export async function startSampler(options: SamplerOptions): Promise<Sampler> {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const missing = [...options.missing];
  const samples: ResourceSample[] = [];
  let connection: SamplerConnection | null = null;
  let startSnapshot: StatementsSnapshot | null = null;
  let generatorPid: number | null = null;
  let cpuMicros = 0;
  let ticks = 0;
  let metricsMisses = 0;
  let platformGone = false;

  if (options.databaseUrl !== null) {
    try {
      connection = await connectDatabase(options.databaseUrl, DB_TIMEOUT_MS);
    } catch (error) {
      missing.push(`database: could not connect (${firstLine(error)}); no connection, lock, cache or statement figures`);
    }
  }
  if (connection !== null) {
    try {
      startSnapshot = await snapshotStatements(connection);
    } catch (error) {
      missing.push(`statements: pg_stat_statements could not be read (${firstLine(error)}); install the extension (CREATE EXTENSION pg_stat_statements, preloaded) to get them`);
    }
  }

  const loseDatabase = (error: unknown): void => {
    missing.push(`database: the connection failed at ${clock(Date.now())} UTC (${firstLine(error)}); later samples have no database figures`);
    const lost = connection;
    connection = null;
    void lost?.close(1000);
  };

  // /metrics of a saturated platform can take longer than an interval (its gauges may wait for a pool
  // connection): one scrape at a time, awaited for a moment by each sample; one that answers later
  // still counts, in the next sample.
  let scrape: Promise<void> | null = null;
  let fresh: MetricsReading | null = null;
  const scrapeMetrics = async (url: string): Promise<MetricsReading | null> => {
    scrape ??= fetchMetrics(url, METRICS_TIMEOUT_MS).then((reading) => {
      if (reading !== null) fresh = reading;
      scrape = null;
    });
    await within(scrape, Math.min(1500, intervalMs), undefined);
    const reading = fresh;
    fresh = null;
    return reading;
  };

  const read = async (): Promise<Reading> => {
    const db = connection;
    const pending = Promise.all([
      options.metricsUrl === null ? null : scrapeMetrics(options.metricsUrl),
      db === null ? null : readDatabase(db).catch((error: unknown) => {
        if (connection === db) loseDatabase(error);
        return null;
      }),
    ]);
    // /proc is read while the two requests are out (synchronous reads of in-memory files, microseconds each)
    const dbTree = options.postmasterPid === null ? [] : processTree(options.postmasterPid);
    const genTree = generatorPid === null ? [] : processTree(generatorPid);
    const local = {
      platformProcess: options.platformPid === null ? null : readProcess(options.platformPid),
      databaseProcess: dbTree.length === 0 ? null : readTree(dbTree),
      hostCpu: options.local ? readHostCpu() : null,
      hostNet: options.local ? readNetDev() : null,
      generator: genTree.length === 0 ? null : readTree(genTree),
    };
    const [metrics, database] = await pending;
    return { ...emptyReading(Date.now()), ...local, metrics, database };
  };

  let previous = await read();
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const before = process.cpuUsage();
    try {
      const current = await read();
      samples.push(buildSample(previous, current));
      if (options.metricsUrl !== null && current.metrics === null) metricsMisses += 1;
      if (options.platformPid !== null && current.platformProcess === null && !platformGone) {
        platformGone = true;
        missing.push(`platform process: pid ${options.platformPid} was gone at ${clock(current.t)} UTC; later samples have no platform process figures`);
      }
      previous = current;
    } catch (error) {
      missing.push(`sampler: a sample failed at ${clock(Date.now())} UTC (${firstLine(error)})`);
    }
    const used = process.cpuUsage(before);
    cpuMicros += used.user + used.system;
    ticks += 1;
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      inFlight = tick().finally(() => {
        if (!stopped) schedule();
      });
    }, Math.max(0, previous.t + intervalMs - Date.now()));
    timer.unref();
  };
  schedule();

  const finish = async (): Promise<SamplerResult> => {
    await within(inFlight, DB_TIMEOUT_MS + 1000, undefined);
    if (Date.now() - previous.t >= Math.min(500, intervalMs / 2)) await within(tick(), DB_TIMEOUT_MS + 1000, undefined); // the last, partial interval
    let statements: StatementsFile | null = null;
    const db = connection;
    if (db !== null && startSnapshot !== null) {
      try {
        const delta = statementsDelta(startSnapshot, await snapshotStatements(db));
        statements = { ...delta, plans: await explainTop(db, delta.statements, options.explainTop ?? 10, Date.now() + 3000) };
      } catch (error) {
        missing.push(`statements: the closing pg_stat_statements snapshot failed (${firstLine(error)}); no statement figures`);
      }
    } else if (startSnapshot !== null) {
      missing.push('statements: the database connection was lost before the end of the run; no statement figures');
    }
    await db?.close(1000);
    if (metricsMisses > 0) missing.push(`platform /metrics: no answer during ${metricsMisses} of ${samples.length} samples (no heap, event loop, GC, handles, pool or queues in those)`);
    return { resources: resourcesFile(missing), statements, written: [] };
  };
  const resourcesFile = (lines: string[]): ResourcesFile => ({
    schema: 'rampart.resources/1',
    intervalMs,
    sources: {
      platform: options.platformPid !== null ? 'proc' : options.metricsUrl !== null && samples.some((s) => s.platform !== undefined) ? 'metrics' : null,
      database: samples.some((s) => s.database !== undefined) ? 'postgres' : null,
      generator: samples.some((s) => s.generator !== undefined) ? 'proc' : null,
    },
    missing: lines,
    samples,
    sampler: { samples: ticks, cpuMsPerSample: ticks === 0 ? 0 : Math.round(cpuMicros / ticks / 10) / 100 },
  });

  let result: Promise<SamplerResult> | null = null;
  return {
    setGeneratorPid(pid: number): void {
      if (pid > 0) generatorPid = pid;
    },
    stop(): Promise<SamplerResult> {
      result ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        const late = 'sampler: stopping took too long; the samples were kept, the closing statements snapshot was not';
        const done = (await within<SamplerResult | null>(finish(), STOP_BUDGET_MS, null)) ?? { resources: resourcesFile([...missing, late]), statements: null, written: [] };
        const written: string[] = [];
        const resourcesPath = bundleFile(options.bundleDir, 'resources');
        await writeJsonAtomic(resourcesPath, done.resources).then(() => written.push(resourcesPath), () => undefined);
        if (done.statements !== null) {
          const statementsPath = bundleFile(options.bundleDir, 'statements');
          await writeJsonAtomic(statementsPath, done.statements).then(() => written.push(statementsPath), () => undefined);
        }
        return { ...done, written };
      })();
      return result;
    },
  };
}
