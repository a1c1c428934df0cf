// The processors: every name a scenario calls is exported by processors/index.ts once bundled as
// Artillery bundles it, with the shape Artillery needs; then the pure parts: attack events crafted
// from every default detection rule, benign and edge-case payloads checked against the platform's own
// event schema, the probe's bookkeeping, the tokens the platform must refuse, and the capture hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { eventInput } from '../../platform/domain/event.ts';
import { DEFAULT_RULES } from '../../platform/detection/rules-seed.ts';
import { craftAttack, injectable, type Rule } from '../../processors/attacks.mts';
import { benignBatch, indicatorBatch, pools, uniqueIp } from '../../processors/payloads.mts';
import { edgeTokens, hugeBatch, oversizedBatch } from '../../processors/edge.mts';
import { hasNextCursor, keepCreatedId, keepCursor, pickItem } from '../../processors/capture.mts';
import { TEMPORARY_RULE_PREFIX } from '../../processors/administration.mts';
import { markReportQueued, recordReport, reportStillRunning } from '../../processors/analytics-reports.mts';
import { setJson } from '../../processors/bodies.mts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import type { HttpResponse, RequestParams, VuContext, VuEvents } from '../../processors/types.mts';

type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as unknown as AjvClass;
const addFormats = ((addFormatsModule as unknown as { default?: (a: unknown) => void }).default ?? addFormatsModule) as unknown as (a: InstanceType<AjvClass>) => void;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validEvent = ajv.compile(eventInput);

const rules: Rule[] = DEFAULT_RULES.map((r, i) => ({ id: i + 1, name: r.name, kind: r.kind, enabled: true, params: r.params }));

function assertValidEvents(events: unknown[], what: string): void {
  for (const e of events) assert.ok(validEvent(e), `${what}: ${JSON.stringify(validEvent.errors)} in ${JSON.stringify(e)}`);
}

// --- every name a scenario uses is an export of the bundled processor ---------------------------
const SCENARIOS = path.join(REPO_ROOT, 'scenarios');
const PROCESSORS = path.join(REPO_ROOT, 'processors');
/** The keys whose value names processor functions (a string or a list of them). */
const HOOK_KEYS = ['function', 'beforeRequest', 'afterResponse', 'beforeScenario', 'afterScenario', 'whileTrue', 'ifTrue'] as const;
type HookKey = (typeof HOOK_KEYS)[number];
const isHookKey = (key: string): key is HookKey => (HOOK_KEYS as readonly string[]).includes(key);
/**
 * `ifTrue` takes a processor function's name or an expression over vars (`incidentId > 0`); a bare
 * name is looked up in the processor first, so here a bare name is a function's (a var test is
 * written as an expression).
 */
const BARE_NAME = /^[A-Za-z_$][\w$]*$/;

interface Use { file: string; key: HookKey; name: string }

function namesUsed(node: unknown, file: string, out: Use[]): Use[] {
  if (Array.isArray(node)) {
    for (const item of node) namesUsed(item, file, out);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (!isHookKey(key)) {
        namesUsed(value, file, out);
        continue;
      }
      for (const name of [value].flat()) {
        if (typeof name === 'string' && (key !== 'ifTrue' || BARE_NAME.test(name))) out.push({ file, key, name });
      }
    }
  }
  return out;
}

/**
 * What Artillery calls each kind with (engine_http.js, engine_util.js of Artillery 2.0.34): a step or
 * hook whose constructor is AsyncFunction is awaited; a plain one is handed a callback as its last
 * argument, which it must declare (a plain function returning a Promise would hang the virtual user).
 * Loop conditions get (context, next); ifTrue conditions get (vars) and must answer synchronously
 * (a Promise is truthy).
 */
const CALLBACK_ARITY: Partial<Record<HookKey, number>> = { function: 3, beforeScenario: 3, afterScenario: 3, beforeRequest: 4, afterResponse: 5 };

