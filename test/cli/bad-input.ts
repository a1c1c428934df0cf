// The bad-input matrix's harness (test/cli/bad-input-*.test.ts): each case runs the real `rampart`
// command (node src/cli/rampart.ts, a child stopped by its timeout) on one bad input and checks what
// a user relies on: the documented exit code, exactly one line on stderr that says what is wrong, no
// stack trace, nothing on stdout, and nothing written or half-written in the folders it could touch
// (every file's content compared before and after; no temp file left behind).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { writeBundle, TWO_ENDPOINTS } from '../gate/fixtures.ts';

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts');
const NOBODY = 65534;

export interface Outcome { code: number | null; stdout: string; stderr: string }

export interface RunAs {
  env?: Record<string, string>;
  /** run as an unprivileged user, so folders without write permission refuse writes even under root */
  unprivileged?: boolean;
}

/** `rampart <args>` as a child process (30 s at most), from the repository root. */
export function rampart(args: readonly string[], options: RunAs = {}): Promise<Outcome> {
  const asNobody = options.unprivileged === true && process.getuid?.() === 0;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      timeout: 30_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', ...options.env },
      ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under the folders (recursively, hidden ones too) with a hash of its content. */
export async function snapshot(dirs: readonly string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      files.set(dir, '(absent or unreadable)');
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        files.set(`${full}/`, 'folder');
        await visit(full);
      } else {
        files.set(full, entry.isFile() ? createHash('sha1').update(await readFile(full)).digest('hex') : 'other');
      }
    }
  };
  for (const dir of dirs) await visit(dir);
  return files;
}

export interface BadInput {
  /** the arguments after `rampart` */
  args: string[];
  code: 1 | 2 | 3;
  /** what the one line on stderr must say */
  says: RegExp;
  /** folders that must hold exactly what they held before */
  unchanged: string[];
  /** text the line must not contain (a password given in the input) */
  never?: string;
  env?: Record<string, string>;
  unprivileged?: boolean;
}

/** Runs one case and checks everything a bad input must (see the top of this file). */
export async function expectRefused(c: BadInput): Promise<void> {
  const before = await snapshot(c.unchanged);
  const o = await rampart(c.args, { env: c.env, unprivileged: c.unprivileged });
  const lines = o.stderr.split('\n').filter((line) => line !== '');
  assert.equal(o.code, c.code, `exit code of rampart ${c.args.join(' ')} (stderr: ${o.stderr})`);
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${o.stderr}`);
  assert.doesNotMatch(o.stderr, /internal error|\n\s+at \S|node:internal|\.ts:\d+:\d+\)/, 'no stack trace');
  assert.match(lines[0], /^rampart( [a-z]+)?: /, 'the line starts with the command');
  assert.match(lines[0], c.says);
  assert.equal(o.stdout, '', 'nothing on stdout');
  if (c.never !== undefined) assert.ok(!o.stderr.includes(c.never), `'${c.never}' must not be shown: ${o.stderr}`);
  const after = await snapshot(c.unchanged);
  assert.deepEqual([...after].filter(([file]) => file.endsWith('.tmp')), [], 'no temp file left behind');
  assert.deepEqual(after, before, 'nothing written or changed');
}

/** One row of the matrix: builds its inputs in the fixture and says what must happen. */
export type Case = (f: Fixture) => BadInput | Promise<BadInput>;

interface TestContext {
  test(name: string, fn: () => Promise<void>): Promise<void>;
}

/**
 * Builds every case's inputs first (one after another), then runs the cases a few at a time: none
 * of them may write anything, so they cannot disturb each other's before/after comparison.
 */
export async function runMatrix(t: TestContext, f: Fixture, cases: Record<string, Case>, parallel = 3): Promise<void> {
  const built: [string, BadInput][] = [];
  for (const [name, make] of Object.entries(cases)) built.push([name, await make(f)]);
  const queue = [...built];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [name, c] = next;
      await t.test(name, () => expectRefused(c));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export interface Fixture {
  root: string;
  /** a complete, valid bundle of profile 'baseline' (run.json, artillery.json, histograms.json, generator.json) */
  good: string;
  baselines: string;
  slo: string;
  /** environment that keeps the gate's defaults inside the fixture */
  env: Record<string, string>;
  /** a copy of the good bundle, changed by `change` (given the copy's folder) */
  bundle(name: string, change?: (dir: string) => Promise<void>): Promise<string>;
  /** writes a file under the root (folders created) and returns its path */
  file(relative: string, text: string): Promise<string>;
  /** a folder under the root nobody but its owner may write to */
  readOnlyDir(relative: string): Promise<string>;
}

/** A fixture folder readable by the unprivileged user, removed when the test file ends. */
export async function fixture(t: { after(fn: () => Promise<void>): void }): Promise<Fixture> {
  const root = await mkdtemp(path.join(tmpdir(), 'rampart-bad-input-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await chmod(root, 0o755);
  const good = await writeBundle(root, { runId: 'good', profile: 'baseline', periods: 6, endpoints: TWO_ENDPOINTS, seed: 3 });
  const baselines = path.join(root, 'baselines');
  const slo = path.join(root, 'slo');
  await mkdir(baselines, { mode: 0o777 });
  await chmod(baselines, 0o777);
  await mkdir(slo);
  const f: Fixture = {
    root, good, baselines, slo,
    env: { RAMPART_BASELINE_DIR: baselines, RAMPART_SLO_DIR: slo },
    async bundle(name, change) {
      const dir = path.join(root, name);
      await cp(good, dir, { recursive: true });
      await chmod(dir, 0o777);
      if (change !== undefined) await change(dir);
      return dir;
    },
    async file(relative, text) {
      const file = path.join(root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    async readOnlyDir(relative) {
      const dir = path.join(root, relative);
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o555);
      return dir;
    },
  };
  return f;
}

/** Edits a JSON file in place. */
export async function editJson(file: string, change: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(value);
  await writeFile(file, JSON.stringify(value));
}

/** YAML whose aliases expand to 9^6 copies: refused, never expanded. */
export const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => {
  const prev = 'abcdef'[i];
  return `${k}: &${k} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`;
})].join('\n');
