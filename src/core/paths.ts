// Where things are. The installation (node_modules, platform/, package.json, ci/) is this
// repository; the suite (phases/, scenarios/, processors/, rampart.config.yml, reports/) is the
// repository too, unless RAMPART_SUITE_DIR names another folder (a team's own suite kept elsewhere,
// or a test's temporary copy).
import path from 'node:path';

/** The repository: two folders above this file. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export const DEFAULT_SLO_DIR = path.join(REPO_ROOT, 'ci', 'slo');
export const DEFAULT_BASELINE_DIR = path.join(REPO_ROOT, 'ci', 'baselines');

export function suiteDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.RAMPART_SUITE_DIR;
  return dir !== undefined && dir !== '' ? path.resolve(dir) : REPO_ROOT;
}