function shapeProblem(key: HookKey, fn: unknown): string | null {
  if (typeof fn !== 'function') return 'is not exported as a function';
  const isAsync = fn.constructor.name === 'AsyncFunction';
  if (key === 'whileTrue') return !isAsync && fn.length === 2 ? null : 'must be a plain (context, next) function';
  if (key === 'ifTrue') return !isAsync && fn.length <= 1 ? null : 'must be a plain (vars) => boolean function';
  const arity = CALLBACK_ARITY[key] ?? 0;
  return isAsync || fn.length >= arity ? null : `must be async, or a plain function that takes and calls Artillery's callback (argument ${arity})`;
}

interface Esbuild {
  buildSync(options: { entryPoints: string[]; outfile: string; bundle: boolean; platform: 'node'; format: 'cjs'; sourcemap: 'inline'; external: string[] }): { warnings: { text: string }[] };
}

/** processors/index.ts bundled as Artillery bundles a TypeScript processor, with the esbuild Artillery uses. */
async function bundledProcessor(): Promise<Record<string, unknown>> {
  const fromArtillery = createRequire(createRequire(import.meta.url).resolve('artillery/package.json'));
  const esbuild = fromArtillery('esbuild-wasm') as Esbuild;
  // Inside processors/dist (git-ignored; where Artillery writes its own bundle), so the external
  // packages resolve as they do at run time.
  await mkdir(path.join(PROCESSORS, 'dist'), { recursive: true });
  const dir = await mkdtemp(path.join(PROCESSORS, 'dist', 'names-test-'));
  try {
    const outfile = path.join(dir, 'index.js');
    const { warnings } = esbuild.buildSync({
      entryPoints: [path.join(PROCESSORS, 'index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      sourcemap: 'inline',
      external: ['@playwright/test', '@faker-js/faker'], // as Artillery and the profiles' config.bundling
    });
    assert.deepEqual(warnings.map((w) => w.text), [], 'esbuild bundles the processor without warnings');
    return createRequire(import.meta.url)(outfile) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('every function a scenario names is exported by the bundled processors/index.ts with the shape Artillery calls, and nothing else is', { timeout: 60_000 }, async () => {
  const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.yml')).sort();
  assert.equal(files.length, 8);
  const uses: Use[] = [];
  for (const file of files) {
    const doc = parse(await readFile(path.join(SCENARIOS, file), 'utf8')) as { config?: { processor?: unknown } };
    assert.equal(doc.config?.processor, '../processors/index.ts', `${file} names the processor index`);
    namesUsed(doc, file, uses);
  }
  for (const key of ['function', 'beforeRequest', 'afterResponse', 'whileTrue', 'ifTrue'] as const) {
    assert.ok(uses.some((u) => u.key === key), `the scenarios use ${key} (the scan found it)`);
  }
  const processor = await bundledProcessor();
  const problems = uses
    .map((u) => ({ u, problem: shapeProblem(u.key, processor[u.name]) }))
    .filter((p) => p.problem !== null)
    .map(({ u, problem }) => `${u.file}: ${u.key}: ${u.name} ${String(problem)}`);
  assert.deepEqual([...new Set(problems)], []);
  const named = new Set(uses.map((u) => u.name));
  assert.deepEqual(Object.keys(processor).filter((name) => !named.has(name)), [], 'every export of the index is named by a scenario');
});

test('benign batches and threat feeds are valid against the platform schema and drawn from the shared pools', () => {
  const batch = benignBatch(200);
  assert.match(batch.batchId, /^b-[0-9a-f-]{36}$/);
  assert.equal(batch.events.length, 200);
  assertValidEvents(batch.events, 'benign');
  const types = new Set(batch.events.map((e) => e.type));
  assert.deepEqual([...types].sort(), ['auth', 'dns', 'file', 'network', 'process']);
  assert.ok(batch.events.every((e) => (pools.hosts as readonly string[]).includes(e.host)));
  for (const i of indicatorBatch(50)) {
    assert.ok(['ip', 'domain', 'hash'].includes(i.type));
    assert.ok(i.value.length > 0 && i.value.length <= 512 && i.source.length > 0);
  }
});

test('benign events: the same seed gives the same stream, another seed another; bodies go out as JSON text', async () => {
  const saved = process.env.RAMPART_SEED;
  const stream = async (seed: string, copy: string): Promise<unknown[]> => {
    process.env.RAMPART_SEED = seed; // read once when the module is evaluated; each query string is a fresh instance
    const mod = (await import(`../../processors/payloads.mts?seed=${seed}&copy=${copy}`)) as typeof import('../../processors/payloads.mts');
    return mod.benignBatch(300).events.map((e) => ({ ...e, occurredAt: '' })); // the time of day is not drawn
  };
  try {
    const [a, b, c] = [await stream('7', 'a'), await stream('7', 'b'), await stream('8', 'a')];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  } finally {
    if (saved === undefined) delete process.env.RAMPART_SEED;
    else process.env.RAMPART_SEED = saved;
  }
  const req: RequestParams = { url: '/api/v1/events/batch', json: { stale: true }, headers: { 'x-api-key': '{{ sensorKey }}' } };
  setJson(req, benignBatch(3));
  assert.equal(req.json, undefined, 'no json left for Artillery to template field by field');
  assert.equal((JSON.parse(String(req.body)) as { events: unknown[] }).events.length, 3);
  assert.deepEqual(req.headers, { 'x-api-key': '{{ sensorKey }}', 'content-type': 'application/json' });
});

test('every default rule gets an attack crafted from its own parameters, valid against the schema', () => {
  assert.ok(rules.every(injectable));
  for (const rule of rules) {
    const ip = uniqueIp();
    const plan = craftAttack(rule, ip);
    assert.equal(plan.ruleId, rule.id);
    assert.ok(plan.events.length > 0, rule.name);
    assertValidEvents(plan.events, rule.name);
    assert.ok(plan.events.every((e) => e.srcIp === ip), `${rule.name}: every event comes from the attacker IP`);
    switch (rule.kind) {
      case 'brute_force': {
        const threshold = rule.params.threshold as number;
        const failures = plan.events.filter((e) => e.type === 'auth' && e.outcome === 'failure');
        assert.ok(failures.length >= threshold, `${failures.length} failures for threshold ${threshold}`);
        const times = failures.map((e) => Date.parse(e.occurredAt));
        assert.ok(Math.max(...times) - Math.min(...times) < (rule.params.windowSeconds as number) * 1000, 'inside the window');
        break;
      }
      case 'impossible_travel': {
        const [a, b] = plan.events;
        assert.equal(a.username, b.username);
        assert.notEqual(a.country, b.country);
        assert.ok(a.outcome === 'success' && b.outcome === 'success');
        break;
      }
      case 'indicator_match': {
        assert.equal(plan.indicators.length, 1);
        const value = plan.indicators[0].value;
        assert.ok(plan.events.some((e) => e.domain === value || e.srcIp === value || e.fileHash === value));
        break;
      }
      case 'pattern': {
        const field = rule.params.field as string;
        const value = rule.params.value as string;
        const key = field === 'file_hash' ? 'fileHash' : field;
        const got = String((plan.events[0] as unknown as Record<string, unknown>)[key]);
        assert.ok(got.toLowerCase().includes(value.toLowerCase()), `${rule.name}: ${field}=${got} matches ${value}`);
        if (typeof rule.params.eventType === 'string') assert.equal(plan.events[0].type, rule.params.eventType);
        break;
      }
    }
  }
});

test('tokens the platform must refuse: expired, alg none, forged, garbage', () => {
  const decode = (t: string): { header: Record<string, unknown>; payload: Record<string, unknown>; sig: string } => {
    const [h, p, sig] = t.split('.');
    const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
    return { header: json(h), payload: json(p), sig };
  };
  const now = Date.now() / 1000;
  const expired = decode(edgeTokens.expired(1, 'admin'));
  assert.equal(expired.header.alg, 'HS256');
  assert.ok((expired.payload.exp as number) < now);
  assert.equal(expired.payload.iss, 'rampart-target');
  const none = decode(edgeTokens.algNone(1, 'admin'));
  assert.equal(none.header.alg, 'none');
  assert.equal(none.sig, '');
  assert.ok((decode(edgeTokens.forged(1, 'admin')).payload.exp as number) > now);
  assert.equal(edgeTokens.garbage().split('.').length, 2);
});

test('oversized batches: one event too many, and a body over 1 MiB', () => {
  assert.equal(oversizedBatch(1000).events.length, 1001);
  const huge = hugeBatch(1_100_000);
  assert.ok(Buffer.byteLength(JSON.stringify(huge)) > 1_048_576);
  assert.ok(huge.events.length <= 1000, 'too large by size, not by count');
  assertValidEvents(huge.events.slice(0, 3), 'huge');
});

test('capture hooks: a random item of a list, the id of what was created, the next cursor; the report poll stops', async () => {
  const events: VuEvents = { emit: () => true };
  const req = (extra: Record<string, unknown> = {}): RequestParams => ({ url: '/api/v1/x', ...extra });
  const res = (body: unknown, statusCode = 200): HttpResponse => ({ statusCode, body: typeof body === 'string' ? body : JSON.stringify(body), headers: {} });
  const context: VuContext = { vars: {} };

  await pickItem(req({ pickInto: 'alertId', pickMany: 2 }), res({ items: [{ id: 4 }, { id: 5 }, { id: 6 }] }), context, events);
  assert.ok([4, 5, 6].includes(context.vars.alertId as number));
  assert.deepEqual(context.vars.alertIds, [4, 5]);
  await pickItem(req(), res({ items: [] }), context, events);
  assert.deepEqual([context.vars.itemId, context.vars.itemIds], [0, []], 'an empty list picks 0');
  // another flow's rule, created and deleted again within its session, is never picked (it may 404)
  for (let i = 0; i < 10; i++) {
    await pickItem(req({ pickInto: 'ruleId', skipTemporary: true }), res({ items: [{ id: 8, name: `${TEMPORARY_RULE_PREFIX}x1` }, { id: 3, name: 'Brute force' }] }), context, events);
    assert.equal(context.vars.ruleId, 3);
  }

  await keepCreatedId(req({ pickInto: 'newUserId' }), res({ id: 12 }, 201), context, events);
  assert.equal(context.vars.newUserId, 12);
  await keepCreatedId(req(), res('<html>not json</html>', 502), context, events);
  assert.equal(context.vars.createdId, 0);

  await keepCursor(req(), res({ items: [], nextCursor: 'c2' }), context, events);
  assert.equal(hasNextCursor(context.vars), true);
  await keepCursor(req(), res({ items: [] }), context, events);
  assert.deepEqual([context.vars.nextCursor, hasNextCursor(context.vars)], ['', false]);

  const again = (vars: Record<string, unknown>): boolean => {
    const answers: boolean[] = [];
    reportStillRunning({ vars }, (b) => {
      answers.push(b);
    });
    assert.equal(answers.length, 1, 'the loop condition calls next once');
    return answers[0];
  };
  assert.equal(again({ reportStatus: 'running', reportQueuedAt: Date.now() }), true);
  assert.equal(again({ reportStatus: 'done', reportQueuedAt: Date.now() }), false);
  assert.equal(again({ reportStatus: 'queued', reportQueuedAt: Date.now() - 5000, reportTimeoutMs: 1000 }), false, 'the deadline ends the polling');
});

test('a report the platform refused to queue is not polled, and the user fails naming the refusal, not a timeout of report 0', async () => {
  const counted: string[] = [];
  const events: VuEvents = { emit: (_type: string, name: string) => counted.push(name) > 0 };
  const res = (body: unknown, statusCode: number): HttpResponse => ({ statusCode, body: JSON.stringify(body), headers: {} });
  const context: VuContext = { vars: {} };
  await markReportQueued({ url: '/api/v1/reports' }, res({ error: 'service unavailable' }, 503), context, events);
  let polls: boolean | undefined;
  reportStillRunning(context, (b) => (polls = b));
  assert.equal(polls, false, 'the polling loop does not start');
  await assert.rejects(recordReport(context, events), /^Error: report not queued: POST \/api\/v1\/reports answered 503, not 202$/);
  assert.deepEqual(counted, [], 'no report timeout is counted');

  await markReportQueued({ url: '/api/v1/reports' }, res({ id: 7, status: 'queued' }, 202), context, events);
  assert.deepEqual([context.vars.reportId, context.vars.reportStatus], [7, 'queued']);
  context.vars.reportStatus = 'done';
  await recordReport(context, events);
  assert.deepEqual(counted, ['rampart.report_generation']);
});
