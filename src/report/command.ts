// `rampart report <bundle> [--out DIR] [--gate FILE] [--apdex-t MS] [--force]`
// Writes report.html, summary.md and junit.xml for a run bundle (or a plain `artillery run --output`
// JSON file) and prints their paths. Exit 0 when written; 2 on bad arguments or input (one line).
// The report describes the verdict; it does not enforce it: `rampart gate` exits 1 on a breach.
import { parseArgs } from 'node:util';
import { EXIT, usageError } from '../core/errors.ts';
import { readGateResult, writeReports } from './index.ts';

const USAGE = 'usage: rampart report <bundle-folder | artillery-output.json> [--out DIR] [--gate gate.json] [--apdex-t MS] [--force]';

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        gate: { type: 'string' },
        'apdex-t': { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw usageError(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw usageError(positionals.length === 0 ? `no bundle given; ${USAGE}` : `one bundle at a time, got ${positionals.length}; ${USAGE}`);
  }
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
  const written = await writeReports(positionals[0], { outDir: values.out, gate, force: values.force, apdexTMs });
  process.stdout.write(`report: ${written.html}\nsummary: ${written.markdown}\njunit: ${written.junit}\n`);
  return EXIT.ok;
}
