// `rampart run` and `rampart start` arguments: the flags (parsed by src/core/command.ts parseCommand) and
// their validation into RunOptions (pure). Bad arguments exit 2 with one line.
import { usageError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import { parseCommand, type CommandSpec, type FlagSpec, type FlagValues } from '../core/command.ts';
import type { Phase } from '../compose/types.ts';

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
  /** run on AWS Fargate through Artillery's run-fargate (src/run/fargate.ts) instead of locally */
  fargate?: { region: string; count: number };
  /** publish to the stack `rampart observe up` started (src/observe) */
  observe?: boolean;
  /** exit 3 when the published final figures did not arrive */
  requireMetrics?: boolean;
  /** delete the run's Pushgateway groups after the arrival check */
  deleteMetrics?: boolean;
  /** serve the live page on 127.0.0.1 while the run goes */
  dashboard?: boolean;
  /** phases replacing the profile's (rampart capacity's steady steps); the profile's mix, config and SLOs stay */
  phases?: Phase[];
}

const RUN_FLAGS = {
  flows: { type: 'string', value: 'a,b', description: 'run these flows (comma-separated) instead of the profile\'s mix' },
  target: { type: 'string', value: 'URL', description: 'send load to a running platform (loopback or allowlisted) instead of starting one' },
  duration: { type: 'string', value: '90s|5m|1h', description: 'stretch or shrink the profile\'s phases to this total duration' },
  'rate-scale': { type: 'string', value: 'N', description: 'multiply every arrival rate, e.g. 0.5 or 2 (default 1)' },
  seed: { type: 'string', value: 'N', description: 'seed of the generated data, a whole number >= 0 (default 1)' },
  'reports-dir': { type: 'string', value: 'DIR', description: 'folder that receives the run\'s bundle folder (default reports/)' },
  'data-dir': { type: 'string', value: 'DIR', description: 'keep the started platform\'s database in this folder (default: a temp folder)' },
  'no-report': { type: 'boolean', description: 'skip report.html, summary.md and junit.xml' },
  fargate: { type: 'boolean', description: 'run on AWS Fargate through artillery run-fargate (needs --region and --target; docs/distributed.md)' },
  region: { type: 'string', value: 'R', description: 'with --fargate: the AWS region to run in, e.g. eu-west-1' },
  count: { type: 'string', value: 'N', description: 'with --fargate: load generators, each running the whole profile (default 1)' },
  observe: { type: 'boolean', description: 'publish live metrics to the stack \'rampart observe up\' started (docs/observability.md)' },
  'require-metrics': { type: 'boolean', description: 'exit 3 when the published final figures did not reach the Pushgateway (and Prometheus)' },
  'delete-metrics': { type: 'boolean', description: 'delete the run\'s groups from the Pushgateway after checking them' },
  dashboard: { type: 'boolean', description: 'serve a live page of the run on 127.0.0.1 (its URL is printed), then link the report' },
} as const satisfies Record<string, FlagSpec>;

type RunFlags = FlagValues<typeof RUN_FLAGS>;

// Positional counts are checked by runOptions (its own messages), so parseCommand takes any number.
const ANY_POSITIONALS = { min: 0, max: Number.POSITIVE_INFINITY };

export const RUN_COMMAND: CommandSpec<typeof RUN_FLAGS> = {
  name: 'run',
  arguments: '<profile>',
  summary: 'Compose one Artillery script from a load profile (phases/<profile>.yml) and its flows, run it against\n' +
    'a running platform (--target) or one started for the run, and write the run\'s bundle and report.\n' +
    'Exit 0 ok; 1 a threshold or expectation failed; 2 bad input; 3 the run cannot be trusted.',
  flags: RUN_FLAGS,
  positionals: ANY_POSITIONALS,
};

export const START_COMMAND: CommandSpec<typeof RUN_FLAGS> = {
  name: 'start',
  arguments: '',
  summary: 'npm start: start the reference platform on its embedded database, run the smoke profile over every\n' +
    'flow, print the summary and the bundle\'s path, stop the platform. Takes the options of \'rampart run\'.',
  flags: RUN_FLAGS,
  positionals: ANY_POSITIONALS,
};

const USAGE = `usage: rampart run <profile> [options] (see 'rampart run --help')`;

/** The longest --duration: 24 h, the longest soak whose report and gate are measured (npm run bench:soak). */
const MAX_RUN_SECONDS = 24 * 3600;

/** RunOptions from the parsed flags and the positional arguments (the profile). */
export function runOptions(positionals: string[], values: RunFlags): RunOptions {
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? `which profile? ${USAGE}` : `one profile only, got ${positionals.join(' ')}`);
  const options: RunOptions = { profile: positionals[0], rateScale: 1, seed: 1, durationText: null, report: values['no-report'] !== true };
  if (values.flows !== undefined) options.flows = values.flows.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (values.target !== undefined) options.target = values.target;
  const duration = values.duration;
  if (duration !== undefined) {
    const seconds = parseDuration(duration);
    if (seconds === null || seconds < 1) throw usageError(`--duration '${duration}' is not a duration such as 90, 90s, 5m or 1h`);
    if (seconds > MAX_RUN_SECONDS) throw usageError(`--duration '${duration}' is longer than ${MAX_RUN_SECONDS / 3600} h, the longest run rampart takes (docs/profiles.md); give a shorter one such as 8h`);
    options.durationSeconds = seconds;
    options.durationText = duration;
  }
  const scale = values['rate-scale'];
  if (scale !== undefined) {
    const n = Number(scale);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--rate-scale '${scale}' must be a positive number such as 0.5 or 2`);
    options.rateScale = n;
  }
  const seed = values.seed;
  if (seed !== undefined) {
    const n = Number(seed);
    if (!Number.isSafeInteger(n) || n < 0) throw usageError(`--seed '${seed}' must be a whole number >= 0`);
    options.seed = n;
  }
  if (values['reports-dir'] !== undefined) options.reportsDir = values['reports-dir'];
  if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
  const fargate = fargateOptions(values);
  if (fargate !== undefined) options.fargate = fargate;
  if (values.observe === true) options.observe = true;
  if (values['require-metrics'] === true) options.requireMetrics = true;
  if (values['delete-metrics'] === true) options.deleteMetrics = true;
  if (values.dashboard === true) options.dashboard = true;
  return options;
}

/** --fargate --region R --count N, checked together; undefined without --fargate. */
function fargateOptions(values: RunFlags): RunOptions['fargate'] {
  if (values.fargate !== true) {
    const stray = values.region !== undefined ? '--region' : values.count !== undefined ? '--count' : null;
    if (stray !== null) throw usageError(`${stray} applies only with --fargate`);
    return undefined;
  }
  if (values.region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) {
    throw usageError(`--fargate needs --region with an AWS region such as eu-west-1${values.region === undefined ? '' : `, got '${values.region}'`}`);
  }
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isSafeInteger(count) || count < 1) throw usageError(`--count '${String(values.count)}' must be a whole number of load generators >= 1`);
  return { region: values.region, count };
}

/** `rampart run` arguments -> RunOptions, for callers that build a run from argv (--help is a usage error here). */
export function parseRunArgs(argv: string[]): RunOptions {
  const parsed = parseCommand(RUN_COMMAND, argv);
  if (parsed.help) throw usageError(`--help asks for the usage text; see 'rampart run --help'`);
  return runOptions(parsed.positionals, parsed.values);
}
