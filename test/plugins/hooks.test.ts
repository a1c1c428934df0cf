import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer, get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHooks, endpointKey, HOOK_NAMES, installHooks } from '../../plugins/rampart/hooks.ts';
import type { HookRequest } from '../../plugins/rampart/hooks.ts';
import { Recorder } from '../../plugins/rampart/recorder.ts';
import { decodeHistogram, mergeHistograms } from '../../src/core/histogram.ts';
import type { PeriodHistogram } from '../../src/core/bundle/types.ts';

const T0 = 1_800_000_000_000;
const count = (periods: PeriodHistogram[] | undefined): number =>
  (periods ?? []).reduce((n, p) => n + decodeHistogram(p.histogram).totalCount, 0);

/** Calls a callback-style hook the way Artillery does and resolves when it calls done. */
function call(hook: (...args: never[]) => void, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    (hook as (...a: unknown[]) => void)(...args, (error?: unknown) => {
      if (error === undefined || error === null) resolve();
      else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
    });
  });
}

test('endpoint keys: the request name, else METHOD and the path template', () => {
  assert.equal(endpointKey({ name: 'GET /api/v1/alerts/:id', method: 'GET', url: 'http://h/api/v1/alerts/{{ id }}' }), 'GET /api/v1/alerts/:id');
  assert.equal(endpointKey({ method: 'post', url: 'http://127.0.0.1:8080/api/v1/events?batch={{ n }}' }), 'POST /api/v1/events');
  assert.equal(endpointKey({ method: 'GET', url: 'https://example.test' }), 'GET /');
  assert.equal(endpointKey({ method: 'DELETE', url: '/api/v1/rules/{{ id }}' }), 'DELETE /api/v1/rules/{{ id }}');
});

test('installHooks adds plain functions and puts them nearest the wire, keeping the script\'s own hooks', () => {
  const script = {
    config: { processor: { mine: () => undefined } as Record<string, unknown> },
    scenarios: [{ flow: [] as unknown[], beforeRequest: 'sign', afterResponse: ['check'] } as Record<string, unknown>, { flow: [] } as Record<string, unknown>],
  };
  assert.equal(installHooks(script, createHooks(new Recorder())), true);
  for (const name of Object.values(HOOK_NAMES)) {
    const fn = script.config.processor[name] as () => void;
    assert.equal(fn.constructor, Function, `${name} is a plain function (Artillery hangs on async hooks)`);
  }
  assert.deepEqual(script.scenarios[0].beforeRequest, ['sign', HOOK_NAMES.beforeRequest]);
  assert.deepEqual(script.scenarios[0].afterResponse, [HOOK_NAMES.afterResponse, 'check']);
  assert.deepEqual(script.scenarios[1].onError, [HOOK_NAMES.onError]);
  assert.deepEqual(script.scenarios[1].beforeScenario, [HOOK_NAMES.beforeScenario]);
  assert.equal(installHooks({ config: { processor: './still-a-path.ts' }, scenarios: [] }, createHooks(new Recorder())), false);
});

test('hooks record latency in µs per endpoint, status codes, errors once, arrivals and custom metrics', async () => {
  const recorder = new Recorder();
  const hooks = createHooks(recorder);
  const ee = new EventEmitter(); // stands in for Artillery's scenario event emitter
  for (let vu = 0; vu < 3; vu++) await call(hooks.beforeScenario, {}, ee);

  for (let i = 0; i < 5; i++) {
    const req: HookRequest = { name: 'GET /a', method: 'GET', url: 'http://h/a' };
    await call(hooks.beforeRequest, req, {}, ee);
    const until = process.hrtime.bigint() + 2_000_000n; // 2 ms (a timer may fire early by the loop's cached clock)
    while (process.hrtime.bigint() < until) { /* the request is in flight */ }
    await call(hooks.afterResponse, req, { statusCode: i === 0 ? 503 : 200 }, {}, ee);
    await call(hooks.afterResponse, req, { statusCode: 200 }, {}, ee); // a second call is ignored
  }
  const failed: HookRequest = { method: 'POST', url: 'http://h/b?x=1' };
  await call(hooks.beforeRequest, failed, {}, ee);
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  await call(hooks.onError, refused, failed, {}, ee);
  await call(hooks.onError, refused, failed, {}, ee); // Artillery may report a failure twice
  await call(hooks.onError, new Error('before any request'), {}, {}, ee); // no beforeRequest: ignored

  ee.emit('histogram', 'rampart.detection_latency', 1234.567); // ms
  ee.emit('summary', 'rampart.correlation_time', 2);
  ee.emit('histogram', 'plugins.metrics-by-endpoint.response_time.x', 5); // not ours

  const measured = recorder.finish();
  assert.deepEqual(Object.keys(measured.endpoints).sort(), ['GET /a', 'POST /b']);
  const a = measured.endpoints['GET /a'];
  assert.equal(count(a), 5);
  assert.deepEqual(a.reduce<Record<string, number>>((codes, p) => ({ ...codes, ...Object.fromEntries(Object.entries(p.codes).map(([k, v]) => [k, (codes[k] ?? 0) + v])) }), {}), { '200': 4, '503': 1 });
  const latency = mergeHistograms(a.map((p) => p.histogram));
  assert.ok(latency.minNonZeroValue >= 2_000, `slept 2 ms, measured ${latency.minNonZeroValue} µs`);
  assert.equal(a.reduce((n, p) => n + p.errors, 0), 0);

  const b = measured.endpoints['POST /b'];
  assert.equal(count(b), 0);
  assert.equal(b.reduce((n, p) => n + p.errors, 0), 1);
  assert.deepEqual(b.map((p) => p.errorKinds), [{ ECONNREFUSED: 1 }]);

  assert.deepEqual(Object.keys(measured.metrics).sort(), ['rampart.correlation_time', 'rampart.detection_latency']);
  const detection = mergeHistograms(measured.metrics['rampart.detection_latency'].map((p) => p.histogram));
  assert.equal(detection.totalCount, 1);
  assert.ok(Math.abs(detection.maxValue - 1_234_567) <= 1_234_567 * 0.001, `stored in µs: ${detection.maxValue}`);

  assert.equal(Object.values(measured.arrivalsBySecond).reduce((x, y) => x + y, 0), 3);
  assert.ok(measured.firstArrivalAt !== null && measured.lastArrivalAt !== null && measured.lastArrivalAt >= measured.firstArrivalAt);
});

