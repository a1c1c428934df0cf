// docs/walkthrough.md, run as a new engineer would type it: every command of its ```sh blocks, in
// order, through bash, in a copy of the suite (RAMPART_SUITE_DIR points rampart at it, so the files
// and bundles the steps write stay out of the repository), against the real platform that the
// walkthrough's own `npm run platform` lines start on 127.0.0.1:3000. A step's `# exits N` comment is
// its expected exit code (0 otherwise). `npm ci` is the one step not run: the test runs inside the
// installed tree, and reinstalling would take a minute and change node_modules under other tests.
// The distributed step runs up to where no cloud is reachable (no AWS credentials: exit 2).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { skipUnlessCi } from '../support.ts';
import { DEFAULT_PORT, copySuite, plainEnv, portIsFree, runBounded, startDefaultPlatform } from '../scenarios/plain-support.ts';
import type { RunningPlatform } from '../scenarios/plain-support.ts';

interface Step {
  command: string;
  expectedExit: number;
  /** line of the walkthrough where the command starts */
  line: number;
}

const NOT_RUN: Readonly<Record<string, string>> = {
  'npm ci': 'the test runs inside the installed tree; reinstalling takes a minute and changes node_modules under other tests',
};

/** The commands of every ```sh block, one per line, a heredoc (`<<'EOF'` ... EOF) as one command. */
export function walkthroughSteps(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const steps: Step[] = [];
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!inBlock) {
      inBlock = line === '```sh';
      continue;
    }
    if (line === '```') {
      inBlock = false;
      continue;
    }
    if (line.trim() === '') continue;
    const start = i;
    let command = line;
    const heredoc = /<<'(\w+)'/.exec(line);
    if (heredoc !== null) {
      while (i + 1 < lines.length && lines[i] !== heredoc[1]) command += `\n${lines[++i]}`;
    }
    const exits = /#\s*exits (\d+)/.exec(line);
    steps.push({ command, expectedExit: exits === null ? 0 : Number(exits[1]), line: start + 1 });
  }
  return steps;
}

test('walkthroughSteps reads one command per line, a heredoc as one, and the exit comment', () => {
  const md = ['text', '```sh', 'a one', "cat > f <<'EOF'", 'x: 1', 'EOF', 'b two   # exits 1: because', '```', '```yaml', 'not: a command', '```'].join('\n');
  assert.deepEqual(walkthroughSteps(md), [
    { command: 'a one', expectedExit: 0, line: 3 },
    { command: "cat > f <<'EOF'\nx: 1\nEOF", expectedExit: 0, line: 4 },
    { command: 'b two   # exits 1: because', expectedExit: 1, line: 7 },
  ]);
});

/**
 * The suite copy as a shell sees it: `npx rampart` runs the repository's bin from the copy's own
 * node_modules/.bin (npx would otherwise install the copy's root package into its cache), so
 * node_modules becomes a folder of links to the repository's packages and bins plus `rampart`, and
 * package.json a copy without `bin` (its scripts, `npm run platform` among them, unchanged).
 */
