// `rampart compare` flags, validated into CompareOptions (pure). Bad input: one line, exit 2.
import path from 'node:path';
import type { CommandSpec, FlagSpec, FlagValues } from '../core/command.ts';
import { usageError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import { checkName } from '../core/paths.ts';
import { parseEnvAssignments } from '../capacity/env.ts';

const FLAGS = {
  a: { type: 'string', value: 'DIR[,DIR...]', description: 'the bundles of side A (the reference)' },
  b: { type: 'string', value: 'DIR[,DIR...]', description: 'the bundles of side B (judged against A)' },
  profile: { type: 'string', value: 'P', description: 'run profile P against two platform configurations, alternately A B A B ...' },
  'a-env': { type: 'string', multiple: true, value: 'NAME=value', description: 'with --profile: the environment of platform A, e.g. OPTIMIZATIONS=none' },
  'b-env': { type: 'string', multiple: true, value: 'NAME=value', description: 'with --profile: the environment of platform B, e.g. OPTIMIZATIONS=all' },
  rounds: { type: 'string', value: 'N', description: 'with --profile: rounds of A then B (default 2: A B A B)' },
  'data-dir': { type: 'string', value: 'DIR', description: 'with --profile: the platforms\' database folder, used by every run in turn (default: a fresh small seed each run)' },
  'rate-scale': { type: 'string', value: 'X', description: 'with --profile: multiply every arrival rate (default 1)' },
  duration: { type: 'string', value: 'D', description: 'with --profile: stretch or shrink the profile to this duration, e.g. 60s' },
  flows: { type: 'string', value: 'a,b', description: 'with --profile: these flows instead of the profile\'s mix' },
  seed: { type: 'string', value: 'N', description: 'with --profile: seed of the generated data (default 1)' },
  slo: { type: 'string', multiple: true, value: 'FILE', description: 'SLO files whose comparison settings apply (default ci/slo/defaults.yml then <profile>.yml)' },
  out: { type: 'string', value: 'DIR', description: 'folder for compare.json and compare.html (default reports/compare-<time>-<hex>/)' },
  'reports-dir': { type: 'string', value: 'DIR', description: 'folder that receives the comparison folder (default reports/)' },
  force: { type: 'boolean', description: 'replace a compare.json already in --out' },
  'fail-on-slower': { type: 'boolean', description: 'exit 1 when any endpoint is SLOWER' },
} as const satisfies Record<string, FlagSpec>;

export const COMPARE_COMMAND: CommandSpec<typeof FLAGS> = {
  name: 'compare',
  arguments: '[A B]',
  summary: 'Put two runs (or sets of runs, or two platform configurations run alternately) side by side: per endpoint\n' +
    'the gate\'s verdict of B against A with p50/p95 ratios and confidence intervals, resources and top statements.\n' +
    'Exit 0 (informational) unless --fail-on-slower finds a SLOWER endpoint (1); 2 bad input; 3 a run cannot be trusted.',
  flags: FLAGS,
  positionals: { min: 0, max: 2 },
};

export interface AlternateOptions {
  profile: string;
  envA: Record<string, string>;
  envB: Record<string, string>;
  rounds: number;
  dataDir?: string;
  rateScale: number;
  durationSeconds?: number;
  durationText: string | null;
  flows?: string[];
  seed: number;
}

export interface CompareOptions {
  a: string[];
  b: string[];
  alternate?: AlternateOptions;
  sloFiles: string[];
  out?: string;
  reportsDir?: string;
  force: boolean;
  failOnSlower: boolean;
}

const list = (value: string): string[] => value.split(',').map((p) => p.trim()).filter((p) => p !== '');
const ALTERNATE_ONLY = ['a-env', 'b-env', 'rounds', 'data-dir', 'rate-scale', 'duration', 'flows', 'seed'] as const;

function alternateOptions(profile: string, values: FlagValues<typeof FLAGS>): AlternateOptions {
  const envA = parseEnvAssignments(values['a-env'] ?? [], '--a-env');
  const envB = parseEnvAssignments(values['b-env'] ?? [], '--b-env');
  const rounds = values.rounds === undefined ? 2 : Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 20) throw usageError(`--rounds '${String(values.rounds)}' must be a whole number from 1 to 20`);
  const rateScale = values['rate-scale'] === undefined ? 1 : Number(values['rate-scale']);
  if (!Number.isFinite(rateScale) || rateScale <= 0) throw usageError(`--rate-scale '${String(values['rate-scale'])}' must be a positive number such as 0.5 or 2`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw usageError(`--seed '${String(values.seed)}' must be a whole number >= 0`);
  const options: AlternateOptions = { profile: checkName(profile, '--profile'), envA, envB, rounds, rateScale, seed, durationText: null };
  if (values.duration !== undefined) {
    const seconds = parseDuration(values.duration);
    if (seconds === null || seconds < 1 || seconds > 24 * 3600) throw usageError(`--duration '${values.duration}' is not a duration from 1 s to 24 h, such as 60s or 5m`);
    options.durationSeconds = seconds;
    options.durationText = values.duration;
  }
  if (values['data-dir'] !== undefined) options.dataDir = path.resolve(values['data-dir']);
  if (values.flows !== undefined) options.flows = list(values.flows);
  return options;
}

export function compareOptions(positionals: string[], values: FlagValues<typeof FLAGS>): CompareOptions {
  const common = { sloFiles: values.slo ?? [], force: values.force === true, failOnSlower: values['fail-on-slower'] === true, ...(values.out === undefined ? {} : { out: values.out }), ...(values['reports-dir'] === undefined ? {} : { reportsDir: values['reports-dir'] }) };
  const bundlesGiven = positionals.length > 0 || values.a !== undefined || values.b !== undefined;
  if (values.profile !== undefined) {
    if (bundlesGiven) throw usageError('give either bundles (A B, or --a/--b) or --profile with --a-env/--b-env, not both');
    return { ...common, a: [], b: [], alternate: alternateOptions(values.profile, values) };
  }
  const stray = ALTERNATE_ONLY.find((name) => values[name] !== undefined);
  if (stray !== undefined) throw usageError(`--${stray} applies only with --profile (two platform configurations run alternately)`);
  if (positionals.length > 0 && (values.a !== undefined || values.b !== undefined)) throw usageError('give the bundles either as A B or as --a/--b, not both');
  if (positionals.length === 1) throw usageError('compare needs two bundles: rampart compare A B (or --a DIR,DIR --b DIR,DIR, or --profile P with --a-env/--b-env)');
  const a = positionals.length === 2 ? [positionals[0]] : list(values.a ?? '');
  const b = positionals.length === 2 ? [positionals[1]] : list(values.b ?? '');
  if (a.length === 0 || b.length === 0) throw usageError(`what to compare? give two bundles (rampart compare A B), --a and --b, or --profile P with --a-env/--b-env; see 'rampart compare --help'`);
  return { ...common, a, b };
}
