// The bad-input matrix, `rampart gate`: bundles that are missing, corrupt or hostile (a run.json
// whose profile walks out of ci/baselines), baselines and SLO files that are wrong, folders that
// cannot be written. Each: the exit code, one line, no stack trace, nothing written (./bad-input.ts).
import { test } from 'node:test';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { editJson, fixture, runMatrix } from './bad-input.ts';
import type { BadInput, Case, Fixture } from './bad-input.ts';
import { readHistogramDocument } from '../../src/core/bundle/histogram-read.ts';
import { writeHistogramFile } from '../../src/core/bundle/histogram-file.ts';

/** histograms.json rewritten in the streamed format (/2), then its lines changed. */
async function streamed(dir: string, change: (lines: string[]) => string[]): Promise<void> {
  const file = path.join(dir, 'histograms.json');
  writeHistogramFile(file, await readHistogramDocument(file));
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  await writeFile(file, `${change(lines).join('\n')}\n`);
}

const gate = (f: Fixture, args: string[], code: 1 | 2 | 3, says: RegExp, extra: Partial<BadInput> = {}): BadInput =>
  ({ args: ['gate', ...args, '--no-report'], code, says, unchanged: [f.root], env: f.env, ...extra });

const CASES: Record<string, Case> = {
  'a bundle that does not exist': (f) => gate(f, [path.join(f.root, 'nope')], 2, /nope: no such bundle folder or file/),
  'a folder without artillery.json': async (f) => gate(f, [await f.bundle('no-artillery', (d) => rm(path.join(d, 'artillery.json')))], 2, /not a run bundle \(no artillery\.json\)/),
  'artillery.json that is not JSON': async (f) => gate(f, [await f.bundle('bad-json', (d) => writeFile(path.join(d, 'artillery.json'), '{"aggregate": {'))], 2, /artillery\.json: not valid JSON/),
  'an empty artillery.json': async (f) => gate(f, [await f.bundle('empty-json', (d) => writeFile(path.join(d, 'artillery.json'), ''))], 2, /artillery\.json: file is empty/),
  'a counter that is text in artillery.json': async (f) => gate(f, [await f.bundle('text-counter', (d) => editJson(path.join(d, 'artillery.json'), (j) => { (j.aggregate as { counters: Record<string, unknown> }).counters['http.requests'] = '11'; }))], 2, /artillery\.json: \/aggregate\/counters\/http\.requests must be number/),
  'a rate that is text in artillery.json': async (f) => gate(f, [await f.bundle('text-rate', (d) => editJson(path.join(d, 'artillery.json'), (j) => { (j.aggregate as { rates: Record<string, unknown> }).rates['http.request_rate'] = '11.7'; }))], 2, /\/aggregate\/rates\/http\.request_rate must be number/),
  'an intermediate period that is not an object': async (f) => gate(f, [await f.bundle('bad-period', (d) => editJson(path.join(d, 'artillery.json'), (j) => { j.intermediate = [42]; }))], 2, /\/intermediate\/0 must be object/),
  'a run.json whose runId is a number': async (f) => gate(f, [await f.bundle('run-id', (d) => editJson(path.join(d, 'run.json'), (j) => { j.runId = 5; }))], 2, /run\.json: \/runId must be string/),
  // baselines/../pwned.json would land in the fixture's root, which must stay as it was
  'a run.json whose profile walks out of the baselines folder (--update-baseline)': async (f) =>
    gate(f, [await f.bundle('traversal', (d) => editJson(path.join(d, 'run.json'), (j) => { j.profile = '../pwned'; })), '--update-baseline'], 2, /run\.json: \/profile must be a name of letters, digits/),
  'a run.json whose profile is a dot-dot name': async (f) => gate(f, [await f.bundle('dotdot', (d) => editJson(path.join(d, 'run.json'), (j) => { j.profile = '..'; }))], 2, /\/profile must be a name/),
  'a run.json with a start time that is not a date': async (f) => gate(f, [await f.bundle('bad-date', (d) => editJson(path.join(d, 'run.json'), (j) => { j.startedAt = 'yesterday'; }))], 2, /\/startedAt must match format "date-time"/),
  'a run.json that is a folder': async (f) => gate(f, [await f.bundle('run-folder', async (d) => { await rm(path.join(d, 'run.json')); await mkdir(path.join(d, 'run.json')); })], 2, /run\.json: is a folder, expected a run manifest/),
  'a histogram string that does not decode (format /1)': async (f) => gate(f, [await f.bundle('garbage-histogram', (d) => editJson(path.join(d, 'histograms.json'), (j) => { (j.endpoints as Record<string, { histogram: string }[]>)['GET /api/v1/alerts'][0].histogram = 'garbage!!'; }))], 2, /histograms\.json: \/endpoints\/'GET \/api\/v1\/alerts'\/0\/histogram is not an encoded histogram/),
  'a run total that does not decode (format /2)': async (f) => gate(f, [await f.bundle('garbage-total', (d) => streamed(d, (lines) => {
    const end = JSON.parse(lines[lines.length - 1]) as { totals: { overall: string } };
    end.totals.overall = 'HISTFAAAAzzzz';
    return [...lines.slice(0, -1), JSON.stringify(end)];
  }))], 2, /histograms\.json: end record \/totals\/overall is not an encoded histogram/),
  'a histograms.json cut short': async (f) => gate(f, [await f.bundle('cut-short', (d) => streamed(d, (lines) => lines.slice(0, -1)))], 2, /histograms\.json: no end record, the file was cut short/),
  'a histograms.json line that is not JSON': async (f) => gate(f, [await f.bundle('bad-line', (d) => streamed(d, (lines) => [lines[0], '{"start":', ...lines.slice(1)]))], 2, /histograms\.json:2: not valid JSON/),
  '__proto__ as an endpoint key in histograms.json': async (f) => gate(f, [await f.bundle('proto-endpoint', async (d) => {
    const file = path.join(d, 'histograms.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"GET /api/v1/alerts":', '"__proto__":'));
  })], 2, /histograms\.json: \/endpoints has the key '__proto__', which cannot be a name/),
  '__proto__ as an endpoint key in a baseline file': async (f) => gate(f, [f.good, '--baseline', await f.file('proto-baseline.json', JSON.stringify({
    schema: 'rampart.baseline/1', profile: 'baseline', updatedAt: new Date(0).toISOString(),
    runs: [{ runId: 'x', profile: 'baseline', gitRevision: null, startedAt: null, endpoints: { 'GET /a': [] } }],
  }).replace('"GET /a"', '"__proto__"'))], 2, /proto-baseline\.json: \/runs\/0\/endpoints has the key '__proto__', which cannot be a name/),
  'a generator.json with a verdict that is text': async (f) => gate(f, [await f.bundle('bad-generator', (d) => editJson(path.join(d, 'generator.json'), (j) => { (j.trust as Record<string, unknown>).trustworthy = 'yes'; }))], 2, /generator\.json: \/trust\/trustworthy must be boolean/),
  'gate.json that is a folder (with --update-baseline: no baseline written either)': async (f) =>
    gate(f, [await f.bundle('gate-folder', (d) => mkdir(path.join(d, 'gate.json'))), '--update-baseline'], 2, /gate\.json: cannot write the gate result \(gate\.json\): it is a folder; remove it/),
  '--update-baseline into a folder it may not write (no gate.json written)': async (f) => ({
    ...gate(f, [await f.bundle('read-only-baseline'), '--update-baseline'], 2, /baselines-ro\/baseline\.json: cannot write the baseline \(--update-baseline\): permission denied \(EACCES\)/),
    env: { ...f.env, RAMPART_BASELINE_DIR: await f.readOnlyDir('baselines-ro') },
    unprivileged: true,
  }),
  '--update-baseline into a folder under a file': async (f) => ({
    ...gate(f, [await f.bundle('baseline-under-file'), '--update-baseline'], 2, /plain-file\/baselines\/baseline\.json: cannot read a baseline file: a part of the path is a file, not a folder \(ENOTDIR\)/),
    env: { ...f.env, RAMPART_BASELINE_DIR: path.join(await f.file('plain-file', 'x'), 'baselines') },
  }),
  'a --baseline file that does not exist': (f) => gate(f, [f.good, '--baseline', path.join(f.root, 'missing.json')], 2, /missing\.json: no such file, expected a baseline; give a baseline file/),
  'a corrupt baseline file': async (f) => gate(f, [f.good, '--baseline', await f.file('corrupt-baseline.json', '{"schema":"rampart.baseline/1","profile":"baseline"}')], 2, /corrupt-baseline\.json: \/updatedAt is missing|corrupt-baseline\.json: \/runs is missing/),
  'a baseline of another profile': async (f) => gate(f, [f.good, '--baseline', await f.file('smoke.json', JSON.stringify({ schema: 'rampart.baseline/1', profile: 'smoke', updatedAt: new Date(0).toISOString(), runs: [] }))], 2, /baseline of profile 'smoke', but the run is profile 'baseline'/),
  '--update-baseline with a bundle as the baseline': (f) => gate(f, [f.good, '--baseline', f.good, '--update-baseline'], 2, /--update-baseline needs one baseline file/),
  'an --slo file that does not exist': (f) => gate(f, [f.good, '--slo', path.join(f.root, 'no.yml')], 2, /no\.yml: cannot read the SLO file \(no such file\)/),
  'an --slo file that is a folder': (f) => gate(f, [f.good, '--slo', f.slo], 2, /slo: cannot read the SLO file \(EISDIR\)/),
  'a misspelt endpoint key in --slo (names the nearest known one)': async (f) => gate(f, [f.good, '--slo', await f.file('typo.yml', 'endpoints:\n  "GET /api/v1/alert":\n    p95: 100\n')], 2, /typo\.yml:2: endpoint 'GET \/api\/v1\/alert' is measured by no run and named by no scenario.*did you mean 'GET \/api\/v1\/alerts'\?$/),
  'a misspelt metric in --slo': async (f) => gate(f, [f.good, '--slo', await f.file('metric.yml', 'defaults:\n  p59: 100\n')], 2, /metric\.yml:2: unknown metric 'p59' in defaults/),
  'an --slo budget of 1e400': async (f) => gate(f, [f.good, '--slo', await f.file('inf.yml', 'defaults:\n  p95: 1e400\n')], 2, /inf\.yml:2: defaults\.p95 must be a number \(milliseconds\) or null/),
  'a RAMPART_SLO_DIR that is not a folder (no budgets at all would apply)': (f) => ({ ...gate(f, [f.good], 2, /no-such-slo-dir: not a folder of SLO files \(RAMPART_SLO_DIR, default ci\/slo\)/), env: { ...f.env, RAMPART_SLO_DIR: path.join(f.root, 'no-such-slo-dir') } }),
  '--repeat out of range': (f) => gate(f, [f.good, '--repeat', '99'], 2, /--repeat must be a whole number of extra runs from 0 to 20, got '99'/),
  '--slo without a value': (f) => gate(f, [f.good, '--slo'], 2, /--slo needs a value/),
  'an unknown option': (f) => gate(f, [f.good, '--frobnicate'], 2, /unknown option '--frobnicate'; known options: --baseline/),
};

test('rampart gate refuses bad input: exit code, one line, no stack trace, nothing written', { concurrency: 3 }, async (t) => {
  await runMatrix(t, await fixture(t), CASES);
});
