// The dispatcher's table: one entry per `rampart` command, each a stage module loaded on demand that
// exports `main(argv): Promise<number>` (the exit code). Every command parses its flags with
// parseCommand (src/core/command.ts): `--help` exits 0, a bad flag exits 2 naming it.
import { EXIT, usageError } from '../core/errors.ts';

interface CommandModule {
  main(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  start: { summary: 'start the platform, run the smoke profile over every flow, print the summary', load: () => import('../run/start.ts') },
  run: { summary: 'run a load profile against the platform and write the run\'s bundle: rampart run <profile>', load: () => import('../run/command.ts') },
  coverage: { summary: 'compare the platform\'s OpenAPI operations with the scenarios\' endpoint keys', load: () => import('../coverage/command.ts') },
  report: { summary: 'write report.html, summary.md and junit.xml for a run bundle', load: () => import('../report/command.ts') },
  gate: { summary: 'judge a run against SLOs and a baseline: exit 1 on breach or regression', load: () => import('../gate/command.ts') },
  analyze: { summary: 'rank what limited a run (statements, CPU, pool, locks, queues, errors, the generator) with evidence and what to do', load: () => import('../analyze/command.ts') },
  capacity: { summary: 'find the knee: the highest steady arrival rate within the profile\'s SLOs: rampart capacity <profile>', load: () => import('../capacity/command.ts') },
  compare: { summary: 'two runs, sets of runs or platform configurations (run A B A B) side by side: rampart compare A B', load: () => import('../compare/command.ts') },
  observe: { summary: 'the live observability stack (Prometheus, Pushgateway, Alertmanager, exporters): up|down|status|generate', load: () => import('../observe/command.ts') },
};

/** The top-level usage: every command with its summary. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: rampart <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'rampart <command> --help' shows a command's options.\n`;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

function lookup(name: string): CommandEntry {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  const what = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
  throw usageError(`${what}; commands: ${Object.keys(COMMANDS).join(', ')} (see 'rampart --help')`);
}

/**
 * `rampart <command> [argv...]`. No command: the usage on stderr, exit 2. `--help`, `-h` or `help`:
 * the usage, exit 0; `help <command>` is `<command> --help`. Throws RampartError for bad input.
 */
export async function dispatch(argv: readonly string[], out: Output): Promise<number> {
  const name = argv.at(0);
  const rest = argv.slice(1);
  if (name === undefined) {
    out.stderr(usage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    out.stdout(usage());
    return EXIT.ok;
  }
  if (name === 'help') return (await lookup(rest[0]).load()).main(['--help']);
  return (await lookup(name).load()).main(rest);
}
