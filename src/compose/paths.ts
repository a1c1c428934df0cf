// Where things are. The installation (node_modules, target/, package.json) is this repository; the
// suite (phases/, scenarios/, processors/, rampart.config.yml, reports/) is the repository too, unless
// RAMPART_SUITE_DIR names another folder (a team's own suite kept elsewhere, or a test's temp copy).
import { existsSync } from 'node:fs';
import path from 'node:path';

export const INSTALL_DIR = path.resolve(import.meta.dirname, '..', '..');

export function suiteDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.RAMPART_SUITE_DIR;
  return dir !== undefined && dir !== '' ? path.resolve(dir) : INSTALL_DIR;
}

/** The processors folder of a suite, or the repository's when the suite has none. */
export function processorsDir(suite: string): string {
  const own = path.join(suite, 'processors');
  return existsSync(path.join(own, 'index.ts')) ? own : path.join(INSTALL_DIR, 'processors');
}
