// Exit codes shared by every `rampart` command (docs/architecture.md, "Exit codes").
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
