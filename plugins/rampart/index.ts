// artillery-plugin-rampart: Rampart's measurement plugin (docs/measurement.md).
//
// Enable with `config.plugins.rampart: {}` and tell it where the run's bundle is:
// env RAMPART_BUNDLE_DIR, or the plugin option `bundleDir`. Writes into that folder:
//   histograms.json  HistogramFile: µs HDR histograms per endpoint key and 10 s period, status
//                    codes, transport errors, and custom metrics (`ee.emit('histogram', 'rampart.x', ms)`)
//   generator.json   GeneratorFile: planned vs actual arrivals per period, CPU, event-loop delay,
//                    and the trust verdict
// Artillery constructs the plugin once in the main thread (events: phaseStarted, stats, done) and
// once in each worker thread (LOCAL_WORKER_ID set; where the requests are sent and the hooks run).
// This file is the only one that touches Artillery's objects; the rest is typed and mostly pure.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { bundleFile, writeJsonAtomic } from '../../src/core/bundle/files.ts';
import { writeHistogramFile } from '../../src/core/bundle/histogram-file.ts';
import { CounterChannel } from './channel.ts';
import { createHooks, installHooks } from './hooks.ts';
import type { HookableScript } from './hooks.ts';
import { Recorder, warmUp } from './recorder.ts';
import { startHealthSampler } from './health.ts';
import type { HealthSampler } from './health.ts';
import { announceWorker, collectWorkerReports, mergeReports, prepareStaging, removeStaging, stagingDir, writeWorkerReport } from './exchange.ts';
import { buildGeneratorFile } from '../../src/core/generator.ts';
import { decodeHistogram, latencyStats } from '../../src/core/histogram.ts';
import { planRun } from '../../src/core/schedule.ts';
import type { PhaseSpec, PlannedRun } from '../../src/core/schedule.ts';
import { startStandalone } from './standalone.ts';

// Not dead: Artillery 2 (2.0.34's launcher) gives a plugin plain metric objects ({counters, period, ...})
// in `stats` and `done` only when its module exports LEGACY_METRICS_FORMAT === false. Otherwise it
// sends the old report shape, with empty `counters` and no `period`, and the arrivals per period and
// the run's total (vusers.created) below would all read as nothing.
export const LEGACY_METRICS_FORMAT = false;

export interface RampartPluginOptions {
  /** Bundle folder to write into (RAMPART_BUNDLE_DIR wins when both are set). */
  bundleDir?: string;
  /** How long the main thread waits for the workers' measurements at the end (default 20 000 ms). */
  workerTimeoutMs?: number;
  /**
   * Emit the measurements as Artillery counters too (./channel.ts; docs/distributed.md). Default:
   * only when there is no bundle folder, since then they are the only way out (run-fargate's
   * containers); with one, histograms.json holds them at finer precision and the --output file
   * stays small. `rampart run --fargate` sets it.
   */
  counters?: boolean;
}

interface ArtilleryScript extends HookableScript {
  config: { processor?: unknown; phases?: PhaseSpec[]; plugins?: Record<string, unknown> };
}

interface PluginEvents {
  on(event: string, listener: (payload: unknown) => void): unknown;
}

interface MetricsPayload {
  counters?: Record<string, number>;
  period?: number | string;
}

type Done = (error?: unknown) => void;

const say = (line: string): void => {
  process.stderr.write(`rampart: ${line}\n`);
};

function readOptions(script: ArtilleryScript): RampartPluginOptions {
  const raw = script.config.plugins?.rampart;
  if (raw === null || typeof raw !== 'object') return {};
  const options = raw as Record<string, unknown>;
  return {
    bundleDir: typeof options.bundleDir === 'string' && options.bundleDir !== '' ? options.bundleDir : undefined,
    workerTimeoutMs: typeof options.workerTimeoutMs === 'number' ? options.workerTimeoutMs : undefined,
    counters: typeof options.counters === 'boolean' ? options.counters : undefined,
  };
}

/**
 * In a worker thread: record every request through hooks, emit it as counters (./channel.ts), and,
 * when there is a bundle folder, hand the recording over to the main thread in cleanup.
 */
class WorkerMeasurement {
  private readonly recorder = new Recorder();
  private readonly channel: CounterChannel | undefined;
  private readonly health: HealthSampler;
  private readonly staging: string | null;
  private readonly workerId = String(threadId);

  constructor(script: ArtilleryScript, bundleDir: string | null, counters: boolean) {
    warmUp(); // before the load: the first period's encoding would otherwise stall it (./recorder.ts)
    const channel = counters ? new CounterChannel() : undefined;
    this.channel = channel;
    this.health = startHealthSampler('worker', 1000, channel === undefined ? undefined : (busy, sampled) => {
      channel.health(busy, sampled);
    });
    this.staging = bundleDir === null ? null : stagingDir(bundleDir);
    if (this.staging !== null) announceWorker(this.staging, this.workerId);
    const health = this.health;
    if (!installHooks(script, createHooks(this.recorder, this.channel, () => { health.watchDelay(); }))) {
      say(`worker ${this.workerId}: the script's processor is not an object; requests are not measured`);
    }
  }

  finish(): Promise<void> {
    const health = this.health.stop();
    if (this.staging !== null) writeWorkerReport(this.staging, { schema: 'rampart.worker/1', workerId: this.workerId, health, ...this.recorder.finish() });
    return Promise.resolve();
  }
}

