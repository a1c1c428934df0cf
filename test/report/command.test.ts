// `rampart report` as a user runs it: files written, exit codes, one-line errors, the overwrite rule.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeReports, REPORT_SOURCE_FILE } from '../../src/report/index.ts';
import { syntheticBundle, syntheticGate, writeBundle, tempDir, removeDir } from './fixtures.ts';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'rampart.ts');
const PLAIN = join(import.meta.dirname, 'fixtures', 'artillery-plain.json');

interface Outcome { code: number | null; stdout: string; stderr: string }

function rampart(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertOneLineError(outcome: Outcome, pattern: RegExp): void {
  assert.equal(outcome.code, 2, `exit code 2, got ${outcome.code}: ${outcome.stderr}`);
  assert.equal(outcome.stdout, '');
  const lines = outcome.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${outcome.stderr}`);
  assert.match(lines[0], /^rampart(?: report)?: /); // flag errors name the command (src/core/command.ts)
  assert.match(lines[0], pattern);
}

const REPORT_FILES = ['report.html', 'summary.md', 'junit.xml'];

describe('rampart report', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await removeDir(dir);
  });
  const bundleDir = async (options?: Parameters<typeof syntheticBundle>[0], gate?: ReturnType<typeof syntheticGate>): Promise<string> => {
    const dir = await writeBundle(syntheticBundle(options), undefined, gate === undefined ? {} : { gate });
    dirs.push(dir);
    return dir;
  };

  it('writes the three reports into the bundle folder and prints their paths', async () => {
    const dir = await bundleDir({}, syntheticGate());
    const outcome = await rampart(['report', dir]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stdout, `report: ${join(dir, 'report.html')}\nsummary: ${join(dir, 'summary.md')}\njunit: ${join(dir, 'junit.xml')}\n`);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /1 SLO check breached/, 'the bundle’s gate.json is shown');
    assert.match(await readFile(join(dir, 'summary.md'), 'utf8'), /❌ FAIL/);
    assert.match(await readFile(join(dir, 'junit.xml'), 'utf8'), /<failure type="SloBreach"/);
    const left = (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(left, [], 'no temp files left behind');
  });

  it('regenerates the reports of the same bundle, and takes a gate result from --gate', async () => {
    const dir = await bundleDir();
    assert.equal((await rampart(['report', dir])).code, 0);
    assert.match(await readFile(join(dir, 'summary.md'), 'utf8'), /NOT JUDGED/);
    const gateFile = join(dir, 'elsewhere-gate.json');
    await writeFile(gateFile, JSON.stringify(syntheticGate({ outcome: 'pass', slo: [], comparisons: [] })));
    const again = await rampart(['report', dir, '--gate', gateFile]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(await readFile(join(dir, 'summary.md'), 'utf8'), /✅ PASS/);
  });

  it('writes into --out, creating it, and reads a plain Artillery output file', async () => {
    const work = await tempDir();
    dirs.push(work);
    const out = join(work, 'nested', 'out');
    const outcome = await rampart(['report', PLAIN, '--out', out]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.deepEqual((await readdir(out)).sort(), [REPORT_SOURCE_FILE, ...REPORT_FILES].sort());
    assert.match(await readFile(join(out, 'report.html'), 'utf8'), /Artillery summaries only/);
  });

  it('refuses to overwrite reports of another bundle without --force, and changes nothing', async () => {
    const first = await bundleDir({ runId: 'run-one' });
    const second = await bundleDir({ runId: 'run-two' });
    const out = await tempDir();
    dirs.push(out);
    assert.equal((await rampart(['report', first, '--out', out])).code, 0);
    const before = await Promise.all(REPORT_FILES.map((name) => readFile(join(out, name), 'utf8')));

    const refused = await rampart(['report', second, '--out', out]);
    assertOneLineError(refused, /already holds report\.html, summary\.md, junit\.xml of .*--force/);
    const unchanged = await Promise.all(REPORT_FILES.map((name) => readFile(join(out, name), 'utf8')));
    assert.deepEqual(unchanged, before);

    const same = await rampart(['report', first, '--out', out]);
    assert.equal(same.code, 0, 'the same bundle may refresh its own reports');

    const forced = await rampart(['report', second, '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(join(out, 'report.html'), 'utf8'), /run-two/);
  });

  it('treats report files of unknown origin in a foreign folder as another bundle’s', async () => {
    const dir = await bundleDir();
    const out = await tempDir();
    dirs.push(out);
    await writeFile(join(out, 'summary.md'), 'hand-written notes\n');
    assertOneLineError(await rampart(['report', dir, '--out', out]), /summary\.md of an unknown run/);
    assert.equal(await readFile(join(out, 'summary.md'), 'utf8'), 'hand-written notes\n');
  });

  it('keeps two plain Artillery files in one folder apart', async () => {
    const work = await tempDir();
    dirs.push(work);
    await copyFile(PLAIN, join(work, 'a.json'));
    await copyFile(PLAIN, join(work, 'b.json'));
    assert.equal((await rampart(['report', join(work, 'a.json')])).code, 0);
    assertOneLineError(await rampart(['report', join(work, 'b.json')]), /a\.json; choose another --out/);
  });

  it('rejects a missing bundle, a corrupt one, and one without requests with one line and exit 2', async () => {
    const missing = await rampart(['report', '/nonexistent/bundle']);
    assertOneLineError(missing, /\/nonexistent\/bundle: no such bundle/);

    const corrupt = await tempDir();
    dirs.push(corrupt);
    await writeFile(join(corrupt, 'artillery.json'), '{"aggregate": {"counters": ');
    assertOneLineError(await rampart(['report', corrupt]), /artillery\.json: not valid JSON/);

    const empty = await tempDir();
    dirs.push(empty);
    await writeFile(join(empty, 'artillery.json'), JSON.stringify({ aggregate: { counters: { 'vusers.created': 0 }, rates: {}, summaries: {} }, intermediate: [] }));
    assertOneLineError(await rampart(['report', empty]), /made no requests/);
    assert.deepEqual(await readdir(empty), ['artillery.json'], 'nothing written');

    const zeroHistograms = await bundleDir({ endpoints: [] });
    assertOneLineError(await rampart(['report', zeroHistograms]), /made no requests/);
  });

  it('rejects a corrupt gate.json in the bundle and bad arguments', async () => {
    const dir = await bundleDir();
    await writeFile(join(dir, 'gate.json'), JSON.stringify({ schema: 'something-else' }));
    assertOneLineError(await rampart(['report', dir]), /gate\.json: expected schema 'rampart\.gate\/1', found 'something-else'/);
    await assert.rejects(stat(join(dir, 'report.html')), { code: 'ENOENT' });

    assertOneLineError(await rampart(['report']), /missing <bundle-folder \| artillery-output\.json>; usage: rampart report/);
    assertOneLineError(await rampart(['report', dir, '--colour']), /unknown option '--colour'; known options: --out, --gate, --apdex-t, --force, --help/);
    assertOneLineError(await rampart(['report', dir, '--apdex-t', 'fast']), /--apdex-t must be a positive number/);
    assertOneLineError(await rampart(['report', dir, '--gate', join(dir, 'none.json')]), /none\.json: no such gate result file/);
  });

  it('prints its usage with --help and exits 0, writing nothing', async () => {
    const help = await rampart(['report', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.equal(help.stderr, '');
    assert.match(help.stdout, /^usage: rampart report <bundle-folder \| artillery-output\.json> \[options\]/);
    for (const flag of ['--out', '--gate', '--apdex-t', '--force', '--help']) assert.ok(help.stdout.includes(flag), flag);
  });

  it('writeReports returns the written paths and takes a gate result as an option', async () => {
    const dir = await bundleDir();
    const out = await tempDir();
    dirs.push(out);
    const written = await writeReports(dir, { outDir: out, gate: syntheticGate({ outcome: 'pass', slo: [], comparisons: [] }) });
    assert.deepEqual(written, { html: join(out, 'report.html'), markdown: join(out, 'summary.md'), junit: join(out, 'junit.xml') });
    assert.match(await readFile(written.markdown, 'utf8'), /✅ PASS/);
  });
});
