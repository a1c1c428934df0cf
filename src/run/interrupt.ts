// Ctrl-C during a run. Before Artillery starts it is remembered (the run stops before sending load);
// once Artillery runs it is passed on, so Artillery stops and still writes what it measured (a second
// Ctrl-C kills it, see artillery.ts).
export interface Interruptible {
  interrupt(): void;
}

export interface InterruptWatch {
  interrupted(): boolean;
  /** pass every further Ctrl-C on to the child (at once if one already came) */
  forwardTo(child: Interruptible): void;
  stop(): void;
}

export function watchInterrupts(say: (line: string) => void): InterruptWatch {
  let interrupted = false;
  let child: Interruptible | null = null;
  let announced = false;
  const onSigint = (): void => {
    interrupted = true;
    if (child === null) return;
    if (!announced) say('interrupted: stopping Artillery and keeping what it measured (Ctrl-C again to kill it)');
    announced = true;
    child.interrupt();
  };
  process.on('SIGINT', onSigint);
  return {
    interrupted: () => interrupted,
    forwardTo(next): void {
      child = next;
      if (interrupted) next.interrupt();
    },
    stop(): void {
      process.removeListener('SIGINT', onSigint);
    },
  };
}
