// The classes of bad input, fixed once: any file-system error becomes one line naming the file, its
// code and what to do (exit 2); one validator for names that become paths; stored histograms that
// do not decode fail naming where. Real errors from the real file system (ENOSPC from /dev/full).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, fileError, onFile, RampartError } from '../../src/core/errors.ts';
import { checkName, isSafeName } from '../../src/core/paths.ts';
import { decodeStored } from '../../src/core/bundle/histogram-decode.ts';
import { encodeHistogram, newHistogram, recordMicros } from '../../src/core/histogram.ts';
import { isOneLineUsageError, rejectsWithUsage, tempDir } from '../support.ts';

/** The error a real file-system call fails with. */
async function failureOf(operation: () => Promise<unknown>): Promise<unknown> {
  try {
    await operation();
  } catch (error) {
    return error;
  }
  throw new Error('the operation was expected to fail');
}

test('every file-system error code becomes one line: the file, what failed, the code, what to do', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'a-file');
  await writeFile(file, 'x');
  const cases: [() => Promise<unknown>, string, RegExp][] = [
    [() => readFile(path.join(dir, 'missing')), 'ENOENT', /no such file or folder \(ENOENT\); check the path$/],
    [() => readFile(dir), 'EISDIR', /is a folder, expected a file \(EISDIR\); give a file's path/],
    [() => mkdir(path.join(file, 'sub')), 'ENOTDIR', /a part of the path is a file, not a folder \(ENOTDIR\)/],
    [() => open(file, 'wx'), 'EEXIST', /already exists \(EEXIST\); remove it or give another path/],
  ];
  if (existsSync('/dev/full')) cases.push([() => writeFile('/dev/full', 'x'), 'ENOSPC', /no space left on the device \(ENOSPC\); free some space/]);
  for (const [operation, code, says] of cases) {
    const error = fileError(await failureOf(operation), file, 'write the thing');
    assert.ok(isOneLineUsageError(error, new RegExp(`^${file.replaceAll('/', '\\/')}: cannot write the thing: `)));
    assert.match(error.message, says, code);
  }
});

test('onFile turns a system error into that line and lets every other error through unchanged', async () => {
  await rejectsWithUsage(onFile('/nonexistent/x.json', 'read the baseline', () => readFile('/nonexistent/x.json')), /^\/nonexistent\/x\.json: cannot read the baseline: no such file or folder \(ENOENT\)/);
  const own = new RampartError(EXIT.untrustworthy, 'not judged');
  await assert.rejects(onFile('x', 'read', () => Promise.reject(own)), (e: unknown) => e === own);
  const bug = new TypeError('a bug');
  await assert.rejects(onFile('x', 'read', () => Promise.reject(bug)), (e: unknown) => e === bug);
});

test('names that become paths: letters, digits, dot, underscore and dash; never a separator or dot-dot', () => {
  for (const name of ['smoke', 'business-hours', '20261201T225826-smoke-3a12', 'v1.2_x']) assert.equal(checkName(name, 'profile'), name);
  for (const name of ['../pwned', '..', 'a/b', 'a\\b', '.hidden', '', '__proto__', 'a..b', 'x'.repeat(101), 'nul\u0000']) {
    assert.equal(isSafeName(name), false, name);
    assert.throws(() => checkName(name, "run.json's profile", 'reports/x/run.json'), (e: unknown) =>
      isOneLineUsageError(e, /^reports\/x\/run\.json: run\.json's profile .* cannot name a file: use letters, digits/));
  }
  assert.throws(() => checkName(7, 'profile'), (e: unknown) => isOneLineUsageError(e, /^profile 7 cannot name a file/));
});

test('a stored histogram decodes, and text that is not one fails naming where it is', () => {
  const histogram = newHistogram();
  recordMicros(histogram, 1500);
  assert.equal(decodeStored(encodeHistogram(histogram), 'h.json: /x').totalCount, 1);
  for (const garbage of ['garbage!!', 'AAAA', encodeHistogram(histogram).slice(0, 20)]) {
    assert.throws(() => decodeStored(garbage, "h.json:3: /endpoints/'GET /a'/histogram"), (e: unknown) =>
      isOneLineUsageError(e, /^h\.json:3: \/endpoints\/'GET \/a'\/histogram is not an encoded histogram \(.+\); the file is corrupt or was cut short; run again$/));
  }
});
