// The platform `rampart run` starts for itself: ready on a free loopback port, and nothing left behind
// when it stops — even when the server process died and could not stop its embedded database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { startPlatform } from '../../src/run/platform.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a started platform answers /ready; stop() leaves no database process and no data folder', { timeout: 150_000 }, async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), 'rampart-platform-test-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const platform = await startPlatform({ root: REPO_ROOT, logFile: path.join(work, 'platform.log'), readyTimeoutMs: 120_000 });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await platform.stop();
  });
  assert.match(platform.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const ready = await fetch(`${platform.url}/ready`);
  assert.equal(ready.status, 200);
  const dbPid = Number((await readFile(path.join(platform.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  assert.ok(alive(dbPid));

  process.kill(platform.pid, 'SIGKILL'); // the server dies without stopping its database
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(alive(dbPid), 'the database outlived the server');
  await platform.stop();
  stopped = true;
  assert.equal(alive(dbPid), false, 'stop() stopped the database by its PID');
  await assert.rejects(access(platform.dataDir), 'the temp data folder is gone');
});
