// Artillery hook functions for one worker, bound to its Recorder, and their installation into the
// script (the same mechanism as Artillery's metrics-by-endpoint plugin).
//
// Latency is taken at the socket (./wire.ts): from the request's bytes reaching its socket to the
// response's last byte, in µs, so that neither Artillery's templating and got's request set-up
// before it nor the hooks after it are inside the span. Only when a response has no stamped
// request behind it (a redirect chain) is the span the hooks' own: from the last beforeRequest hook
// (just before Artillery renders and sends the request) to the first afterResponse hook.
// The hooks are plain functions that call `done`: Artillery hangs on async hooks.
import type { CounterChannel } from './channel.ts';
import type { Recorder } from './recorder.ts';
import { watchWire, wireSpanMicros } from './wire.ts';

/** Custom metrics emitted by processors with this prefix are mirrored into µs histograms. */
export const CUSTOM_METRIC_PREFIX = 'rampart.';

export const HOOK_NAMES = {
  beforeScenario: 'rampartMeasure_beforeScenario',
  beforeRequest: 'rampartMeasure_beforeRequest',
  afterResponse: 'rampartMeasure_afterResponse',
  onError: 'rampartMeasure_onError',
} as const;

type Done = (error?: unknown) => void;

/** The parts of Artillery's request parameters the hooks read; the symbols are ours. */
export interface HookRequest {
  name?: unknown;
  method?: unknown;
  url?: unknown;
  [START]?: bigint;
  [KEY]?: string;
  [SETTLED]?: boolean;
}
export interface HookResponse {
  statusCode?: number;
  /** the ClientRequest behind the response (Node sets it; got's decompressing wrapper passes it on) */
  req?: unknown;
  /** got's list of the redirects followed to reach this response */
  redirectUrls?: unknown;
}
export interface HookError {
  code?: unknown;
  name?: unknown;
}
/** Artillery's scenario event emitter (eventemitter3). */
export interface ScenarioEvents {
  on(event: string, listener: (name: unknown, value: unknown) => void): unknown;
}

const START: unique symbol = Symbol('rampart.start');
const KEY: unique symbol = Symbol('rampart.key');
const SETTLED: unique symbol = Symbol('rampart.settled');

/**
 * The endpoint key of a request: its `name:` (the template, as written), or else
 * "METHOD /path/template" with the origin and query string removed.
 */
export function endpointKey(req: { name?: unknown; method?: unknown; url?: unknown }): string {
  if (typeof req.name === 'string' && req.name !== '') return req.name;
  const method = typeof req.method === 'string' ? req.method.toUpperCase() : 'GET';
  const url = typeof req.url === 'string' ? req.url : '';
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  return `${method} ${path === '' ? '/' : path}`;
}

/** The hooks as Artillery calls them; what it passes is checked, not trusted (it can be null). */
export interface Hooks {
  beforeScenario: (context: unknown, events: unknown, done: Done) => void;
  beforeRequest: (req: HookRequest, context: unknown, events: unknown, done: Done) => void;
  afterResponse: (req: HookRequest, res: HookResponse, context: unknown, events: unknown, done: Done) => void;
  onError: (error: HookError | null | undefined, req: HookRequest | null | undefined, context: unknown, events: unknown, done: Done) => void;
}

const isScenarioEvents = (events: unknown): events is ScenarioEvents =>
  events !== null && typeof events === 'object' && typeof (events as { on?: unknown }).on === 'function';

/**
 * The hooks of one worker: each measurement goes into the recorder (histograms.json) and, when a
 * channel is given, out as counters (./channel.ts) for runs whose workers share no disk.
 * `onFirstArrival` is called once, when the first virtual user starts (the worker's health sampler
 * starts timing its event loop then).
 */
export function createHooks(recorder: Recorder, channel?: CounterChannel, onFirstArrival?: () => void): Hooks {
  watchWire();
  let arrived = false;
  let mirrored: ScenarioEvents | null = null;
  const mirror = (name: unknown, value: unknown): void => {
    if (typeof name === 'string' && typeof value === 'number' && name.startsWith(CUSTOM_METRIC_PREFIX)) {
      recorder.recordMetric(name, value * 1000, Date.now());
      channel?.metric(mirrored, name, value * 1000);
    }
  };
  // Plain `function`s: Artillery calls hooks whose constructor is Function with a callback.
  return {
    beforeScenario: function rampartBeforeScenario(_context, events, done) {
      if (!arrived) {
        arrived = true;
        onFirstArrival?.();
      }
      const now = Date.now();
      recorder.recordArrival(now);
      channel?.attach(events);
      channel?.arrival(events, now);
      if (events !== mirrored && isScenarioEvents(events)) {
        // One scenario emitter per worker: listen once for custom metrics (ms values).
        events.on('histogram', mirror);
        events.on('summary', mirror);
        mirrored = events;
      }
      done();
    },
    beforeRequest: function rampartBeforeRequest(req, _context, _events, done) {
      req[KEY] = endpointKey(req);
      req[SETTLED] = false;
      req[START] = process.hrtime.bigint();
      done();
    },
    afterResponse: function rampartAfterResponse(req, res, _context, events, done) {
      const start = req[START];
      if (start !== undefined && req[SETTLED] === false) {
        const micros = wireSpanMicros(res) ?? Number(process.hrtime.bigint() - start) / 1000;
        req[SETTLED] = true;
        recorder.recordResponse(req[KEY] as string, micros, res.statusCode ?? 0, Date.now());
        channel?.response(events, req[KEY] as string, micros, res.statusCode ?? 0);
      }
      done();
    },
    onError: function rampartOnError(error, req, _context, events, done) {
      // Artillery can report one failure through two paths; count a request once.
      if (req?.[START] !== undefined && req[SETTLED] === false) {
        req[SETTLED] = true;
        const kind = typeof error?.code === 'string' ? error.code : typeof error?.name === 'string' ? error.name : 'Error';
        recorder.recordError(req[KEY] as string, kind, Date.now());
        channel?.error(events, req[KEY] as string, kind);
      }
      done();
    },
  };
}

/** The parts of an Artillery script the installation touches. */
export interface HookableScript {
  config: { processor?: unknown };
  scenarios?: Array<Record<string, unknown>>;
}

const asList = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? [...(value as unknown[])] : [value]);

/**
 * Adds the hook functions to the script's processor object and their names to every scenario:
 * first in afterResponse/onError/beforeScenario and last in beforeRequest, so the measured span is
 * as close to the wire as hooks allow. Returns false when the processor is not an object yet.
 */
export function installHooks(script: HookableScript, hooks: Hooks): boolean {
  if (script.config.processor === undefined || script.config.processor === null) script.config.processor = {};
  const processor = script.config.processor;
  if (typeof processor !== 'object') return false;
  Object.assign(processor as Record<string, unknown>, {
    [HOOK_NAMES.beforeScenario]: hooks.beforeScenario,
    [HOOK_NAMES.beforeRequest]: hooks.beforeRequest,
    [HOOK_NAMES.afterResponse]: hooks.afterResponse,
    [HOOK_NAMES.onError]: hooks.onError,
  });
  for (const scenario of script.scenarios ?? []) {
    scenario.beforeScenario = [HOOK_NAMES.beforeScenario, ...asList(scenario.beforeScenario)];
    scenario.beforeRequest = [...asList(scenario.beforeRequest), HOOK_NAMES.beforeRequest];
    scenario.afterResponse = [HOOK_NAMES.afterResponse, ...asList(scenario.afterResponse)];
    scenario.onError = [HOOK_NAMES.onError, ...asList(scenario.onError)];
  }
  return true;
}
