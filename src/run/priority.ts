// The platform's scheduling priority when Rampart starts it on this machine (docs/measurement.md,
// "The generator is served first"). `nice` alone is not enough on Linux with autogroup scheduling
// (/proc/sys/kernel/sched_autogroup_enabled = 1, the default of many distributions): the scheduler
// first shares the cores fairly between sessions, and only then by niceness inside a session. The
// platform runs in a session of its own (it is started detached) and PostgreSQL calls setsid() in
// every server process, so each backend is a session too: niced or not, ten busy backends took ten
// shares of the cores to the generator's one. So while the platform runs, every process of its tree
// gets its session's autogroup niceness set as well (/proc/<pid>/autogroup), checked every 2 s for
// new backends. Without autogroup (or off Linux) there is nothing to do: nice already works.
import { readFileSync, writeFileSync } from 'node:fs';
import { processTree } from '../sample/index.ts';

const AUTOGROUP_SWITCH = '/proc/sys/kernel/sched_autogroup_enabled';

/** Whether the kernel shares CPU between sessions first (Linux autogroup on). */
export function autogroupEnabled(): boolean {
  try {
    return readFileSync(AUTOGROUP_SWITCH, 'utf8').trim() === '1';
  } catch {
    return false; // not Linux, or a kernel without autogroup
  }
}

/** The niceness of a process's autogroup, or null when it cannot be read. */
export function autogroupNice(pid: number): number | null {
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${String(pid)}/autogroup`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

export interface PriorityKeeper {
  /** Applies the niceness to processes of the tree not seen before; returns how many were set. */
  apply(): number;
  stop(): void;
}

/**
 * Keeps the autogroups of `pid`'s process tree at `nice` until stop(): once now, then every
 * `intervalMs`. A process that is gone or not ours is skipped; nothing here can fail a run.
 */
export function keepAutogroupsNiced(pid: number, nice: number, intervalMs = 2000): PriorityKeeper {
  const seen = new Set<number>();
  const apply = (): number => {
    let set = 0;
    const tree = processTree(pid);
    for (const p of tree) {
      if (seen.has(p)) continue;
      seen.add(p);
      try {
        writeFileSync(`/proc/${String(p)}/autogroup`, String(nice));
        set += 1;
      } catch {
        // exited meanwhile, or not permitted: the process keeps its niceness at least
      }
    }
    const live = new Set(tree);
    for (const p of seen) if (!live.has(p)) seen.delete(p);
    return set;
  };
  if (nice <= 0 || !autogroupEnabled()) return { apply: () => 0, stop: () => undefined };
  apply();
  const timer = setInterval(apply, intervalMs);
  timer.unref();
  return { apply, stop: () => { clearInterval(timer); } };
}
