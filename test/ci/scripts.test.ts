// The shell logic of the CI scripts (ci/scripts/), run for real on made-up folders, a throwaway git
// repository and a tiny stand-in HTTP server: the A/B run order, picking a run's bundle, the gate's
// arguments, the base worktree, starting and stopping a platform, the summary and the verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scripts = join(import.meta.dirname, '..', '..', 'ci', 'scripts');

function sh(script: string, args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [join(scripts, script), ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-ci-'));
  t.after(() => { rmSync(dir, { recursive: true, force: true }); });
  return dir;
}

test('ab-order.sh alternates base and head, base first, and refuses fewer than 2 pairs', () => {
  assert.deepEqual(sh('ab-order.sh', []).stdout.trim().split('\n'), ['base', 'head', 'base', 'head']);
  assert.deepEqual(sh('ab-order.sh', ['3']).stdout.trim().split('\n'), ['base', 'head', 'base', 'head', 'base', 'head']);
  for (const bad of ['1', 'two', '-2', '11']) {
    const result = sh('ab-order.sh', [bad]);
    assert.equal(result.status, 2, bad);
    assert.match(result.stderr, /PAIRS must be a whole number from 2 to 10/);
  }
});

test('one-bundle.sh names the single bundle folder of a run, and refuses none or several', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'run', '20261202-001500-baseline'), { recursive: true });
  assert.deepEqual(sh('one-bundle.sh', [join(dir, 'run')]), { status: 0, stdout: `${join(dir, 'run', '20261202-001500-baseline')}/\n`, stderr: '' });
  mkdirSync(join(dir, 'run', '20261202-002000-baseline'));
  assert.match(sh('one-bundle.sh', [join(dir, 'run')]).stderr, /holds 2 bundle folders, expected exactly 1/);
  mkdirSync(join(dir, 'empty'));
  assert.equal(sh('one-bundle.sh', [join(dir, 'empty')]).status, 2);
  assert.match(sh('one-bundle.sh', [join(dir, 'absent')]).stderr, /no such folder/);
});

test('ab-gate-args.sh puts the head runs first and every base run behind --baseline', (t) => {
  const out = tempDir(t);
  const bundle = (name: string): string => { mkdirSync(join(out, name)); return join(out, name); };
  const [b1, h2, b3, h4] = ['1-base', '2-head', '3-base', '4-head'].map(bundle);
  writeFileSync(join(out, 'base.list'), `${b1}\n${b3}\n`);
  writeFileSync(join(out, 'head.list'), `${h2}\n${h4}\n`);
  assert.deepEqual(sh('ab-gate-args.sh', [out]).stdout.trim().split('\n'), [h2, h4, '--baseline', b1, '--baseline', b3]);
  rmSync(b3, { recursive: true });
  assert.match(sh('ab-gate-args.sh', [out]).stderr, /base bundle .*3-base is missing/);
  writeFileSync(join(out, 'head.list'), '');
  const empty = sh('ab-gate-args.sh', [out]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /lists no head run/);
});

test("base-worktree.sh checks out the merge commit's first parent, and refuses to guess without a merge", (t) => {
  const repo = tempDir(t);
  const git = (...args: string[]): string => {
    const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };
  git('init', '-q');
  writeFileSync(join(repo, 'f'), 'base\n');
  git('add', 'f');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  writeFileSync(join(repo, 'g'), 'head\n');
  git('add', 'g');
  git('commit', '-q', '-m', 'head');
  assert.match(sh('base-worktree.sh', [join(repo, 'wt0')], repo).stderr, /HEAD is not a merge commit/);
  git('checkout', '-q', 'main');
  writeFileSync(join(repo, 'f'), 'base moved\n');
  git('commit', '-q', '-am', 'main moved');
  const target = git('rev-parse', 'HEAD');
  git('merge', '-q', '--no-ff', '-m', 'merge', 'feature');
  const result = sh('base-worktree.sh', [join(repo, 'wt')], repo);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), target);
  assert.equal(readFileSync(join(repo, 'wt', 'f'), 'utf8'), 'base moved\n');
  assert.equal(existsSync(join(repo, 'wt', 'g')), false);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

