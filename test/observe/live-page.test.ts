// The live page after the run (src/observe/live/server.ts): it links the final report and stays up
// until the report has been opened (then a short grace) or for RAMPART_DASHBOARD_LINGER seconds,
// whichever ends first. Here the linger is 10 minutes and the test's own timeout 30 s: only opening
// the report can end it in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { endLivePage, startLivePage } from '../../src/observe/live/server.ts';
import { tempDir } from '../support.ts';

test('the live page links the report once the run has ended, and closes soon after the report is opened', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const logFile = join(dir, 'artillery.log');
  const reportFile = join(dir, 'report.html');
  await writeFile(logFile, '');
  await writeFile(reportFile, '<!doctype html><title>the report</title>');
  const live = await startLivePage({ runId: 'r1', profile: 'smoke', bundleDir: dir, logFile, phases: [{ duration: 2, arrivalRate: 1 }], platformUrl: null });
  assert.equal((await fetch(`${live.url}report.html`)).status, 404, 'no report before the run has ended');
  const running = await (await fetch(live.url)).text();
  assert.match(running, /http-equiv="refresh"/);

  const previous = process.env.RAMPART_DASHBOARD_LINGER;
  process.env.RAMPART_DASHBOARD_LINGER = '600';
  t.after(() => {
    if (previous === undefined) delete process.env.RAMPART_DASHBOARD_LINGER;
    else process.env.RAMPART_DASHBOARD_LINGER = previous;
  });
  const said: string[] = [];
  const ended = endLivePage(live, 'pass', reportFile, (line) => { said.push(line); });
  const final = await (await fetch(live.url)).text();
  assert.doesNotMatch(final, /http-equiv="refresh"/, 'the final page stops reloading');
  assert.match(final, /href="\/report\.html"/);
  const report = await fetch(`${live.url}report.html`);
  assert.equal(report.status, 200);
  assert.match(await report.text(), /the report/);
  await ended;
  assert.match(said.join('\n'), /stays up 600 s with the link to the report, or until the report is opened/);
  await assert.rejects(fetch(live.url), 'the page has stopped');
});
