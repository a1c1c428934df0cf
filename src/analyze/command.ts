// `rampart analyze <bundle> [--json] [--top N] [--out FILE] [--force]`
// What limited a run: ranked findings, each with the share of the run's time or errors it explains,
// its evidence (numbers from the bundle) and what to do (docs/analysis.md). Reads the bundle once
// (src/results), its generator.json, resources.json and statements.json; prints text, or the
// findings document with --json; --out writes it (rampart.findings/1) atomically.
// Exit 0 whatever was found (findings are not failures); 2 on bad arguments or input (one line).
import { parseCommand } from '../core/command.ts';
import type { CommandSpec, FlagSpec } from '../core/command.ts';
import { EXIT, onFile, usageError } from '../core/errors.ts';
import { checkReplaceable, fileExists, writeFileAtomic } from '../core/bundle/files.ts';
import { readOptionalJsonFile } from '../core/bundle/read.ts';
import { analyzeBundle, loadBundle } from '../results/index.ts';
import { formatFindings } from './format.ts';
import { findingsOf } from './index.ts';

export const ANALYZE_COMMAND = {
  name: 'analyze',
  arguments: '<bundle-folder | artillery-output.json>',
  summary: 'Rank what limited a run: statements and their plans, CPU, pool, locks, queues, errors, growth over the run, the generator; each finding with its share, evidence and what to do.',
  positionals: { min: 1, max: 1 },
  flags: {
    json: { type: 'boolean', description: 'print the findings document (rampart.findings/1) instead of text' },
    top: { type: 'string', value: 'N', description: 'show only the first N findings (text default 10, --json and --out default all)' },
    out: { type: 'string', value: 'FILE', description: 'also write the findings document to FILE' },
    force: { type: 'boolean', description: 'let --out replace a file that is not an earlier analysis of the same run' },
  },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

function parseTop(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--top must be a whole number of findings, 1 or more, got '${value}'`);
  return n;
}

/** --out replaces only an earlier findings document of the same run, unless forced. */
async function checkOut(path: string, run: string, force: boolean): Promise<void> {
  await checkReplaceable(path, 'write the findings');
  if (force || !(await fileExists(path))) return;
  const existing = await readOptionalJsonFile(path, 'the file --out names').catch(() => null);
  const same = typeof existing === 'object' && existing !== null && (existing as { schema?: unknown; run?: unknown }).schema === 'rampart.findings/1' && (existing as { run?: unknown }).run === run;
  if (!same) throw usageError(`${path}: already exists and is not an analysis of run ${run}; choose another --out file or pass --force to replace it`);
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(ANALYZE_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const { values, positionals } = parsed;
  const top = parseTop(values.top);
  const bundle = await loadBundle(positionals[0]);
  const analysis = analyzeBundle(bundle);
  if (analysis.run.summary.requests === 0) {
    throw usageError(`${positionals[0]}: the run made no requests, so there is nothing to analyse; check that the target was reachable and the phases ran`);
  }
  const file = findingsOf(bundle, analysis);
  const shown = top === undefined ? file : { ...file, findings: file.findings.slice(0, top) };
  if (values.out !== undefined) {
    const out = values.out;
    await checkOut(out, file.run, values.force === true);
    await onFile(out, 'write the findings (choose a writable --out path)', () => writeFileAtomic(out, `${JSON.stringify(shown, null, 2)}\n`));
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(shown, null, 2)}\n` : formatFindings(file, top ?? 10));
  return EXIT.ok;
}