test('platform-start.sh waits for /ready on a fresh data folder, platform-stop.sh waits for the exit', async (t) => {
  const dir = tempDir(t);
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'platform'), { recursive: true });
  // A stand-in for the platform's entry point: reports its data folder, answers /ready after 1 s.
  writeFileSync(join(tree, 'platform', 'server.ts'), [
    "import { createServer } from 'node:http';",
    "import { existsSync } from 'node:fs';",
    "console.log('data folder existed:', existsSync(process.env.DATA_DIR ?? ''));",
    'const started = Date.now();',
    "const server = createServer((req, res) => { res.statusCode = req.url === '/ready' && Date.now() - started > 1000 ? 200 : 503; res.end(); });",
    "server.listen(Number(process.env.PORT), '127.0.0.1');",
    "process.on('SIGTERM', () => { server.close(); });",
  ].join('\n'));
  const port = String(await freePort());
  const data = join(dir, 'data');
  mkdirSync(data);
  const started = sh('platform-start.sh', [tree, port, data, join(dir, 'p.log'), join(dir, 'p.pid'), '10']);
  assert.equal(started.status, 0, started.stderr);
  assert.match(started.stdout, /ready on port/);
  assert.match(readFileSync(join(dir, 'p.log'), 'utf8'), /data folder existed: false/);
  const pid = Number(readFileSync(join(dir, 'p.pid'), 'utf8'));
  assert.equal(sh('platform-stop.sh', [join(dir, 'p.pid')]).status, 0);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  assert.equal(sh('platform-stop.sh', [join(dir, 'p.pid')]).status, 0);

  writeFileSync(join(tree, 'platform', 'server.ts'), "console.error('PORT in use'); process.exit(1);\n");
  const died = sh('platform-start.sh', [tree, port, data, join(dir, 'q.log'), join(dir, 'q.pid'), '10']);
  assert.equal(died.status, 3);
  assert.match(died.stderr, /exited before it was ready; its log:\nPORT in use/);
});

test('pr-summary.sh puts the verdict first, then the A/B runs and the smoke gate', (t) => {
  const dir = tempDir(t);
  const [base, head] = ['1-base/20261202-001000-baseline/', '2-head/20261202-001500-baseline/'].map((b) => join(dir, 'ab', b));
  for (const b of [base, head]) mkdirSync(b, { recursive: true });
  writeFileSync(join(head, 'summary.md'), '## PASS: no endpoint got slower\n');
  writeFileSync(join(dir, 'ab', 'base.list'), `${base}\n`);
  writeFileSync(join(dir, 'ab', 'head.list'), `${head}\n`);
  writeFileSync(join(dir, 'ab', 'primary'), `${head}\n`);
  mkdirSync(join(dir, 'smoke'));
  writeFileSync(join(dir, 'smoke', 'gate.txt'), 'rampart gate: PASS\n');
  assert.equal(sh('pr-summary.sh', [join(dir, 'ab'), join(dir, 'smoke'), join(dir, 's.md')]).status, 0);
  const summary = readFileSync(join(dir, 's.md'), 'utf8');
  assert.ok(summary.startsWith('## PASS: no endpoint got slower\n'));
  assert.match(summary, /- base: `1-base\/20261202-001000-baseline`\n- head: `2-head\/20261202-001500-baseline`/);
  assert.match(summary, /### Smoke run \(SLOs only\)\n```\nrampart gate: PASS\n```/);
  rmSync(join(dir, 'ab', 'primary'));
  assert.equal(sh('pr-summary.sh', [join(dir, 'ab'), join(dir, 'nosmoke'), join(dir, 's.md')]).status, 0);
  assert.match(readFileSync(join(dir, 's.md'), 'utf8'), /^\*\*No A\/B verdict\*\*/);
});

test("verdict.sh fails the job with the gate's code, or the smoke's, and when nothing was judged", (t) => {
  const dir = tempDir(t);
  const file = (name: string, code: string): string => { writeFileSync(join(dir, name), `${code}\n`); return join(dir, name); };
  assert.equal(sh('verdict.sh', [file('g0', '0'), file('s0', '0')]).status, 0);
  const slower = sh('verdict.sh', [file('g1', '1'), file('s0', '0')]);
  assert.equal(slower.status, 1);
  assert.match(slower.stdout, /::error::performance regression or breached SLO/);
  assert.equal(sh('verdict.sh', [file('g3', '3')]).status, 3);
  assert.equal(sh('verdict.sh', [file('g2', '2')]).status, 2);
  assert.match(sh('verdict.sh', [file('g0', '0'), file('s1', '1')]).stdout, /smoke run's SLO gate did not pass \(exit 1\)/);
  assert.equal(sh('verdict.sh', [file('g0', '0'), join(dir, 'none')]).status, 1);
  const never = sh('verdict.sh', [join(dir, 'none')]);
  assert.equal(never.status, 2);
  assert.match(never.stdout, /the gate did not run/);
});
