// The bad-input matrix, `rampart report`, `rampart coverage` and the dispatcher: bundles and
// Artillery files that are wrong, output folders that cannot be written (nothing half-written:
// no report file is replaced when another cannot be), gate files that are not files, targets that
// are not allowed or not reachable, unknown commands (./bad-input.ts).
import { test } from 'node:test';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/run/platform.ts';
import { ALIAS_BOMB, editJson, fixture, runMatrix } from './bad-input.ts';
import type { BadInput, Case, Fixture } from './bad-input.ts';

const plain = JSON.stringify({ aggregate: { counters: { 'http.requests': 4, 'http.codes.200': 4 }, rates: {}, summaries: {} }, intermediate: [] });

const report = (f: Fixture, args: string[], says: RegExp, extra: Partial<BadInput> = {}): BadInput =>
  ({ args: ['report', ...args], code: 2, says, unchanged: [f.root], env: f.env, ...extra });

const CASES: Record<string, Case> = {
  'report: a bundle that does not exist': (f) => report(f, [path.join(f.root, 'nope')], /nope: no such bundle folder or file/),
  'report: a bundle path that is a link to itself': async (f) => {
    const loop = path.join(f.root, 'loop');
    await symlink(loop, loop);
    return report(f, [loop], /loop: cannot open the bundle: too many symbolic links \(ELOOP\)/);
  },
  'report: a bundle path under a file': async (f) => report(f, [path.join(await f.file('bundle-file', 'x'), 'sub')], /bundle-file\/sub: cannot open the bundle: a part of the path is a file, not a folder \(ENOTDIR\)/),
  'report: a plain Artillery file that is not JSON': async (f) => report(f, [await f.file('plain-bad.json', '{"aggregate":')], /plain-bad\.json: not valid JSON/),
  'report: a plain Artillery file without an aggregate': async (f) => report(f, [await f.file('plain-none.json', '{"intermediate": []}')], /plain-none\.json: \/aggregate is missing/),
  'report: a plain Artillery file whose summary is text': async (f) => report(f, [await f.file('plain-text.json', JSON.stringify({ aggregate: { counters: {}, rates: {}, summaries: { 'http.response_time': 'fast' } } }))], /\/aggregate\/summaries\/http\.response_time must be object/),
  'report: a plain Artillery file whose counter is text': async (f) => report(f, [await f.file('plain-counter.json', JSON.stringify({ aggregate: { counters: { 'http.requests': 'many' }, rates: {}, summaries: {} } }))], /\/aggregate\/counters\/http\.requests must be number/),
  'report: __proto__ as a counter name': async (f) => report(f, [await f.file('plain-proto.json', plain.replace('"http.requests"', '"__proto__"'))], /plain-proto\.json: \/aggregate\/counters has the key '__proto__', which cannot be a name/),
  'report: a plain Artillery file whose period start is a list': async (f) => report(f, [await f.file('plain-period.json', JSON.stringify({ aggregate: { counters: {}, rates: {}, summaries: {}, firstMetricAt: [1] } }))], /\/aggregate\/firstMetricAt must be number/),
  'report: a bundle whose histogram does not decode': async (f) => report(f, [await f.bundle('report-garbage', (d) => editJson(path.join(d, 'histograms.json'), (j) => { (j.endpoints as Record<string, { histogram: string }[]>)['POST /api/v1/events/batch'][1].histogram = 'AAAA'; }))], /histograms\.json: \/endpoints\/'POST \/api\/v1\/events\/batch'\/1\/histogram is not an encoded histogram/),
  'report: --out under a file': async (f) => report(f, [f.good, '--out', path.join(await f.file('out-file', 'x'), 'reports')], /out-file\/reports: cannot create the reports' folder \(--out\): a part of the path is a file, not a folder \(ENOTDIR\)/),
  'report: --out a folder it may not write': async (f) => report(f, [f.good, '--out', await f.readOnlyDir('out-ro')], /out-ro\/\.rampart-report\.json: cannot write the report .*permission denied \(EACCES\)/, { unprivileged: true }),
  'report: --out holding a folder named report.html (no report file replaced)': async (f) => {
    const out = path.join(f.root, 'out-with-folder');
    await mkdir(path.join(out, 'report.html'), { recursive: true });
    await writeFile(path.join(out, 'summary.md'), 'the old summary\n');
    return report(f, [f.good, '--out', out, '--force'], /out-with-folder\/report\.html: cannot write the report: it is a folder; remove it/);
  },
  'report: reports of another bundle in --out, without --force': async (f) => {
    const out = path.join(f.root, 'out-other');
    await mkdir(out);
    await writeFile(path.join(out, 'report.html'), '<p>another run</p>\n');
    return report(f, [f.good, '--out', out], /out-other: already holds report\.html of an unknown run; choose another --out folder or pass --force/);
  },
  'report: a --gate file that does not exist': (f) => report(f, [f.good, '--gate', path.join(f.root, 'no-gate.json')], /no-gate\.json: no such gate result file/),
  'report: a --gate that is a folder': (f) => report(f, [f.good, '--gate', f.slo], /slo: is a folder, expected /),
  'report: a --gate that is not JSON': async (f) => report(f, [f.good, '--gate', await f.file('gate-bad.json', 'not json')], /gate-bad\.json: not valid JSON/),
  'report: --apdex-t 0': (f) => report(f, [f.good, '--apdex-t', '0'], /--apdex-t must be a positive number of milliseconds, got '0'/),
  'report: --apdex-t that is not a number': (f) => report(f, [f.good, '--apdex-t', 'soon'], /--apdex-t must be a positive number of milliseconds, got 'soon'/),
  'report: two bundles': (f) => report(f, [f.good, f.good], /rampart report: unexpected argument/),
  'report: a plain file without requests': async (f) => report(f, [await f.file('plain-empty.json', JSON.stringify({ aggregate: { counters: {}, rates: {}, summaries: {} } }))], /plain-empty\.json: the run made no requests/),
  'report: a good plain file into a folder it may not write': async (f) => report(f, [await f.file('plain-good.json', plain), '--out', await f.readOnlyDir('plain-ro')], /plain-ro\/\.rampart-report\.json: cannot write the report .*\(EACCES\)/, { unprivileged: true }),
  'coverage: --target without a value': (f) => ({ args: ['coverage', '--target'], code: 2, says: /rampart coverage: --target needs a value/, unchanged: [f.root] }),
  'coverage: a --target that is not a URL': (f) => ({ args: ['coverage', '--target', 'nowhere'], code: 2, says: /--target 'nowhere' is not a URL/, unchanged: [f.root] }),
  'coverage: a --target outside the allowlist (its password not shown)': (f) => ({ args: ['coverage', '--target', 'https://ops:hunter2@prod.example.com'], code: 2, says: /target host 'prod\.example\.com' is not loopback/, never: 'hunter2', unchanged: [f.root] }),
  'coverage: an unreachable --target (ECONNREFUSED, its password not shown)': async (f) => ({ args: ['coverage', '--target', `http://ops:hunter2@localhost:${await freePort()}`], code: 3, says: /target http:\/\/\*\*\*@localhost:\d+ is unreachable \(ECONNREFUSED\)/, never: 'hunter2', unchanged: [f.root] }),
  'coverage: an argument it does not take': (f) => ({ args: ['coverage', 'everything'], code: 2, says: /rampart coverage: unexpected argument 'everything'/, unchanged: [f.root] }),
  'coverage: a flow file with an alias bomb': async (f) => {
    const suite = path.join(f.root, 'bomb-suite');
    await f.file('bomb-suite/scenarios/bomb.yml', `${ALIAS_BOMB}\nscenarios:\n  - name: bomb\n    flow: [{ get: { url: /health, name: GET /health } }]\n`);
    return { args: ['coverage'], code: 2, says: /scenarios\/bomb\.yml: YAML error: .*aliases may expand/, unchanged: [f.root], env: { RAMPART_SUITE_DIR: suite } };
  },
  'an unknown command': (f) => ({ args: ['lunch'], code: 2, says: /rampart: unknown command 'lunch'; commands: /, unchanged: [f.root] }),
  'help for an unknown command': (f) => ({ args: ['help', 'lunch'], code: 2, says: /rampart: unknown command 'lunch'/, unchanged: [f.root] }),
  'gate without a bundle': (f) => ({ args: ['gate'], code: 2, says: /rampart gate: missing <bundle>/, unchanged: [f.root] }),
  'an error message with a line break in the input stays one line': (f) => ({ args: ['run', 'tiny\nsecond line'], code: 2, says: /unknown profile 'tiny second line'/, unchanged: [f.root] }),
};

test('rampart report, coverage and the dispatcher refuse bad input: one line, nothing written', { concurrency: 3 }, async (t) => {
  await runMatrix(t, await fixture(t), CASES);
});