async function shellSuite(dir: string): Promise<void> {
  const modules = path.join(REPO_ROOT, 'node_modules');
  await rm(path.join(dir, 'node_modules'));
  await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  for (const name of await readdir(modules)) {
    if (name !== '.bin') await symlink(path.join(modules, name), path.join(dir, 'node_modules', name));
  }
  for (const name of await readdir(path.join(modules, '.bin'))) {
    await symlink(path.join(modules, '.bin', name), path.join(dir, 'node_modules', '.bin', name));
  }
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  for (const [name, file] of Object.entries(manifest.bin ?? {})) await symlink(path.join(REPO_ROOT, file), path.join(dir, 'node_modules', '.bin', name));
  // the walkthrough edits the allowlist: the copy's own file
  await rm(path.join(dir, 'rampart.config.yml'));
  await cp(path.join(REPO_ROOT, 'rampart.config.yml'), path.join(dir, 'rampart.config.yml'));
  delete manifest.bin;
  await rm(path.join(dir, 'package.json'));
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

let suite: string | undefined;
let platform: RunningPlatform | undefined;
after(async () => {
  await platform?.stop();
  if (suite !== undefined) await rm(suite, { recursive: true, force: true, maxRetries: 5 });
});

/** The p50 of an endpoint's row in summary.md (| endpoint | requests | errors | p50 | ...; 1,085 style). */
function p50Of(row: string): number {
  const cells = row.split('|').map((c) => c.trim());
  return Number(cells[4].replaceAll(',', ''));
}

test('every command of docs/walkthrough.md runs here and ends as the walkthrough says', { timeout: 240_000 }, async (t) => {
  const steps = walkthroughSteps(await readFile(path.join(REPO_ROOT, 'docs', 'walkthrough.md'), 'utf8'));
  assert.ok(steps.length >= 15, `the walkthrough's commands: ${steps.length}`);
  const busy = skipUnlessCi((await portIsFree(DEFAULT_PORT)) ? false : `port ${DEFAULT_PORT} is in use: the walkthrough's platform and plain runs need it`);
  if (busy !== false) {
    t.skip(busy);
    return;
  }
  const dir = await copySuite(await mkdtemp(path.join(tmpdir(), 'rampart-walkthrough-')));
  suite = dir;
  await shellSuite(dir);
  await cp(path.join(REPO_ROOT, 'ci', 'slo'), path.join(dir, 'ci', 'slo'), { recursive: true });
  await mkdir(path.join(dir, 'ci', 'baselines'));
  const env = plainEnv({ RAMPART_SUITE_DIR: dir });
  const created: string[] = [];
  const bundles = async (): Promise<string[]> => (await readdir(path.join(dir, 'reports')).catch(() => [])).filter((n) => !n.startsWith('.')).sort();
  const skipped: string[] = [];

  for (const step of steps) {
    const where = `docs/walkthrough.md:${step.line}: ${step.command.split('\n')[0]}`;
    if (Object.hasOwn(NOT_RUN, step.command)) {
      skipped.push(`${step.command} (${NOT_RUN[step.command]})`);
      continue;
    }
    if (/\bnpm run platform$/.test(step.command)) {
      // The walkthrough stops the previous platform (Ctrl-C) before it starts another.
      await platform?.stop();
      const started = Date.now();
      platform = await startDefaultPlatform('bash', ['-c', step.command], { cwd: dir, env, logFile: path.join(dir, 'platform.log') });
      t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s  docs/walkthrough.md:${step.line}: ${step.command} (until /ready)`);
      continue;
    }
    const runId = created.at(-1);
    const baselineRunId = created.at(-2);
    let command = step.command;
    if (command.includes('<run-id>')) {
      assert.ok(runId !== undefined, `${where}: no run before it`);
      command = command.replaceAll('<run-id>', runId);
    }
    if (command.includes('<baseline-run-id>')) {
      assert.ok(baselineRunId !== undefined, `${where}: no run before the last one`);
      command = command.replaceAll('<baseline-run-id>', baselineRunId);
    }
    const before = await bundles();
    const started = Date.now();
    const run = await runBounded('bash', ['-c', command], { cwd: dir, env, timeoutMs: 150_000 });
    assert.equal(run.timedOut, false, `${where}: finished in time`);
    assert.equal(run.code, step.expectedExit, `${where}\n${run.stdout}\n${run.stderr}`);
    created.push(...(await bundles()).filter((name) => !before.includes(name)));
    t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s  ${where}`);

    if (command.startsWith('grep -h "POST /api/v1/auth/refresh"')) {
      // the regression the walkthrough injected is visible, side by side
      const rows = run.stdout.trim().split('\n');
      assert.equal(rows.length, 2, run.stdout);
      t.diagnostic(`refresh before and after: ${rows.join(' / ')}`);
      assert.ok(p50Of(rows[1]) > p50Of(rows[0]), `refresh got slower with INJECT_LATENCY: ${run.stdout}`);
    }
    if (command.includes('--fargate')) {
      assert.match(run.stderr, /run-fargate found no usable AWS credentials \(CredentialsProviderError\)/, 'it stops where no cloud is reachable');
    }
  }
  assert.deepEqual(skipped, [`npm ci (${NOT_RUN['npm ci']})`]);
  assert.equal(created.length, 4, `a plain run, two rampart runs and the Fargate attempt wrote bundles: ${created.join(', ')}`);
});
