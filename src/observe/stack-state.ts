// The state of the stack `rampart observe up` started: its folder (.data/observe/, git-ignored, or
// RAMPART_OBSERVE_DIR), the pid of each process and the URLs it serves, in stack.json. A stack whose
// processes are all gone counts as not running.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../core/bundle/files.ts';

export const COMPONENTS = ['prometheus', 'pushgateway', 'alertmanager', 'nodeExporter', 'postgresExporter'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface StackState {
  schema: 'rampart.observe-stack/1';
  dir: string;
  startedAt: string;
  pids: Record<Component, number>;
  urls: Record<Component, string>;
}

/** The stack's folder: RAMPART_OBSERVE_DIR, or .data/observe/ under the repository. */
export const stackDir = (root: string, env: NodeJS.ProcessEnv = process.env): string =>
  env.RAMPART_OBSERVE_DIR !== undefined && env.RAMPART_OBSERVE_DIR !== '' ? path.resolve(env.RAMPART_OBSERVE_DIR) : path.join(root, '.data', 'observe');
const stateFile = (dir: string): string => path.join(dir, 'stack.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stack started in `dir` (default .data/observe/ under root), or null when none is running there. */
export async function readStackState(root: string, dir: string = stackDir(root)): Promise<StackState | null> {
  let parsed: Partial<StackState>;
  try {
    parsed = JSON.parse(await readFile(stateFile(dir), 'utf8')) as Partial<StackState>;
  } catch {
    return null;
  }
  if (parsed.schema !== 'rampart.observe-stack/1' || parsed.pids === undefined) return null;
  return Object.values(parsed.pids).some(isAlive) ? (parsed as StackState) : null;
}

export const writeStackState = (state: StackState): Promise<void> => writeJsonAtomic(stateFile(state.dir), state);
