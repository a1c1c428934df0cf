#!/usr/bin/env node
// The `rampart` command: dispatches to one module per stage (src/cli/commands.ts). Errors of type
// RampartError become one line on stderr ("rampart: ...", or "rampart <command>: ..." when the
// command named itself) and their exit code; anything else is an internal error (exit 70) with its
// stack.
import { RampartError } from '../core/errors.ts';
import { dispatch } from './commands.ts';

const INTERNAL_ERROR = 70;

try {
  process.exitCode = await dispatch(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  if (error instanceof RampartError) {
    process.stderr.write(`${error.message.startsWith('rampart ') ? '' : 'rampart: '}${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`rampart: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = INTERNAL_ERROR;
  }
}
