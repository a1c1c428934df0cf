// The detection worker: an in-process loop woken after every committed batch (and by a periodic poll,
// the safety net for wake-ups lost to errors or other processes). Each pass, in ONE transaction:
// take up to batchSize undetected events (FOR UPDATE SKIP LOCKED, so several workers never share an
// event), evaluate the enabled rules, write alerts (+ alert_events), correlate them into incidents,
// and mark the events detected. Metrics are observed only after the pass commits.
import type pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import { activateRules, evaluate, type RuleRow } from './engine.ts';
import type { DetectionEvent } from './candidates.ts';
import { writeAlerts } from './store.ts';
import { correlate, DEFAULT_CORRELATION_WINDOW_SECONDS } from './correlation.ts';
import type { Severity } from '../domain/vocabulary.ts';
import type { EventRow as StoredEventRow } from '../plugins/app/events/events-repository.ts';

export type DetectionOptions = {
  /** Start the loop and its poll timer (false: passes run only when runPass/drain are called). */
  enabled: boolean;
  /** Events taken per pass (per transaction). */
  batchSize: number;
  /** Safety-net poll interval. */
  pollIntervalMs: number;
  correlationWindowSeconds: number;
  /** Brute force and impossible travel as one statement per rule per pass (optimisation set-detection). */
  setBased: boolean;
  /** Correlation's window start evaluated once per statement, so it can use an index (optimisation correlation-window). */
  correlationWindowOnce: boolean;
};

export const DEFAULT_DETECTION_OPTIONS: DetectionOptions = {
  enabled: true,
  batchSize: 500,
  pollIntervalMs: 1000,
  correlationWindowSeconds: DEFAULT_CORRELATION_WINDOW_SECONDS,
  setBased: false,
  correlationWindowOnce: false,
};

export type PassResult = { events: number; alerts: number; deduplicated: number; correlated: number; incidentsCreated: number };

/** What a committed pass raised, for listeners that wait on new alerts (GET /api/v1/alerts/wait). */
export type AlertNotice = {
  /** Source IPs of the alerts raised; alerts swept into an incident by correlation share one of them. */
  srcIps: ReadonlySet<string>;
  /** An alert without a source IP was raised (correlated by username: any alert may have changed). */
  anyWithoutSrcIp: boolean;
  /** The earliest and latest created_at of the alerts raised (ms). */
  createdFrom: number;
  createdTo: number;
};

export type AlertListener = (notice: AlertNotice) => void;

export type DetectionObservers = {
  detection(rule: string, severity: Severity, seconds: number): void;
  correlation(seconds: number): void;
};

/** The slice of the platform's Db the worker needs (platform/db/pool.ts). */
export type TransactionRunner = { transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> };

/** The columns of an event the rules read (the events table's row: the events repository). */
type EventRow = Pick<StoredEventRow, 'id' | 'occurred_at' | 'type' | 'host' | 'username' | 'src_ip' | 'dst_ip' | 'outcome' | 'country' | 'domain' | 'process' | 'file_hash' | 'message'>;

const toEvent = (r: EventRow): DetectionEvent => ({
  id: Number(r.id),
  occurredAt: r.occurred_at,
  type: r.type,
  host: r.host,
  username: r.username,
  srcIp: r.src_ip,
  dstIp: r.dst_ip,
  outcome: r.outcome,
  country: r.country,
  domain: r.domain,
  process: r.process,
  fileHash: r.file_hash,
  message: r.message,
});

export class DetectionWorker {
  readonly options: DetectionOptions;
  #db: TransactionRunner;
  #observe: DetectionObservers;
  #log: FastifyBaseLogger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #lastError: string | null = null;
  #listeners = new Set<AlertListener>();

  constructor(db: TransactionRunner, observe: DetectionObservers, log: FastifyBaseLogger, options: Partial<DetectionOptions> = {}) {
    this.#db = db;
    this.#observe = observe;
    this.#log = log;
    this.options = { ...DEFAULT_DETECTION_OPTIONS, ...options };
  }

