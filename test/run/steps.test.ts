// The steps of executeRun that decide something, each on its own: the exit code and verdict, what an
// ended Artillery left in the bundle, the manifest's end, the run id, and Ctrl-C handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decideExit, collectArtilleryOutput } from '../../src/run/outcome.ts';
import { finishManifest, newRunId } from '../../src/run/manifest.ts';
import { watchInterrupts } from '../../src/run/interrupt.ts';
import type { GeneratorFile, RunManifest } from '../../src/core/bundle/types.ts';

test('the exit code and verdict: interruption, missing output and an untrustworthy generator come before Artillery\'s code', () => {
  const untrusted = { trust: { trustworthy: false, reasons: ['behind'] } } as unknown as GeneratorFile;
  const trusted = { trust: { trustworthy: true, reasons: [] } } as unknown as GeneratorFile;
  assert.deepEqual(decideExit(0, true, trusted, true), { exit: 3, verdict: 'interrupted: partial results kept' });
  assert.deepEqual(decideExit(1, false, null, false), { exit: 3, verdict: 'Artillery failed (exit 1) and wrote no results; see artillery.log' });
  assert.deepEqual(decideExit(null, false, null, false), { exit: 3, verdict: 'Artillery failed (exit null) and wrote no results; see artillery.log' });
  assert.equal(decideExit(0, false, untrusted, true).exit, 3);
  assert.deepEqual(decideExit(0, false, trusted, true), { exit: 0, verdict: 'pass: every threshold and expectation held' });
  assert.deepEqual(decideExit(0, false, null, true), { exit: 0, verdict: 'pass: every threshold and expectation held' });
  assert.equal(decideExit(1, false, null, true).verdict, 'fail: a threshold (ensure) was breached');
  assert.equal(decideExit(21, false, null, true).verdict, 'fail: expectations failed (wrong status or body)');
  assert.deepEqual(decideExit(7, false, null, true), { exit: 3, verdict: 'Artillery exited 7; see artillery.log' });
});

test('Artillery\'s output: artillery.json when written; else, after an interruption, rebuilt from artillery.log', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-outcome-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const started = Date.parse('2026-11-27T12:00:00Z');
  assert.equal(await collectArtilleryOutput(dir, false, started), null, 'no output, not interrupted: nothing');
  assert.equal(await collectArtilleryOutput(dir, true, started), null, 'no output, no log: nothing');

  await writeFile(path.join(dir, 'artillery.log'), 'Metrics for period to: 12:00:10(+0000) (width: 10s)\nhttp.requests: ..... 7\n');
  assert.equal(await collectArtilleryOutput(dir, false, started), null, 'a finished run without output is not rebuilt');
  const rebuilt = await collectArtilleryOutput(dir, true, started);
  assert.equal(rebuilt?.aggregate.counters['http.requests'], 7);
  const written = JSON.parse(await readFile(path.join(dir, 'artillery.json'), 'utf8')) as { rampart?: { reconstructedFrom: string } };
  assert.equal(written.rampart?.reconstructedFrom, 'artillery.log', 'the rebuilt output is kept in the bundle');

  await writeFile(path.join(dir, 'artillery.json'), JSON.stringify({ aggregate: { counters: { 'http.requests': 9 } }, intermediate: [] }));
  assert.equal((await collectArtilleryOutput(dir, true, started))?.aggregate.counters['http.requests'], 9, 'Artillery\'s own file wins');
});

test('the manifest\'s end: an interrupted run has no end time; the run id names the time and the profile', () => {
  const manifest = { startedAt: '2026-01-01T00:00:00Z', endedAt: null, interrupted: false, artilleryExitCode: null } as unknown as RunManifest;
  const interrupted = finishManifest(manifest, true, 130);
  assert.equal(interrupted.endedAt, null);
  assert.equal(interrupted.interrupted, true);
  assert.equal(interrupted.artilleryExitCode, 130);
  const ended = finishManifest(manifest, false, 0);
  assert.ok(ended.endedAt !== null && Date.parse(ended.endedAt) >= Date.parse(manifest.startedAt));
  assert.match(newRunId('smoke', new Date('2026-03-04T05:06:07.890Z')), /^20260304T050607-smoke-[0-9a-f]{1,4}$/);
});

test('Ctrl-C before Artillery starts is remembered and passed on at once; later ones are passed on, announced once', () => {
  const before = process.listenerCount('SIGINT');
  const said: string[] = [];
  const watch = watchInterrupts((line) => { said.push(line); });
  let interrupts = 0;
  try {
    assert.equal(watch.interrupted(), false);
    process.emit('SIGINT');
    assert.equal(watch.interrupted(), true);
    watch.forwardTo({ interrupt: () => { interrupts += 1; } });
    assert.equal(interrupts, 1, 'the remembered Ctrl-C reaches Artillery as soon as it runs');
    process.emit('SIGINT');
    process.emit('SIGINT');
    assert.equal(interrupts, 3);
    assert.deepEqual(said, ['interrupted: stopping Artillery and keeping what it measured (Ctrl-C again to kill it)']);
  } finally {
    watch.stop();
  }
  assert.equal(process.listenerCount('SIGINT'), before, 'the listener is gone after stop()');
});
