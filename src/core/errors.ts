// Exit codes shared by every `rampart` command (docs/architecture.md, "Exit codes"), and the one way
// a file-system failure becomes an error the user can act on.
export const EXIT = {
  ok: 0,
  checkFailed: 1, // an SLO was breached or a regression was found
  usage: 2, // bad arguments or bad input files
  untrustworthy: 3, // the run itself cannot be trusted (generator saturated, target unreachable)
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI prints as one line and turns into an exit code; nothing else is printed. */
export class RampartError extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'RampartError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string): RampartError => new RampartError(EXIT.usage, message);
export const untrustworthy = (message: string): RampartError => new RampartError(EXIT.untrustworthy, message);

/** What each file-system error code means to the user, and what to do about it. */
const FS_CODES: Readonly<Record<string, { what: string; todo: string }>> = {
  ENOENT: { what: 'no such file or folder', todo: 'check the path' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', todo: 'give a path whose parents are folders' },
  EISDIR: { what: 'is a folder, expected a file', todo: 'give a file\'s path, or remove the folder' },
  EEXIST: { what: 'already exists', todo: 'remove it or give another path' },
  EACCES: { what: 'permission denied', todo: 'check the permissions of the file and its folder' },
  EPERM: { what: 'operation not permitted', todo: 'check the permissions of the file and its folder' },
  EROFS: { what: 'read-only file system', todo: 'give a path on a writable file system' },
  ENOSPC: { what: 'no space left on the device', todo: 'free some space and run again' },
  EDQUOT: { what: 'disk quota exceeded', todo: 'free some space and run again' },
  ENAMETOOLONG: { what: 'the path is too long', todo: 'give a shorter path' },
  ELOOP: { what: 'too many symbolic links', todo: 'check the path for a link that points to itself' },
  EMFILE: { what: 'too many open files', todo: 'raise the open-file limit (ulimit -n) and run again' },
  ENOTEMPTY: { what: 'the folder is not empty', todo: 'remove its contents or give another path' },
  EBUSY: { what: 'the file is busy', todo: 'close what uses it and run again' },
  EIO: { what: 'input/output error', todo: 'check the disk' },
};

/** The code of a Node.js system error (ENOENT, EACCES...), or undefined for anything else. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  const syscall = (error as { syscall?: unknown }).syscall;
  return typeof code === 'string' && typeof syscall === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * A file-system failure as one line (exit 2): `<path>: cannot <action>: <what> (<CODE>); <what to do>`.
 * `action` says what was being done, e.g. 'write the baseline', 'create the reports folder (--reports-dir)';
 * `path` is the file the user knows (not a temp file or a parent folder Node may name instead).
 */
export function fileError(error: unknown, path: string, action: string): RampartError {
  if (error instanceof RampartError) return error;
  const code = systemErrorCode(error) ?? 'EIO';
  const known = FS_CODES[code] ?? { what: 'the file system refused', todo: 'check the path and its permissions' };
  return usageError(`${path}: cannot ${action}: ${known.what} (${code}); ${known.todo}`);
}

/** Runs a file-system operation; any system error becomes fileError(error, path, action). */
export async function onFile<T>(path: string, action: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (systemErrorCode(error) === undefined) throw error;
    throw fileError(error, path, action);
  }
}
