// `rampart observe` and the run flags that depend on it, through the real CLI: help, bad actions,
// status with no stack, generate --check, and the run flags that need a Pushgateway (one line, exit 2,
// nothing started, no bundle folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { tempDir } from '../support.ts';

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts');

function rampart(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

test('observe --help names the actions; an unknown action is one line, exit 2', async () => {
  const help = await rampart(['observe', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: rampart observe up\|down\|status\|generate \[options\]/);
  const bad = await rampart(['observe', 'sideways']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "rampart: unknown action 'sideways'; rampart observe up|down|status|generate\n");
});

test('observe status and down with no stack running in the folder say so, exit 0', async (t) => {
  const dir = await tempDir(t);
  const status = await rampart(['observe', 'status', '--dir', dir]);
  assert.equal(status.code, 0);
  assert.match(status.stdout, /^no stack is running \(would serve http:\/\/127\.0\.0\.1:9090, .*\); start it with 'rampart observe up'\n$/);
  const down = await rampart(['observe', 'down', '--dir', dir]);
  assert.deepEqual([down.code, down.stdout], [0, 'no stack is running\n']);
});

test('observe generate --check: the committed files are current (exit 0, nothing written)', async () => {
  const result = await rampart(['observe', 'generate', '--check']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'observability/: every generated file is up to date\n');
});

test('run flags that need a Pushgateway, without one: one line, exit 2, no bundle folder', async (t) => {
  const reports = await tempDir(t);
  const env = { RAMPART_PUSHGATEWAY: '', RAMPART_PROMETHEUS: '' };
  const missing = await rampart(['run', 'smoke', '--require-metrics', '--reports-dir', reports], env);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'rampart: --require-metrics and --delete-metrics need a Pushgateway: --observe, observe.pushgateway in rampart.config.yml or RAMPART_PUSHGATEWAY\n');
  const noStack = await rampart(['run', 'smoke', '--observe', '--reports-dir', reports], { ...env, RAMPART_OBSERVE_DIR: await tempDir(t) });
  assert.equal(noStack.code, 2);
  assert.match(noStack.stderr, /^rampart: --observe: no observability stack is running; start one with 'rampart observe up'\n$/);
  const bad = await rampart(['run', 'smoke', '--reports-dir', reports], { RAMPART_PUSHGATEWAY: 'gopher://x' });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "rampart: RAMPART_PUSHGATEWAY 'gopher://x' must be an http:// or https:// URL\n");
  assert.deepEqual(await readdir(reports), []);
});
