// The trust rule "delayed" (src/core/trust.ts) in a real Artillery run: a processor that stalls the
// generator's event loop, while the schedule is kept and the worker is far from saturated, makes the
// run untrustworthy, with the generator's own delay stated. (A quiet run is judged trustworthy with
// its error bar stated: plugin.run.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { readBundleFile } from '../../src/core/bundle/read.ts';
import { TRUST_RULES } from '../../src/core/trust.ts';
import { runArtillery, startServer } from './harness.ts';
import type { LocalServer } from './harness.ts';

let server: LocalServer;
let root: string;
before(async () => {
  server = await startServer();
  root = await mkdtemp(join(tmpdir(), 'rampart-delay-'));
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

// 60 ms of busy work for every 4th virtual user: about 15% of the worker's time, in stalls that the
// responses in flight (and the worker's 10 ms delay timer) wait out; beyond the rule's 25 ms floor.
const PROCESSOR = `
let users = 0;
module.exports = {
  stall(context, events, done) {
    users += 1;
    if (users % 4 === 0) {
      const until = process.hrtime.bigint() + 60_000_000n;
      while (process.hrtime.bigint() < until) {}
    }
    return done();
  },
};
`;

test('a generator whose event loop stalls (a blocking processor) makes the run untrustworthy: "delayed"', { timeout: 90_000 }, async () => {
  const dir = join(root, 'stalled');
  await mkdir(dir);
  await writeFile(join(dir, 'processor.cjs'), PROCESSOR);
  // 7 s: the rule judges a p99 on at least TRUST_RULES.delayMinSamples timer samples (5 s)
  await writeFile(join(dir, 'script.yml'), `
config:
  target: http://127.0.0.1:${String(server.port)}
  phases:
    - duration: 7
      arrivalRate: 10
  processor: ./processor.cjs
  plugins:
    rampart: {}
scenarios:
  - flow:
      - function: stall
      - get:
          url: /api/v1/alerts/1
          name: GET /api/v1/alerts/:id
`);
  assert.equal(TRUST_RULES.delayMinSamples, 500);
  const result = await runArtillery(join(dir, 'script.yml'), join(dir, 'artillery.json'), { RAMPART_BUNDLE_DIR: dir }, 80_000);
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, result.stderr);
  const generator = await readBundleFile(bundleFile(dir, 'generator'), 'generator');
  assert.equal(generator.actual.arrivals, 70);
  assert.equal(generator.trust.trustworthy, false);
  assert.deepEqual(generator.trust.reasons.map((r) => r.replace(/\d+(\.\d+)? ms/g, 'N ms')), [
    'the load generator delayed its own measurements: its worker event loop ran late by N ms at p99 (max N ms), above the limit of N ms (50% of the median latency N ms, at least N ms); latencies include up to that much of the generator\'s own waiting',
  ], 'the schedule was kept and the worker was not saturated: only the delay is wrong');
  const delay = generator.trust.generatorDelayMs ?? 0;
  assert.ok(delay >= 50 && delay < 300, `a 60 ms stall is about 60 ms of delay: ${String(delay)} ms`);
  assert.ok(generator.periods.some((p) => (p.workerEventLoopDelayP99Ms ?? 0) >= 50), 'the periods show it too');
  assert.match(result.stderr, /rampart: run NOT trustworthy: the load generator delayed its own measurements/);
});
