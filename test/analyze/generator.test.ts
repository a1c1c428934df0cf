// The generator-bound rule (src/analyze/generator.ts) on generator files with the figures of real
// runs: a worker whose event loop is busy on its own work uses a core; one that shows 100% busy at
// half a core was waiting for a core (bench:analyze's CPU-bound route on 2 shared cores) and does not
// make the generator the bottleneck. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatorFindings } from '../../src/analyze/generator.ts';
import type { GeneratorFile, GeneratorPeriod } from '../../src/core/bundle/types.ts';

const T0 = 1_796_189_060_000;

/** Three 10 s periods of a 20 s run at 70/s from T0 + 1.3 s, each with (worker utilisation, process CPU %). */
function file(health: [number, number][], reasons: string[] = []): GeneratorFile {
  const planned = [610.8, 700, 89.2];
  const periods: GeneratorPeriod[] = health.map(([utilization, cpuPercent], i) => ({
    start: T0 + i * 10_000, plannedArrivals: planned[i], actualArrivals: Math.round(planned[i]), cpuPercent,
    eventLoopDelayP99Ms: 40, eventLoopDelayMaxMs: 300, workerUtilization: utilization, workerEventLoopDelayP99Ms: 40,
  }));
  return {
    schema: 'rampart.generator/1', periods, planned: { arrivals: 1400, durationSeconds: 20 },
    actual: { arrivals: 1400, firstArrivalAt: T0 + 1292, lastArrivalAt: T0 + 21_274 },
    trust: { trustworthy: reasons.length === 0, reasons }, judged: { start: T0 + 1274, end: T0 + 21_274 },
  };
}

test('a worker busy 100% of the wall time while the process used half a core waited for a core: no finding', () => {
  // generator.json of two of the CPU-bound route's 20 s bench runs on a machine at 100% (the stand-in
  // at 45-60% and 65-75% of a core): the worker at 100%, the process at half a core, then three quarters
  assert.deepEqual(generatorFindings({ generator: file([[0.9994, 55.56], [1, 48.92], [0.2552, 19.71]]) }), []);
  assert.deepEqual(generatorFindings({ generator: file([[0.9962, 77.37], [1, 76.83], [0.333, 39.62]]) }), []);
});

test('a worker busy on its own work (the process at a core) is the bottleneck, in the periods it was', () => {
  const [finding] = generatorFindings({ generator: file([[0.99, 97], [1, 99.5], [0.3, 30]]) });
  assert.equal(finding.rule, 'generator-bound');
  assert.equal(finding.share, 2 / 3);
  assert.match(finding.title, /saturated or behind plan in 2 of 3 periods/);
  assert.equal(finding.evidence.find((e) => e.label === 'generator CPU, max')?.value, 99.5);
  // one saturated period of three is not enough without the plugin's verdict
  assert.deepEqual(generatorFindings({ generator: file([[0.99, 97], [0.5, 60], [0.3, 30]]) }), []);
});

test('without the process CPU (a file built from counters, every period at 0) the event loop alone decides', () => {
  const [finding] = generatorFindings({ generator: file([[0.99, 0], [1, 0], [0.3, 0]]) });
  assert.equal(finding.rule, 'generator-bound');
  assert.equal(finding.share, 2 / 3);
});

test('the plugin\'s verdict naming the generator makes the finding whatever the CPU', () => {
  const reason = 'generator fell behind the schedule: 1200 of 1400 planned arrivals (85.7%) were created on time, below 99%';
  const [finding] = generatorFindings({ generator: file([[1, 50], [1, 50], [0.3, 20]], [reason]) });
  assert.equal(finding.title, `the load generator is the bottleneck: ${reason}`);
  assert.equal(finding.evidence.find((e) => e.label === 'trust reasons naming the generator')?.value, 1);
});

test('a starved generator or its delay error bar is not a verdict naming the generator\'s own limit', () => {
  const starved = 'the machine starved the load generator of CPU for 2 consecutive periods from 12:00:10 UTC (worker event loop busy: 100%, 100%, while the generator process used 49%, 55% of a core: other processes held the cores); latencies include time spent waiting for a core';
  const delayed = 'the load generator delayed its own measurements: its worker event loop ran late by 60 ms at p99 (max 300 ms), above the limit of 25 ms; latencies include up to that much of the generator\'s own waiting';
  assert.deepEqual(generatorFindings({ generator: file([[1, 49], [1, 55], [0.3, 20]], [starved, delayed]) }), []);
});
