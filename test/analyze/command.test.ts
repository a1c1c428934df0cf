// rampart analyze's bad input: one line naming what is wrong and what to do, exit 2, nothing
// written. In process through the command's main (as the dispatcher calls it), and once through
// the real CLI for the stderr line and the exit code. (Good input: ./planted.run.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/analyze/command.ts';
import { formatFindings } from '../../src/analyze/format.ts';
import { findingsOf } from '../../src/analyze/index.ts';
import { writeReports } from '../../src/report/index.ts';
import { analyzeBundle, loadBundle } from '../../src/results/index.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { rejectsWithUsage, tempDir } from '../support.ts';

test('analyze refuses a missing bundle, a folder that is not one, a run without requests, a corrupt sample file, a bad --top and an unknown flag', async (t) => {
  const dir = await tempDir(t);
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await rejectsWithUsage(main([join(dir, 'nope')]), /nope: no such bundle folder or file; give reports\/<run-id>\//);
  await rejectsWithUsage(main([empty]), /empty: not a run bundle \(no artillery\.json\)/);
  await writeFile(join(empty, 'artillery.json'), JSON.stringify({ aggregate: { counters: {}, rates: {}, summaries: {} }, intermediate: [] }));
  await rejectsWithUsage(main([empty]), /the run made no requests, so there is nothing to analyse/);
  await writeFile(join(empty, 'resources.json'), '{"schema": "rampart.resources/1"}');
  await rejectsWithUsage(main([empty]), /resources\.json: /);
  await rejectsWithUsage(main([empty, '--top', '0']), /--top must be a whole number of findings, 1 or more, got '0'/);
  await rejectsWithUsage(main([empty, '--top', '2.5']), /--top must be a whole number/);
  await rejectsWithUsage(main([empty, '--bogus']), /--bogus/);
  await rejectsWithUsage(main([]), /analyze/);
  assert.deepEqual((await readdir(empty)).sort(), ['artillery.json', 'resources.json']);

  const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'src/cli/rampart.ts'), 'analyze', join(dir, 'nope')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(cli.status, 2);
  assert.equal(cli.stdout, '');
  assert.equal(cli.stderr.trimEnd().split('\n').length, 1, cli.stderr);
});

test('names from the bundle are escaped: HTML in the report\'s findings section, control characters on the terminal', async (t) => {
  const dir = await tempDir(t);
  // the report's fixture: a plain Artillery file whose endpoint key is markup
  const plain = join(REPO_ROOT, 'test/report/fixtures/artillery-plain.json');
  const written = await writeReports(plain, { outDir: dir });
  const html = await readFile(written.html, 'utf8');
  const section = html.slice(html.indexOf('<h2 id="findings">'), html.indexOf('</section>', html.indexOf('<h2 id="findings">')));
  assert.match(section, /&lt;script&gt;window\.__pwned=1&lt;\/script&gt;/);
  assert.ok(!section.includes('<script>') && !section.includes('<img'), section);
  const file = findingsOf(await loadBundle(plain), analyzeBundle(await loadBundle(plain)));
  const named = { ...file, findings: file.findings.map((f) => ({ ...f, subject: `${f.subject}\u001b[31m` })) };
  assert.ok(!formatFindings(named, 10).includes('\u001b'));
  assert.match(formatFindings(named, 10), /\\u001b\[31m/);
});
