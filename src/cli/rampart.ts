#!/usr/bin/env node
// The `rampart` command: dispatches to one module per stage (src/cli/commands.ts). Errors of type
// RampartError become one line on stderr ("rampart: ...", or "rampart <command>: ..." when the
// command named itself) and their exit code. A file-system error that no stage turned into a
// RampartError still becomes one line naming the file (exit 2, src/core/errors.ts fileError);
// anything else is an internal error (exit 70) with its stack.
import { fileError, RampartError, systemErrorCode } from '../core/errors.ts';
import { dispatch } from './commands.ts';

const INTERNAL_ERROR = 70;

/** What a failed system call was doing, in the words of fileError's "cannot <action>". */
const SYSCALL_ACTIONS: Readonly<Record<string, string>> = {
  open: 'open the file', read: 'read the file', write: 'write the file', mkdir: 'create the folder', rmdir: 'remove the folder',
  rename: 'replace the file', unlink: 'remove the file', scandir: 'list the folder', stat: 'look at the path', lstat: 'look at the path',
  copyfile: 'copy the file', cp: 'copy the folder', symlink: 'create the link', access: 'look at the path', fsync: 'write the file',
};

function asRampartError(error: unknown): RampartError | null {
  if (error instanceof RampartError) return error;
  const code = systemErrorCode(error);
  const { path, syscall } = error as { path?: unknown; syscall?: unknown };
  if (code === undefined || typeof path !== 'string') return null;
  return fileError(error, path, typeof syscall === 'string' ? (SYSCALL_ACTIONS[syscall] ?? syscall) : 'use the file');
}

/** One line whatever the message holds: line breaks and other control characters are shown escaped. */
const oneLine = (message: string): string =>
  message.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));

// A reader that goes away (`rampart gate x | head -1`) is not an error of the command: its output is
// dropped and the command still finishes with its own exit code, instead of dying with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

try {
  process.exitCode = await dispatch(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  const known = asRampartError(error);
  if (known !== null) {
    process.stderr.write(`${known.message.startsWith('rampart ') ? '' : 'rampart: '}${oneLine(known.message)}\n`);
    process.exitCode = known.exitCode;
  } else {
    process.stderr.write(`rampart: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = INTERNAL_ERROR;
  }
}
