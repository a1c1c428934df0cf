// `rampart report <bundle> [--out DIR] [--gate FILE] [--apdex-t MS] [--force]`
// Writes report.html, summary.md and junit.xml for a run bundle (or a plain `artillery run --output`
// JSON file) and prints their paths. Exit 0 when written (or with --help); 2 on bad arguments or
// input (one line). The report describes the verdict; it does not enforce it: `rampart gate` exits 1
// on a breach.
import { parseCommand } from '../core/command.ts';
import type { CommandSpec, FlagSpec } from '../core/command.ts';
import { EXIT, usageError } from '../core/errors.ts';
import { readGateResult, writeReports } from './index.ts';

export const REPORT_COMMAND = {
  name: 'report',
  arguments: '<bundle-folder | artillery-output.json>',
  summary: 'Write report.html, summary.md and junit.xml for a run bundle, with the gate\'s verdict when it has one.',
  positionals: { min: 1, max: 1 },
  flags: {
    out: { type: 'string', value: 'DIR', description: 'folder for the three files (default: the bundle\'s folder)' },
    gate: { type: 'string', value: 'FILE', description: 'the gate result to show (default: the bundle\'s gate.json)' },
    'apdex-t': { type: 'string', value: 'MS', description: 'Apdex threshold T in milliseconds (default 100)' },
    force: { type: 'boolean', description: 'overwrite reports that belong to another bundle' },
  },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(REPORT_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const { values, positionals } = parsed;
  let apdexTMs: number | undefined;
  if (values['apdex-t'] !== undefined) {
    apdexTMs = Number(values['apdex-t']);
    if (!Number.isFinite(apdexTMs) || apdexTMs <= 0) throw usageError(`--apdex-t must be a positive number of milliseconds, got '${values['apdex-t']}'`);
  }
  let gate;
  if (values.gate !== undefined) {
    gate = await readGateResult(values.gate);
    if (gate === null) throw usageError(`${values.gate}: no such gate result file; run 'rampart gate' first or drop --gate`);
  }
  const written = await writeReports(positionals[0], { outDir: values.out, gate, force: values.force === true, apdexTMs });
  process.stdout.write(`report: ${written.html}\nsummary: ${written.markdown}\njunit: ${written.junit}\n`);
  return EXIT.ok;
}
