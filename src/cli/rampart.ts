#!/usr/bin/env node
// The `rampart` command: dispatches to one module per stage. Each stage module exports
// `main(argv: string[]): Promise<number>` (the exit code) and prints only through its own output.
// Errors of type RampartError become one line on stderr and their exit code.
import { RampartError, EXIT } from '../core/errors.ts';

type CommandModule = { main(argv: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  start: { summary: 'start the platform, run the smoke profile over every flow, print the summary', load: () => import('../run/start.ts') },
  run: { summary: 'run a load profile: rampart run <profile> [--flows a,b] [--target URL] ...', load: () => import('../run/command.ts') },
  coverage: { summary: 'compare the platform\'s OpenAPI operations with the scenarios\' endpoint keys', load: () => import('../coverage/command.ts') },
  report: { summary: 'write report.html, summary.md and junit.xml for a run bundle', load: () => import('../report/command.ts') },
  gate: { summary: 'judge a run against SLOs and a baseline: exit 1 on breach or regression', load: () => import('../gate/command.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: rampart <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    throw new RampartError(EXIT.usage, `unknown command '${name}'; run 'rampart --help' for the list`);
  }
  const module = await command.load();
  return module.main(rest);
}

try {
  process.exitCode = await dispatch(process.argv.slice(2));
} catch (error) {
  if (error instanceof RampartError) {
    process.stderr.write(`rampart: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`rampart: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  }
}
