// Readers of Linux's /proc for the sampler: a process tree's CPU time, resident memory and disk I/O
// (/proc/<pid>/stat, /proc/<pid>/io), the machine's CPU (/proc/stat) and network bytes
// (/proc/net/dev). The parsers are pure; the readers return null when a file cannot be read (the
// process is gone, /proc is absent), never throw.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Counters of one process (or the sum over a tree); CPU in seconds, memory and I/O in bytes. */
export interface ProcessCounters {
  userSeconds: number;
  systemSeconds: number;
  rssBytes: number;
  /** bytes read from / written to storage; null when /proc/<pid>/io is not readable */
  diskReadBytes: number | null;
  diskWriteBytes: number | null;
}

function sysconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isInteger(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let units: { ticks: number; page: number } | undefined;
/** Clock ticks per second and the page size, asked once (100 and 4096 on almost every Linux). */
const procUnits = (): { ticks: number; page: number } => (units ??= { ticks: sysconf('CLK_TCK', 100), page: sysconf('PAGESIZE', 4096) });

export interface StatLine {
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
  /** CPU of its children that exited and were waited for (a PostgreSQL backend that ended) */
  cutimeTicks: number;
  cstimeTicks: number;
  rssPages: number;
}

/** /proc/<pid>/stat: the command name is in parentheses and may hold spaces, so fields count from its closing ')'. */
export function parseStat(text: string): StatLine | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).trim().split(/\s+/); // fields[0] is field 3 (state)
  const at = (field: number): number => Number(fields[field - 3]);
  const line = { ppid: at(4), utimeTicks: at(14), stimeTicks: at(15), cutimeTicks: at(16), cstimeTicks: at(17), rssPages: at(24) };
  return Object.values(line).every(Number.isFinite) ? line : null;
}

/** /proc/<pid>/io: read_bytes and write_bytes (storage, not the page cache). */
export function parseIo(text: string): { read: number; write: number } | null {
  const read = /^read_bytes:\s*(\d+)/m.exec(text);
  const write = /^write_bytes:\s*(\d+)/m.exec(text);
  return read === null || write === null ? null : { read: Number(read[1]), write: Number(write[1]) };
}

/** /proc/stat's first line: busy and total jiffies of the whole machine. */
export function parseHostCpu(text: string): { busy: number; total: number } | null {
  const line = /^cpu\s+(.+)$/m.exec(text);
  if (line === null) return null;
  const v = line[1].trim().split(/\s+/).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  const idle = v[3] + (v[4] ?? 0); // idle + iowait
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
  return { busy: total - idle, total };
}

/** /proc/net/dev: bytes received and sent, summed over every interface (loopback included: load to 127.0.0.1 goes there). */
export function parseNetDev(text: string): { rx: number; tx: number } | null {
  let rx = 0;
  let tx = 0;
  let seen = false;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (v.length < 9 || !Number.isFinite(v[0]) || !Number.isFinite(v[8])) continue;
    rx += v[0];
    tx += v[8];
    seen = true;
  }
  return seen ? { rx, tx } : null;
}

// procfs files are generated in memory on read: synchronous reads of them cost microseconds, where
// the promise API's thread-pool round trips cost more CPU than the reads themselves.
function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The pids a process started that are alive now, from /proc/<pid>/task/<tid>/children (every thread's). */
function childrenOf(pid: number): number[] | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text === null) return null; // a kernel without CONFIG_PROC_CHILDREN
    for (const child of text.trim().split(/\s+/)) if (child !== '') out.push(Number(child));
  }
  return out;
}

/** Every live pid's parent, from one pass over /proc (the fallback when children files are missing). */
export function readParents(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const stat = parseStat(readText(`/proc/${e}/stat`) ?? '');
    if (stat !== null) out.set(Number(e), stat.ppid);
  }
  return out;
}

/** The pid and all its descendants in a parent map (pure; [] when the pid is not in it). */
export function treeFromParents(parents: ReadonlyMap<number, number>, pid: number): number[] {
  if (!parents.has(pid)) return [];
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), child]);
  const out: number[] = [];
  const stack = [pid];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

/** The pid and all its live descendants ([] when it is gone): children files, or one scan of /proc without them. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const children = childrenOf(next);
    if (children === null) {
      // the root gone, or a kernel without children files (then one full scan); a descendant that just ended is skipped
      if (next === pid) return readText(`/proc/${pid}/stat`) === null ? [] : treeFromParents(readParents(), pid);
      continue;
    }
    out.push(next);
    stack.push(...children);
  }
  return out;
}

/**
 * One process's counters; null when it is gone. With `exitedChildren`, the CPU of its children that
 * already ended is added, so a tree's total does not drop when a child exits.
 */
export function readProcess(pid: number, exitedChildren = false): ProcessCounters | null {
  const statText = readText(`/proc/${pid}/stat`);
  const stat = statText === null ? null : parseStat(statText);
  if (stat === null) return null;
  const { ticks, page } = procUnits();
  const ioText = readText(`/proc/${pid}/io`);
  const io = ioText === null ? null : parseIo(ioText);
  return {
    userSeconds: (stat.utimeTicks + (exitedChildren ? stat.cutimeTicks : 0)) / ticks,
    systemSeconds: (stat.stimeTicks + (exitedChildren ? stat.cstimeTicks : 0)) / ticks,
    rssBytes: stat.rssPages * page,
    diskReadBytes: io?.read ?? null,
    diskWriteBytes: io?.write ?? null,
  };
}

/**
 * The sum over a process tree (the pids still alive, exited children's CPU included); null when none
 * is alive. I/O is null when any process's was unreadable.
 */
export function readTree(pids: readonly number[]): ProcessCounters | null {
  const each = pids.map((pid) => readProcess(pid, true)).filter((c): c is ProcessCounters => c !== null);
  if (each.length === 0) return null;
  const sum = (pick: (c: ProcessCounters) => number): number => each.reduce((n, c) => n + pick(c), 0);
  const io = each.every((c) => c.diskReadBytes !== null && c.diskWriteBytes !== null);
  return {
    userSeconds: sum((c) => c.userSeconds),
    systemSeconds: sum((c) => c.systemSeconds),
    rssBytes: sum((c) => c.rssBytes),
    diskReadBytes: io ? sum((c) => c.diskReadBytes ?? 0) : null,
    diskWriteBytes: io ? sum((c) => c.diskWriteBytes ?? 0) : null,
  };
}

export function readHostCpu(): { busy: number; total: number } | null {
  const text = readText('/proc/stat');
  return text === null ? null : parseHostCpu(text);
}

export function readNetDev(): { rx: number; tx: number } | null {
  const text = readText('/proc/net/dev');
  return text === null ? null : parseNetDev(text);
}
