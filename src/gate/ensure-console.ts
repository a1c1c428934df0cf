// Where a run's Artillery console output is, for its ensure checks (src/results/ensure.ts): a
// bundle's artillery.log (rampart run writes it), or, for a plain `artillery run --output out.json`
// file, out.log beside it (`artillery run --output out.json script.yml | tee out.log`). A run
// without one has no ensure checks to show.
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { BUNDLE_FILES } from '../core/bundle/types.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import { ensureChecks } from '../results/index.ts';
import type { EnsureCheck } from '../results/index.ts';

/** The console log that belongs to the bundle or file given on the command line. */
export function consoleLogPath(given: string, bundle: LoadedBundle): string {
  if (bundle.manifest !== null || basename(given) === BUNDLE_FILES.artillery || extname(given) !== '.json') return join(bundle.dir, 'artillery.log');
  return join(dirname(given), `${basename(given, '.json')}.log`);
}

/** The run's ensure checks, or null when it has no console output or the output has no checks. */
export async function readEnsureChecks(given: string, bundle: LoadedBundle): Promise<EnsureCheck[] | null> {
  let text: string;
  try {
    text = await readFile(consoleLogPath(given, bundle), 'utf8');
  } catch {
    return null;
  }
  return ensureChecks(text, bundle.artillery.aggregate);
}