test('the recorder closes a period when the wall clock enters the next one', () => {
  const recorder = new Recorder();
  recorder.recordResponse('GET /a', 150, 200, T0 + 1);
  recorder.recordResponse('GET /a', 250, 200, T0 + 9_999);
  recorder.recordResponse('GET /a', 350, 500, T0 + 10_000);
  recorder.recordError('GET /a', 'ETIMEDOUT', T0 + 25_000);
  recorder.recordResponse('GET /a', 999, 200, T0 + 5_000); // clock stepped back: stays in the open period
  const periods = recorder.finish().endpoints['GET /a'];
  assert.deepEqual(periods.map((p) => [p.start - T0, decodeHistogram(p.histogram).totalCount, p.errors]), [[0, 2, 0], [10_000, 1, 0], [20_000, 1, 1]]);
  assert.deepEqual(periods[1].codes, { '500': 1 });
  assert.deepEqual(periods[2].errorKinds, { ETIMEDOUT: 1 });
  assert.equal(periods[0].errorKinds, undefined);
  assert.equal(decodeHistogram(periods[0].histogram).minNonZeroValue, 150, 'µs resolution');
});

/** Busy for `ms` of wall-clock time, as Artillery is while it renders a request or runs capture/match. */
function busy(ms: number): void {
  const until = process.hrtime.bigint() + BigInt(ms * 1_000_000);
  while (process.hrtime.bigint() < until) { /* working */ }
}

test('latency is the span at the socket: work before the request is sent and after its response is read is left out', async (t) => {
  const server = createServer((_req, res) => { setTimeout(() => res.end('{"ok":true}'), 10); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/slow`;
  const recorder = new Recorder();
  const hooks = createHooks(recorder);
  const fetchOnce = (): Promise<IncomingMessage> => new Promise((resolve, reject) => {
    get(url, (res) => { res.resume(); res.on('end', () => { resolve(res); }); }).on('error', reject);
  });
  const measure = async (name: string, tweak: (res: IncomingMessage) => object): Promise<{ hookSpanUs: number; recordedUs: number }> => {
    const req: HookRequest = { name, method: 'GET', url };
    const started = process.hrtime.bigint();
    await call(hooks.beforeRequest, req, {}, null);
    busy(15); // Artillery's templating and got's set-up: before the request leaves
    const res = await fetchOnce();
    busy(15); // capture/match and the script's other hooks: after the response is in
    await call(hooks.afterResponse, req, tweak(res), {}, null);
    const hookSpanUs = Number(process.hrtime.bigint() - started) / 1000;
    const periods = recorder.finish().endpoints[name];
    return { hookSpanUs, recordedUs: mergeHistograms(periods.map((p) => p.histogram)).maxValue };
  };
  const wire = await measure('GET /slow', (res) => res);
  assert.ok(wire.recordedUs >= 10_000, `the server took 10 ms; recorded ${String(wire.recordedUs)} µs`);
  assert.ok(wire.recordedUs <= wire.hookSpanUs - 29_000, `30 ms of work around the request is not in the span: ${String(wire.recordedUs)} of ${String(wire.hookSpanUs)} µs`);
  // a response reached through redirects: its request is not the first hop's, so the hooks' span is kept
  const redirected = await measure('GET /redirected', (res) => Object.assign(Object.create(res) as object, { redirectUrls: [new URL(url)] }));
  assert.ok(redirected.recordedUs >= 40_000 && redirected.recordedUs <= redirected.hookSpanUs * 1.01, `${String(redirected.recordedUs)} of ${String(redirected.hookSpanUs)} µs`);
});