/** In the main thread: the schedule, Artillery's per-period counters and process health. */
class MainMeasurement {
  private readonly health: HealthSampler = startHealthSampler('main');
  private readonly staging: string;
  private readonly actualByPeriod = new Map<number, number>();
  private startedAt: number | null = null;
  private totalCreated: number | null = null;
  private interruptedAt: number | null = null;
  private readonly scriptPhases: PhaseSpec[];
  private readonly bundleDir: string;
  private readonly workerTimeoutMs: number;

  constructor(scriptPhases: PhaseSpec[], events: PluginEvents, bundleDir: string, workerTimeoutMs: number) {
    this.scriptPhases = scriptPhases;
    this.bundleDir = bundleDir;
    this.workerTimeoutMs = workerTimeoutMs;
    this.staging = stagingDir(bundleDir);
    prepareStaging(this.staging);
    events.on('phaseStarted', (phase) => {
      if (this.startedAt !== null) return;
      const startTime = (phase as { startTime?: unknown } | null)?.startTime;
      this.startedAt = typeof startTime === 'number' ? startTime : Date.now();
    });
    events.on('stats', (payload) => {
      const stats = payload as MetricsPayload;
      const period = Number(stats.period);
      if (Number.isFinite(period)) this.actualByPeriod.set(period, (this.actualByPeriod.get(period) ?? 0) + (stats.counters?.['vusers.created'] ?? 0));
    });
    events.on('done', (payload) => {
      this.totalCreated = (payload as MetricsPayload).counters?.['vusers.created'] ?? 0;
    });
    // Artillery announces an early stop (Ctrl-C, SIGTERM) on its global event bus.
    const artillery = (globalThis as { artillery?: { globalEvents?: PluginEvents } }).artillery;
    artillery?.globalEvents?.on('shutdown:start', (opts) => {
      if ((opts as { earlyStop?: unknown } | null)?.earlyStop === true && this.interruptedAt === null) this.interruptedAt = Date.now();
    });
  }

  async finish(): Promise<void> {
    const { reports, missing } = await collectWorkerReports(this.staging, this.workerTimeoutMs);
    const mainHealth = this.health.stop();
    const merged = mergeReports(reports);
    let plan: PlannedRun | null = null;
    let planError: string | null = null;
    if (this.startedAt !== null) {
      try {
        plan = planRun(this.scriptPhases, this.startedAt);
      } catch (error) {
        planError = error instanceof Error ? error.message : String(error);
      }
    }
    const generator = buildGeneratorFile({
      plan,
      actualByPeriod: this.actualByPeriod,
      arrivalsBySecond: merged.arrivalsBySecond,
      firstArrivalAt: merged.firstArrivalAt,
      lastArrivalAt: merged.lastArrivalAt,
      mainHealth,
      workerHealth: reports.map((r) => r.health),
      cpus: availableParallelism(),
      missingWorkers: missing,
      totalCreated: this.totalCreated,
      interruptedAt: this.interruptedAt,
      planError,
      lastActivePeriod: Object.values(merged.histograms.endpoints).reduce((last, periods) => periods.reduce((l, p) => Math.max(l, p.start), last), -1),
      medianLatencyMs: merged.histograms.totals === undefined ? null : (latencyStats(decodeHistogram(merged.histograms.totals.overall))?.p50 ?? null),
    });
    writeHistogramFile(bundleFile(this.bundleDir, 'histograms'), merged.histograms);
    await writeJsonAtomic(bundleFile(this.bundleDir, 'generator'), generator);
    removeStaging(this.staging);
    const endpoints = Object.keys(merged.histograms.endpoints).length;
    say(
      generator.trust.trustworthy
        ? `measured ${endpoints} endpoint(s); generator kept to the schedule (${generator.actual.arrivals}/${generator.planned.arrivals} arrivals${generator.trust.generatorDelayMs === undefined ? '' : `; its own delay ${generator.trust.generatorDelayMs} ms at p99`}); wrote ${this.bundleDir}`
        : `run NOT trustworthy: ${generator.trust.reasons.join('; ')} (wrote ${this.bundleDir})`,
    );
  }
}

export class Plugin {
  private readonly measurement: WorkerMeasurement | MainMeasurement | null = null;

  constructor(script: ArtilleryScript, events: PluginEvents) {
    const options = readOptions(script);
    const dir = process.env.RAMPART_BUNDLE_DIR || options.bundleDir || startStandalone(script, events);
    const inWorker = process.env.LOCAL_WORKER_ID !== undefined;
    try {
      if (dir === undefined) {
        // The workers still emit their counters into Artillery's output (run-fargate's containers
        // have no bundle folder); only the files are not written.
        if (inWorker) this.measurement = new WorkerMeasurement(script, null, options.counters ?? true);
        else say(`no bundle folder (set RAMPART_BUNDLE_DIR or config.plugins.rampart.bundleDir): histograms.json and generator.json are not written${options.counters === false ? '' : '; the counters plugins.rampart.* in Artillery\'s output carry the measurements'}`);
        return;
      }
      const bundleDir = resolve(dir);
      this.measurement = inWorker
        ? new WorkerMeasurement(script, bundleDir, options.counters ?? false)
        : new MainMeasurement(script.config.phases ?? [], events, bundleDir, options.workerTimeoutMs ?? 20_000);
    } catch (error) {
      say(`measurement disabled: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Artillery promisifies this: `done` must always be called, or shutdown stops silently. */
  cleanup(done: Done): void {
    if (this.measurement === null) {
      done();
      return;
    }
    this.measurement.finish().then(
      () => {
        done();
      },
      (error: unknown) => {
        say(`could not write measurements: ${error instanceof Error ? error.message : String(error)}`);
        done();
      },
    );
  }
}
