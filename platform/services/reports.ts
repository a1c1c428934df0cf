// The report worker (INSIGHT), a domain service plugin: app.reportWorker turns queued jobs in the
// `reports` table into finished content, one job at a time, in-process.
//
// Input: rows in `reports` with status 'queued' (POST /api/v1/reports queues them).
// Output: the same rows moved to 'running', then 'done' (content + content_type) or 'failed' (error).
// The SQL (claiming with FOR UPDATE SKIP LOCKED, so several platform processes can share one
// database) and the generators are app.reportsRepository's (platform/plugins/app/reports/). The
// worker starts polling when the app is ready and stops in onClose, waiting for a running job.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { isConnectionFailure } from '../db/pool.ts';
import { isReportKind, isReportParams } from '../plugins/app/reports/reports-repository.ts';

export interface ReportWorkerOptions {
  /** How often to look for queued jobs when idle (ms). */
  pollIntervalMs?: number;
  /** A job left 'running' longer than this (its process died) may be claimed again (s). */
  staleAfterSeconds?: number;
}

export interface ReportWorker {
  /** Looks for queued jobs now instead of at the next poll. */
  wake(): void;
  /** Claims and runs queued jobs until none is left; resolves with how many it ran. */
  drain(): Promise<number>;
}

declare module 'fastify' {
  interface FastifyInstance {
    reportWorker: ReportWorker;
  }
}

function reportWorkerPlugin(app: FastifyInstance, opts: ReportWorkerOptions): void {
  const pollIntervalMs = opts.pollIntervalMs ?? 1000;
  const staleAfterSeconds = opts.staleAfterSeconds ?? 600;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  const reports = app.reportsRepository;

  async function runOne(): Promise<boolean> {
    const job = await reports.claim(staleAfterSeconds);
    if (job === undefined) return false;
    try {
      if (!isReportKind(job.kind)) throw new Error(`unknown report kind ${job.kind}`);
      if (!isReportParams(job.params)) throw new Error('params must hold from and to');
      const report = await reports.generate(job.kind, job.params);
      await reports.finish(job.id, report);
      app.log.info({ reportId: job.id, kind: job.kind, bytes: report.content.length }, 'report done');
    } catch (err) {
      if (isConnectionFailure(err)) {
        // Not the report's fault: put it back (best effort; if this fails too it is reclaimed when stale).
        await reports.requeue(job.id).catch(() => undefined);
        throw err;
      }
      const message = err instanceof Error ? err.message : String(err);
      app.log.error({ reportId: job.id, err }, 'report failed');
      await reports.fail(job.id, message);
    }
    return true;
  }

  async function drainLoop(): Promise<number> {
    let count = 0;
    while (!stopped && (await runOne())) count += 1;
    return count;
  }

  function drain(): Promise<number> {
    if (!running) {
      running = drainLoop().finally(() => { running = null; });
    }
    return running;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      drain().catch((err: unknown) => {
        app.log.warn({ err }, 'report worker: poll failed, retrying');
      }).finally(() => {
        schedule(pollIntervalMs);
      });
    }, delay);
    timer.unref();
  }

  app.decorate('reportWorker', {
    wake: () => {
      schedule(0);
    },
    drain,
  } satisfies ReportWorker);

  app.addHook('onReady', (done) => {
    schedule(0);
    done();
  });

  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (running) await running.catch(() => 0);
  });
}

export default fp(reportWorkerPlugin, { name: 'reports-worker', fastify: '5.x', dependencies: ['reports-repository'] });