  start(): void {
    if (!this.options.enabled || this.#timer !== null || this.#stopped) return;
    this.#timer = setInterval(() => {
      this.wake();
    }, this.options.pollIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Calls `listener` after every committed pass that raised alerts; returns the unsubscribe. */
  onAlerts(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks for a pass soon; coalesces with a pass already running (it loops once more). */
  wake(): void {
    if (!this.options.enabled || this.#stopped) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        const result = await this.runPass();
        if (this.#lastError !== null) {
          this.#log.info('detection worker recovered');
          this.#lastError = null;
        }
        if (result.events === this.options.batchSize) this.#again = true; // a backlog remains
      } catch (err) {
        // Database down or a bad rule: log once per distinct error, keep the events undetected, retry at the next poll.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.#lastError) this.#log.error({ err }, 'detection pass failed; events stay undetected and are retried');
        this.#lastError = message;
        return;
      }
    } while (this.#again && !this.#stopped);
  }

  /** One detection pass over up to batchSize undetected events. */
  async runPass(): Promise<PassResult> {
    const { batchSize, correlationWindowSeconds } = this.options;
    const outcome = await this.#db.transaction(async (client) => {
      const taken = await client.query<EventRow>(
        `SELECT id, occurred_at, type, host, username, host(src_ip) AS src_ip, host(dst_ip) AS dst_ip,
                outcome, country, domain, process, file_hash, message
           FROM events
          WHERE detected_at IS NULL
          ORDER BY id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (taken.rows.length === 0) return null;
      const events = taken.rows.map(toEvent);
      const ruleRows = await client.query<RuleRow>('SELECT id, name, kind, severity, technique, params FROM rules WHERE enabled ORDER BY id');
      const { rules, invalid } = activateRules(ruleRows.rows);
      for (const bad of invalid) this.#log.warn({ ruleId: bad.id, rule: bad.name }, `rule skipped: ${bad.message}`);
      const candidates = await evaluate(client, rules, events, this.options.setBased);
      const written = await writeAlerts(client, candidates);
      const correlation = await correlate(client, written.raised, correlationWindowSeconds, this.options.correlationWindowOnce);
      await client.query('UPDATE events SET detected_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [events.map((e) => e.id)]);
      return { events: events.length, written, correlation };
    });
    if (outcome === null) return { events: 0, alerts: 0, deduplicated: 0, correlated: 0, incidentsCreated: 0 };
    for (const a of outcome.written.raised) this.#observe.detection(a.ruleName, a.severity, a.detectionLatencyMs / 1000);
    for (const j of outcome.correlation.joined) this.#observe.correlation(j.correlationMs / 1000);
    if (outcome.written.raised.length > 0 && this.#listeners.size > 0) {
      const raised = outcome.written.raised;
      const notice: AlertNotice = {
        srcIps: new Set(raised.flatMap((a) => (a.srcIp === null ? [] : [a.srcIp]))),
        anyWithoutSrcIp: raised.some((a) => a.srcIp === null),
        createdFrom: Math.min(...raised.map((a) => a.createdAt.getTime())),
        createdTo: Math.max(...raised.map((a) => a.createdAt.getTime())),
      };
      for (const listener of this.#listeners) listener(notice);
    }
    return {
      events: outcome.events,
      alerts: outcome.written.raised.length,
      deduplicated: outcome.written.deduplicated,
      correlated: outcome.correlation.joined.length,
      incidentsCreated: outcome.correlation.incidentsCreated.length,
    };
  }

  /** Runs passes until no undetected event is left (or maxPasses); returns the totals. */
  async drain(maxPasses = 1000): Promise<PassResult> {
    const total: PassResult = { events: 0, alerts: 0, deduplicated: 0, correlated: 0, incidentsCreated: 0 };
    for (let i = 0; i < maxPasses; i += 1) {
      const r = await this.runPass();
      total.events += r.events;
      total.alerts += r.alerts;
      total.deduplicated += r.deduplicated;
      total.correlated += r.correlated;
      total.incidentsCreated += r.incidentsCreated;
      if (r.events < this.options.batchSize) break;
    }
    return total;
  }

  /** Stops the poll and waits for a running pass to finish (called from onClose, before the pool closes). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#running !== null) await this.#running;
  }
}
