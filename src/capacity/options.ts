// `rampart capacity` flags, validated into CapacityOptions (pure but for reading the profile and the
// SLO folder). Bad input: one line, exit 2.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CommandSpec, FlagSpec, FlagValues } from '../core/command.ts';
import { usageError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import { checkName, DEFAULT_SLO_DIR } from '../core/paths.ts';
import { fileExists } from '../core/bundle/files.ts';
import { loadProfile } from '../compose/load.ts';
import { peakRate } from '../compose/compose.ts';
import { parseEnvAssignments } from './env.ts';

const FLAGS = {
  target: { type: 'string', value: 'URL', description: 'search against a running platform (loopback or allowlisted) instead of starting one' },
  'data-dir': { type: 'string', value: 'DIR', description: 'the started platform\'s database folder, kept (default: a temp folder with the small seed)' },
  'platform-env': { type: 'string', multiple: true, value: 'NAME=value', description: 'environment of the started platform, e.g. OPTIMIZATIONS=all' },
  'step-duration': { type: 'string', value: 'D', description: 'length of each steady step, e.g. 30s (default 30s)' },
  'start-rate': { type: 'string', value: 'R', description: 'first step\'s arrivals/s (default a quarter of the profile\'s peak phase rate)' },
  'min-rate': { type: 'string', value: 'R', description: 'lowest step when the first fails (default the start rate / 8)' },
  'max-rate': { type: 'string', value: 'R', description: 'highest step (default 4 x the profile\'s peak rate, at most limits.maxArrivalRate)' },
  precision: { type: 'string', value: 'F', description: 'stop when (first fail - last pass) / last pass <= F (default 0.1)' },
  budget: { type: 'string', value: 'D', description: 'time for the whole search, e.g. 6m (default 6m); the bracket so far is the answer' },
  settle: { type: 'string', value: 'D', description: 'longest wait between steps for the platform\'s *_backlog gauges to reach 0 (default 60s)' },
  slo: { type: 'string', multiple: true, value: 'FILE', description: 'SLO file (default ci/slo/defaults.yml then ci/slo/<profile>.yml)' },
  flows: { type: 'string', value: 'a,b', description: 'these flows instead of the profile\'s mix' },
  seed: { type: 'string', value: 'N', description: 'seed of the generated data (default 1; step i uses seed + i)' },
  'reports-dir': { type: 'string', value: 'DIR', description: 'folder that receives the capacity folder (default reports/)' },
} as const satisfies Record<string, FlagSpec>;

export const CAPACITY_COMMAND: CommandSpec<typeof FLAGS> = {
  name: 'capacity',
  arguments: '<profile>',
  summary: 'Find the knee: the highest steady arrival rate within the profile\'s SLOs while the generator keeps its\n' +
    'schedule (exponential steps, then bisection; each step a short constant-rate run of the profile\'s flow mix).\n' +
    'Exit 0 found; 1 not even the lowest step passed; 2 bad input; 3 the generator, not the platform, was the limit.',
  flags: FLAGS,
  positionals: { min: 1, max: 1 },
};

export interface CapacityOptions {
  profile: string;
  target?: string;
  dataDir?: string;
  platformEnv: Record<string, string>;
  stepSeconds: number;
  startRate?: number;
  minRate?: number;
  maxRate?: number;
  precision: number;
  budgetSeconds: number;
  settleSeconds: number;
  sloFiles: string[];
  flows?: string[];
  seed: number;
  reportsDir?: string;
}

function seconds(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = parseDuration(value);
  if (n === null || n < min || n > max) throw usageError(`${flag} '${value}' must be a duration from ${min} s to ${max / 60} min, such as 30s or 2m`);
  return n;
}

function rate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100_000) throw usageError(`${flag} '${value}' must be a positive number of arrivals per second, such as 2 or 0.5`);
  return n;
}

export function capacityOptions(positionals: string[], values: FlagValues<typeof FLAGS>): CapacityOptions {
  const profile = checkName(positionals[0], 'the profile');
  const precision = values.precision === undefined ? 0.1 : Number(values.precision);
  if (!Number.isFinite(precision) || precision < 0.01 || precision > 1) throw usageError(`--precision '${String(values.precision)}' must be a fraction from 0.01 to 1, such as 0.1 (10%)`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw usageError(`--seed '${String(values.seed)}' must be a whole number >= 0`);
  const platformEnv = parseEnvAssignments(values['platform-env'] ?? [], '--platform-env');
  if (values.target !== undefined && (Object.keys(platformEnv).length > 0 || values['data-dir'] !== undefined)) {
    throw usageError(`${Object.keys(platformEnv).length > 0 ? '--platform-env' : '--data-dir'} applies to the platform rampart starts, not to --target; give one or the other`);
  }
  const options: CapacityOptions = {
    profile,
    platformEnv,
    stepSeconds: seconds(values['step-duration'], '--step-duration', 30, 2, 600),
    precision,
    budgetSeconds: seconds(values.budget, '--budget', 360, 10, 4 * 3600),
    settleSeconds: seconds(values.settle, '--settle', 60, 0, 600),
    sloFiles: values.slo ?? [],
    seed,
  };
  const start = rate(values['start-rate'], '--start-rate');
  const min = rate(values['min-rate'], '--min-rate');
  const max = rate(values['max-rate'], '--max-rate');
  if (start !== undefined) options.startRate = start;
  if (min !== undefined) options.minRate = min;
  if (max !== undefined) options.maxRate = max;
  if (min !== undefined && start !== undefined && min > start) throw usageError(`--min-rate ${min} is above --start-rate ${start}`);
  if (values.target !== undefined) options.target = values.target;
  if (values['data-dir'] !== undefined) options.dataDir = path.resolve(values['data-dir']);
  if (values.flows !== undefined) options.flows = values.flows.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (values['reports-dir'] !== undefined) options.reportsDir = values['reports-dir'];
  return options;
}

/** The profile's peak phase rate (arrivals/s): the rate-scale unit of the steps. */
export async function profilePeak(suite: string, name: string): Promise<number> {
  const profile = await loadProfile(suite, name);
  const peak = Math.max(0, ...profile.phases.map(peakRate));
  if (!(peak > 0)) throw usageError(`profile '${name}' has no phase with arrivals; capacity needs a rate to scale`);
  return peak;
}

/** The SLO files: --slo as given, else defaults.yml then <profile>.yml of RAMPART_SLO_DIR (ci/slo). */
export async function sloFiles(given: readonly string[], profile: string): Promise<string[]> {
  if (given.length > 0) return [...given];
  const dir = process.env.RAMPART_SLO_DIR ?? DEFAULT_SLO_DIR;
  const isFolder = await stat(dir).then((info) => info.isDirectory(), () => false);
  if (!isFolder) throw usageError(`${dir}: not a folder of SLO files (RAMPART_SLO_DIR, default ci/slo); give a folder holding defaults.yml or pass --slo FILE`);
  const files: string[] = [];
  for (const name of ['defaults.yml', `${profile}.yml`]) if (await fileExists(path.join(dir, name))) files.push(path.join(dir, name));
  if (files.length === 0) throw usageError(`${dir} holds neither defaults.yml nor ${profile}.yml: capacity needs SLO budgets to judge each step (or --slo FILE)`);
  return files;
}
