// Every command has the same shape: `rampart <command> --help` prints its usage and exits 0, an
// unknown flag exits 2 with one line naming the flag and the command's known flags; the dispatcher
// itself: `--help` exits 0, no command exits 2 with the usage, an unknown command exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { COMMANDS } from '../../src/cli/commands.ts';

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts');

interface Outcome { code: number; stdout: string; stderr: string }

function rampart(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

for (const name of Object.keys(COMMANDS)) {
  test(`rampart ${name} --help: its usage on stdout, exit 0`, async () => {
    const o = await rampart([name, '--help']);
    assert.equal(o.code, 0, `exit code (stderr: ${o.stderr})`);
    assert.equal(o.stderr, '');
    assert.match(o.stdout, new RegExp(`^usage: rampart ${name}\\b`));
    assert.match(o.stdout, /--help, -h +print this help and exit/);
  });

  test(`rampart ${name} with an unknown flag: exit 2, one line naming it and the known flags`, async () => {
    const o = await rampart([name, '--no-such-flag']);
    assert.equal(o.code, 2, `exit code (stderr: ${o.stderr})`);
    assert.equal(o.stdout, '');
    assert.equal(lines(o.stderr).length, 1, `one line on stderr, got:\n${o.stderr}`);
    assert.match(o.stderr, /unknown option '--no-such-flag'; known options: (--[a-z-]+, )*--help\b/);
  });
}

test('rampart --help and rampart help: the commands on stdout, exit 0', async () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const o = await rampart(args);
    assert.equal(o.code, 0, args.join(' '));
    assert.match(o.stdout, /^usage: rampart <command> \[options\]\n/);
    for (const name of Object.keys(COMMANDS)) assert.match(o.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  }
});

test('rampart help <command> is rampart <command> --help', async () => {
  const o = await rampart(['help', 'run']);
  assert.equal(o.code, 0);
  assert.equal(o.stdout, (await rampart(['run', '--help'])).stdout);
});

test('rampart alone: the usage on stderr, exit 2', async () => {
  const o = await rampart([]);
  assert.equal(o.code, 2);
  assert.equal(o.stdout, '');
  assert.match(o.stderr, /^usage: rampart <command> \[options\]\n/);
});

test('an unknown command or option before the command: exit 2, one line naming it and the commands', async () => {
  for (const [arg, what] of [['lunch', 'command'], ['--lunch', 'option']]) {
    const o = await rampart([arg]);
    assert.equal(o.code, 2);
    assert.equal(o.stdout, '');
    assert.deepEqual(lines(o.stderr), [`rampart: unknown ${what} '${arg}'; commands: ${Object.keys(COMMANDS).join(', ')} (see 'rampart --help')`]);
  }
});

test('a reader that goes away (rampart ... | head -1): the command ends with its own exit code, no stack trace', async () => {
  for (const [args, expected] of [[['gate', '--help'], 0], [['run', 'lunchtime'], 2]] as const) {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    child.stdout.destroy(); // the pipe's reading end is gone before the command writes
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, expected, `rampart ${args.join(' ')}: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  }
});
