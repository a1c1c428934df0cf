// rampart compare's command line: the modes, environment assignments (validated, secrets redacted),
// the A B A B order, and bad input as one line with exit 2 before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compareOptions, COMPARE_COMMAND } from '../../src/compare/options.ts';
import { alternateOrder, runAlternately } from '../../src/compare/alternate.ts';
import { runCompare } from '../../src/compare/command.ts';
import { describeEnv, parseEnvAssignments, redactEnv } from '../../src/capacity/env.ts';
import { parseCommand } from '../../src/core/command.ts';
import { isOneLineUsageError, rejectsWithUsage, tempDir } from '../support.ts';
import { writeStandInSuite } from '../capacity/stand-in.ts';

const optionsOf = (argv: string[]): ReturnType<typeof compareOptions> => {
  const parsed = parseCommand(COMPARE_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return compareOptions(parsed.positionals, parsed.values);
};

test('the modes: two bundles, two sets, or a profile with two environments', () => {
  assert.deepEqual(optionsOf(['x', 'y']).a, ['x']);
  const sets = optionsOf(['--a', 'd1, d2', '--b', 'd3,d4']);
  assert.deepEqual([sets.a, sets.b], [['d1', 'd2'], ['d3', 'd4']]);
  const alt = optionsOf(['--profile', 'incident-response', '--a-env', 'OPTIMIZATIONS=none', '--b-env', 'OPTIMIZATIONS=all', '--b-env', 'X=a=b', '--rounds', '3', '--duration', '60s']);
  assert.deepEqual(alt.alternate?.envB, { OPTIMIZATIONS: 'all', X: 'a=b' });
  assert.equal(alt.alternate.rounds, 3);
  assert.equal(alt.alternate.durationSeconds, 60);
});

test('environment assignments: NAME=value, a valid identifier, once; secret-looking values redacted', () => {
  assert.deepEqual(parseEnvAssignments(['A_1=', 'B=x y'], '--a-env'), { A_1: '', B: 'x y' });
  for (const [bad, says] of [['NOVALUE', /not an assignment/], ['1X=2', /not an environment variable name/], ['A-B=1', /not an environment variable name/], ['PORT=1', /set by rampart/], ['=v', /not an environment variable name/]] as const) {
    assert.throws(() => parseEnvAssignments([bad], '--a-env'), (e) => isOneLineUsageError(e, says));
  }
  assert.throws(() => parseEnvAssignments(['A=1', 'A=2'], '--b-env'), (e) => isOneLineUsageError(e, /A is given twice/));
  const env = { OPTIMIZATIONS: 'all', JWT_SIGNING_KEY: 'k', DATABASE_URL: 'postgres://u:p@h/d', PGPASSWORD: 'p', MY_TOKEN: 't' };
  assert.deepEqual(redactEnv(env), { OPTIMIZATIONS: 'all', JWT_SIGNING_KEY: '<redacted>', DATABASE_URL: '<redacted>', PGPASSWORD: '<redacted>', MY_TOKEN: '<redacted>' });
  assert.ok(!/postgres:|=p\b|=t\b|=k\b/.test(describeEnv(env)), describeEnv(env));
  assert.equal(describeEnv({}), "the platform's defaults");
});

test('runs alternate A B A B, whatever the runner does', async () => {
  assert.deepEqual(alternateOrder(3), ['A', 'B', 'A', 'B', 'A', 'B']);
  const calls: string[] = [];
  const made = await runAlternately(2, (side, index) => { calls.push(`${side}${index}`); return Promise.resolve(`/bundles/${side}${index}`); }, () => undefined);
  assert.deepEqual(calls, ['A0', 'B1', 'A2', 'B3']);
  assert.deepEqual(made, { order: ['A', 'B', 'A', 'B'], a: ['/bundles/A0', '/bundles/A2'], b: ['/bundles/B1', '/bundles/B3'] });
});

test('bad input is one line, exit 2, before any run or folder', async (t) => {
  const bad: [string[], RegExp][] = [
    [['x'], /needs two bundles/],
    [[], /what to compare\?/],
    [['x', 'y', '--a', 'z'], /either as A B or as --a\/--b/],
    [['x', 'y', '--rounds', '2'], /--rounds applies only with --profile/],
    [['--profile', 'p', 'x', 'y'], /either bundles .* or --profile/],
    [['--profile', 'p', '--rounds', '0'], /--rounds '0' must be a whole number from 1 to 20/],
    [['--profile', '../p'], /cannot name a file/],
    [['--profile', 'p', '--a-env', 'BAD NAME=1'], /not an environment variable name/],
    [['--profile', 'p', '--duration', 'later'], /--duration 'later' is not a duration/],
  ];
  for (const [argv, says] of bad) assert.throws(() => optionsOf(argv), (e) => isOneLineUsageError(e, says), argv.join(' '));
  const dir = await tempDir(t, 'rampart-compare-bad-');
  const suite = await writeStandInSuite(join(dir, 'suite'), ['/a']);
  await rejectsWithUsage(runCompare(optionsOf([join(dir, 'nope-a'), join(dir, 'nope-b'), '--reports-dir', join(dir, 'reports')]), () => undefined, suite), /nope-a/);
  await rejectsWithUsage(runCompare(optionsOf(['--profile', 'nosuch', '--reports-dir', join(dir, 'reports')]), () => undefined, suite), /unknown profile 'nosuch'/);
  assert.deepEqual(await readdir(dir), ['suite']);
});
