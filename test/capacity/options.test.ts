// rampart capacity's bad input: one line, exit 2, before a platform starts or a folder is made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCapacity } from '../../src/capacity/command.ts';
import { CAPACITY_COMMAND, capacityOptions } from '../../src/capacity/options.ts';
import { parseCommand } from '../../src/core/command.ts';
import { isOneLineUsageError, rejectsWithUsage, tempDir } from '../support.ts';
import { writeStandInSuite } from './stand-in.ts';

const optionsOf = (argv: string[]): ReturnType<typeof capacityOptions> => {
  const parsed = parseCommand(CAPACITY_COMMAND, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return capacityOptions(parsed.positionals, parsed.values);
};

test('bad flags are one line, exit 2', () => {
  assert.throws(() => optionsOf(['standin', '--precision', '7']), (e) => isOneLineUsageError(e, /--precision '7' must be a fraction/));
  assert.throws(() => optionsOf(['standin', '--target', 'http://127.0.0.1:1', '--platform-env', 'OPTIMIZATIONS=all']), (e) => isOneLineUsageError(e, /--platform-env applies to the platform rampart starts/));
  assert.throws(() => optionsOf(['standin', '--platform-env', '1BAD=x']), (e) => isOneLineUsageError(e, /not an environment variable name/));
  assert.throws(() => optionsOf(['standin', '--step-duration', 'soon']), (e) => isOneLineUsageError(e, /--step-duration 'soon' must be a duration/));
  assert.throws(() => optionsOf(['standin', '--max-rate', '-3']), (e) => isOneLineUsageError(e, /--max-rate '-3' must be a positive number/));
  assert.throws(() => optionsOf(['../etc']), (e) => isOneLineUsageError(e, /cannot name a file/));
  const parsed = parseCommand(CAPACITY_COMMAND, ['--help']);
  assert.ok(parsed.help && /--step-duration D/.test(parsed.text) && /Exit 0 found; 1 not even the lowest step passed/.test(parsed.text));
});

test('bad input found before anything starts leaves no capacity folder', async (t) => {
  const dir = await tempDir(t, 'rampart-capacity-bad-');
  const suite = await writeStandInSuite(join(dir, 'suite'), ['/work']);
  const say = (): void => undefined;
  const reports = ['--reports-dir', join(dir, 'reports')];
  await rejectsWithUsage(runCapacity(optionsOf(['nosuch', ...reports]), say, suite), /unknown profile 'nosuch'/);
  await rejectsWithUsage(runCapacity(optionsOf(['standin', '--start-rate', '500', ...reports]), say, suite), /--start-rate 500 is above the max rate 40/);
  await rejectsWithUsage(runCapacity(optionsOf(['standin', '--max-rate', '5000', ...reports]), say, suite), /asks for 5000 arrivals\/s, above the limit of 2000/);
  await rejectsWithUsage(runCapacity(optionsOf(['standin', '--slo', join(dir, 'missing.yml'), ...reports]), say, suite), /missing\.yml/);
  assert.deepEqual(await readdir(dir), ['suite'], 'no capacity folder was made');
});
