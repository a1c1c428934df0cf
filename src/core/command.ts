// The shape every `rampart` command shares: flags parsed by node:util parseArgs (strict), `--help`
// that prints the usage and exits 0, and bad flags that exit 2 with one line naming the flag and
// the command's known flags. Pure: returns text and values, prints nothing.
import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** may be given more than once (the value is then an array) */
  multiple?: boolean;
  short?: string;
  /** placeholder in the help text, e.g. 'URL' */
  value?: string;
  description: string;
}

export interface CommandSpec<F extends Record<string, FlagSpec>> {
  /** the command's name after `rampart`, e.g. 'gate' */
  name: string;
  /** what follows the name in the usage line, e.g. '<bundle> [<bundle>...]' */
  arguments: string;
  summary: string;
  flags: F;
  /** how many positional arguments the command takes */
  positionals: { min: number; max: number };
}

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true ? boolean[] : boolean
  : S['multiple'] extends true ? string[] : string;

export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]?: FlagValue<F[K]> };

export type Parsed<F extends Record<string, FlagSpec>> =
  | { help: true; text: string }
  | { help: false; values: FlagValues<F>; positionals: string[] };

const flagName = (name: string, spec: FlagSpec): string =>
  `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}${spec.short === undefined ? '' : `, -${spec.short}`}`;

/** The command's help text: usage line, summary, and one line per flag. */
export function helpText<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => [flagName(name, flag), flag.description + (flag.multiple === true ? ' (repeatable)' : '')]);
  rows.push(['--help, -h', 'print this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  return `usage: rampart ${spec.name}${spec.arguments === '' ? '' : ` ${spec.arguments}`} [options]\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n`;
}

const knownFlags = (spec: CommandSpec<Record<string, FlagSpec>>): string =>
  [...Object.keys(spec.flags), 'help'].map((name) => `--${name}`).join(', ');

/**
 * Parses argv against the command's flags. Throws a usage error (exit 2) that names the bad flag
 * and the known ones; `--help` anywhere returns the help text instead of values.
 */
export function parseCommand<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>, argv: readonly string[]): Parsed<F> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, text: helpText(spec) };
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type, ...(flag.multiple === true ? { multiple: true } : {}), ...(flag.short === undefined ? {} : { short: flag.short }) };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinNegativeValues(spec, argv), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(`rampart ${spec.name}: ${describeParseError(error, argv)}; known options: ${knownFlags(spec)} (see 'rampart ${spec.name} --help')`);
  }
  const { positionals } = parsed;
  if (positionals.length < spec.positionals.min) {
    throw usageError(`rampart ${spec.name}: missing ${spec.arguments}; usage: rampart ${spec.name} ${spec.arguments} (see 'rampart ${spec.name} --help')`);
  }
  if (positionals.length > spec.positionals.max) {
    const extra = positionals[spec.positionals.max];
    throw usageError(`rampart ${spec.name}: unexpected argument '${extra}'; usage: rampart ${spec.name}${spec.arguments === '' ? '' : ` ${spec.arguments}`} (see 'rampart ${spec.name} --help')`);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = parsed.values[name];
    const values = Array.isArray(value) ? value : [value];
    if (flag.type === 'string' && values.some((v) => v === '')) throw usageError(`rampart ${spec.name}: --${name} needs a value, got an empty one`);
  }
  return { help: false, values: parsed.values as FlagValues<F>, positionals };
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * parseArgs (strict) refuses a value that starts with a dash, so `--rate-scale -1` would read as a
 * missing value; a negative number after a string flag is its value (the command then judges it).
 */
function joinNegativeValues(spec: CommandSpec<Record<string, FlagSpec>>, argv: readonly string[]): string[] {
  const stringFlags = new Set<string>();
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.type !== 'string') continue;
    stringFlags.add(`--${name}`);
    if (flag.short !== undefined) stringFlags.add(`-${flag.short}`);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...args, ...argv.slice(i)];
    const next = argv.at(i + 1);
    if (stringFlags.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return args;
}

function describeParseError(error: unknown, argv: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${flag}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('argument missing') || message.includes('ambiguous') ? `${flag} needs a value` : `${flag} takes no value`;
    default:
      return message.split('\n')[0];
  }
}
