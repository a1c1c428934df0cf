// `rampart run` with bad input: one line on stderr, the documented exit code, nothing started,
// no bundle folder left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { freePort } from '../../src/run/platform.ts';
import { parseRunArgs } from '../../src/run/args.ts';
import { RampartError } from '../../src/core/errors.ts';

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts');

interface Outcome { code: number; stdout: string; stderr: string }

function rampart(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A suite folder of its own (RAMPART_SUITE_DIR): the real smoke profile, one good flow, one broken. */
async function suite(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-suite-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'phases'));
  await mkdir(path.join(dir, 'scenarios'));
  await cp(path.join(REPO_ROOT, 'phases', 'smoke.yml'), path.join(dir, 'phases', 'smoke.yml'));
  await writeFile(path.join(dir, 'scenarios', 'health.yml'), 'scenarios:\n  - name: health\n    flow:\n      - get: { url: /health, name: GET /health }\n');
  await writeFile(path.join(dir, 'scenarios', 'broken.yml'), 'scenarios:\n  - name: broken\n    flow:\n      - get:\n          url: /health\n         name: GET /health\n');
  return dir;
}

function oneLine(o: Outcome, code: number, pattern: RegExp): void {
  assert.equal(o.code, code, `exit code (stderr: ${o.stderr})`);
  assert.equal(o.stdout, '');
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${o.stderr}`);
  assert.match(lines[0], pattern);
}

test('an unknown profile: exit 2, one line listing the profiles', async () => {
  oneLine(await rampart(['run', 'lunchtime']), 2, /^rampart: unknown profile 'lunchtime'; available: analytics-burst, baseline, business-hours, incident-response, pull-request, smoke, soak, spike, stress$/);
});

test('an unknown flow: exit 2, one line listing the flows', async () => {
  oneLine(await rampart(['run', 'smoke', '--flows', 'analyst-triage,coffee-break']), 2, /^rampart: unknown flow 'coffee-break'; available: administration, analyst-triage, .*threat-hunting$/);
});

test('a scenario file with a YAML error: exit 2, one line with file:line', async (t) => {
  const dir = await suite(t);
  oneLine(await rampart(['run', 'smoke', '--flows', 'health,broken'], { RAMPART_SUITE_DIR: dir }), 2, /^rampart: scenarios\/broken\.yml:6:\d+: YAML error: .+$/);
  assert.deepEqual(await readdir(dir), ['phases', 'scenarios'], 'no bundle folder was created');
});

test('a target outside loopback and the allowlist: exit 2, naming the allowlist', async (t) => {
  const dir = await suite(t);
  await writeFile(path.join(dir, 'rampart.config.yml'), 'targets:\n  allow: [staging.internal]\n');
  oneLine(
    await rampart(['run', 'smoke', '--flows', 'health', '--target', 'http://load-me.example.com:3000'], { RAMPART_SUITE_DIR: dir }),
    2,
    /^rampart: target host 'load-me\.example\.com' is not loopback and not in the allowlist \(targets\.allow in rampart\.config\.yml: staging\.internal\); add it there to send load to it$/,
  );
});

test('an unreachable target: exit 3, one line', async (t) => {
  const dir = await suite(t);
  const port = await freePort();
  oneLine(await rampart(['run', 'smoke', '--flows', 'health', '--target', `http://127.0.0.1:${port}`], { RAMPART_SUITE_DIR: dir }), 3, /^rampart: target http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); start the platform there or omit --target to start one$/);
  assert.deepEqual(await readdir(dir), ['phases', 'scenarios'], 'no bundle folder was created');
});

test('a rate scale beyond the arrival-rate guard: exit 2 before anything starts', async () => {
  oneLine(await rampart(['run', 'stress', '--rate-scale', '1000']), 2, /asks for 30000 arrivals\/s, above the limit of 2000 \(limits\.maxArrivalRate in rampart\.config\.yml\)/);
});

test('argument parsing: options, values and mistakes', () => {
  assert.deepEqual(parseRunArgs(['baseline', '--flows', 'a, b', '--duration=5m', '--rate-scale', '0.5', '--seed', '42', '--no-report']), {
    profile: 'baseline', flows: ['a', 'b'], durationSeconds: 300, durationText: '5m', rateScale: 0.5, seed: 42, report: false,
  });
  const bad = (argv: string[], pattern: RegExp): void => { assert.throws(() => parseRunArgs(argv), (e: unknown) => e instanceof RampartError && e.exitCode === 2 && pattern.test(e.message)); };
  bad([], /which profile\?/);
  bad(['a', 'b'], /one profile only/);
  bad(['smoke', '--duration', 'soon'], /--duration 'soon' is not a duration/);
  bad(['smoke', '--rate-scale', '-1'], /--rate-scale '-1' must be a positive number/);
  bad(['smoke', '--seed', '1.5'], /--seed '1\.5' must be a whole number/);
  bad(['smoke', '--turbo'], /unknown option '--turbo'/);
  bad(['smoke', '--target'], /--target needs a value/);
});
