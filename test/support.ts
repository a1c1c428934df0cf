// Helpers every test folder uses: a temporary folder removed after the test, and the check that a
// bad input fails the way every command must (a RampartError, exit 2, one line matching a pattern).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RampartError } from '../src/core/errors.ts';

/** A fresh folder under the system's temp folder, removed when the test ends. */
export async function tempDir(t: { after(fn: () => Promise<void>): void }, prefix = 'rampart-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Asserts a usage error: a RampartError with exit code 2 and one line that matches the pattern. */
export function isOneLineUsageError(error: unknown, pattern: RegExp): true {
  assert.ok(error instanceof RampartError, `expected RampartError, got ${String(error)}`);
  assert.equal(error.exitCode, 2);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
  return true;
}

export const rejectsWithUsage = (promise: Promise<unknown>, pattern: RegExp): Promise<void> =>
  assert.rejects(promise, (error) => isOneLineUsageError(error, pattern));

/**
 * The `skip` of a test that needs a program CI installs (.ci/run): the reason on a developer machine
 * without it, but never in CI (CI set), where the test must run and fail loudly instead.
 */
export const skipUnlessCi = (missing: string | false): string | false => (process.env.CI === undefined ? missing : false);
