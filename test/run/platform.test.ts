// The platform `rampart run` starts for itself: ready on a free loopback port, and nothing left behind
// when it stops — even when the server process died and could not stop its embedded database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { PLATFORM_NICE, platformNice, startPlatform } from '../../src/run/platform.ts';
import { autogroupEnabled, autogroupNice } from '../../src/run/priority.ts';

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
  // the generator is served first: the server and its database run niced, the PID is the server's own
  assert.equal(getPriority(platform.pid), PLATFORM_NICE);
  assert.equal(getPriority(dbPid), PLATFORM_NICE);
  assert.match(await readFile(`/proc/${String(platform.pid)}/cmdline`, 'utf8'), /platform\/server\.ts/);
  if (autogroupEnabled()) {
    // each is a session of its own, which the scheduler shares the cores with first: niced too
    assert.equal(autogroupNice(platform.pid), PLATFORM_NICE);
    assert.equal(autogroupNice(dbPid), PLATFORM_NICE);
  }

  process.kill(platform.pid, 'SIGKILL'); // the server dies without stopping its database
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(alive(dbPid), 'the database outlived the server');
  await platform.stop();
  stopped = true;
  assert.equal(alive(dbPid), false, 'stop() stopped the database by its PID');
  await assert.rejects(access(platform.dataDir), 'the temp data folder is gone');
});

test('RAMPART_PLATFORM_NICE sets the platform\'s niceness (0 turns it off); anything else is a usage error', () => {
  assert.equal(platformNice({}), PLATFORM_NICE);
  assert.equal(platformNice({ RAMPART_PLATFORM_NICE: '0' }), 0);
  assert.equal(platformNice({ RAMPART_PLATFORM_NICE: '19' }), 19);
  for (const bad of ['-1', '20', '2.5', 'high']) {
    assert.throws(() => platformNice({ RAMPART_PLATFORM_NICE: bad }), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /RAMPART_PLATFORM_NICE must be a whole number from 0 to 19/.test(e.message));
  }
});
