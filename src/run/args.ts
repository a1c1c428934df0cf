// `rampart run` arguments: parsed and validated into RunOptions (pure). Bad arguments exit 2.
import { usageError } from '../core/errors.ts';
import { parseDuration } from '../compose/load.ts';

export interface RunOptions {
  profile: string;
  flows?: string[];
  target?: string;
  durationSeconds?: number;
  durationText: string | null;
  rateScale: number;
  seed: number;
  /** folder that receives the bundle folders (default reports/) */
  reportsDir?: string;
  /** keep the started platform's data in this folder instead of a temp folder */
  dataDir?: string;
  report: boolean;
}

export const RUN_USAGE = `usage: rampart run <profile> [--flows a,b] [--target URL] [--duration 90s|5m|1h] [--rate-scale 0.5]
                   [--seed N] [--reports-dir DIR] [--data-dir DIR] [--no-report]`;

const VALUE_OPTIONS = new Set(['--flows', '--target', '--duration', '--rate-scale', '--seed', '--reports-dir', '--data-dir']);

export function parseRunArgs(argv: string[]): RunOptions {
  const values = new Map<string, string>();
  const positional: string[] = [];
  let report = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-report') {
      report = false;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (!VALUE_OPTIONS.has(name)) throw usageError(`unknown option '${name}'\n${RUN_USAGE}`);
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw usageError(`${name} needs a value`);
      values.set(name, value);
      continue;
    }
    positional.push(arg);
  }
  if (positional.length !== 1) throw usageError(positional.length === 0 ? `which profile? ${RUN_USAGE}` : `one profile only, got ${positional.join(' ')}`);

  const options: RunOptions = { profile: positional[0], rateScale: 1, seed: 1, durationText: null, report };
  const flows = values.get('--flows');
  if (flows !== undefined) options.flows = flows.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const target = values.get('--target');
  if (target !== undefined) options.target = target;
  const duration = values.get('--duration');
  if (duration !== undefined) {
    const seconds = parseDuration(duration);
    if (seconds === null || seconds < 1) throw usageError(`--duration '${duration}' is not a duration such as 90, 90s, 5m or 1h`);
    options.durationSeconds = seconds;
    options.durationText = duration;
  }
  const scale = values.get('--rate-scale');
  if (scale !== undefined) {
    const n = Number(scale);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--rate-scale '${scale}' must be a positive number such as 0.5 or 2`);
    options.rateScale = n;
  }
  const seed = values.get('--seed');
  if (seed !== undefined) {
    const n = Number(seed);
    if (!Number.isSafeInteger(n) || n < 0) throw usageError(`--seed '${seed}' must be a whole number >= 0`);
    options.seed = n;
  }
  const reportsDir = values.get('--reports-dir');
  if (reportsDir !== undefined) options.reportsDir = reportsDir;
  const dataDir = values.get('--data-dir');
  if (dataDir !== undefined) options.dataDir = dataDir;
  return options;
}
