// Where things are. The installation (node_modules, platform/, package.json, ci/) is this
// repository; the suite (phases/, scenarios/, processors/, rampart.config.yml, reports/) is the
// repository too, unless RAMPART_SUITE_DIR names another folder (a team's own suite kept elsewhere,
// or a test's temporary copy).
import path from 'node:path';
import { usageError } from './errors.ts';

/** The repository: two folders above this file. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export const DEFAULT_SLO_DIR = path.join(REPO_ROOT, 'ci', 'slo');
export const DEFAULT_BASELINE_DIR = path.join(REPO_ROOT, 'ci', 'baselines');

export function suiteDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.RAMPART_SUITE_DIR;
  return dir !== undefined && dir !== '' ? path.resolve(dir) : REPO_ROOT;
}

/**
 * Names that become parts of paths (profiles, flows, run ids: phases/<profile>.yml,
 * ci/baselines/<profile>.json, reports/<run-id>/): letters, digits, '.', '_' and '-', starting with
 * a letter or digit, at most 100 characters. No '/', '\', '..' or NUL can reach a path through one.
 */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const isSafeName = (value: unknown): value is string => typeof value === 'string' && SAFE_NAME.test(value) && !value.includes('..');

/**
 * The one check for a name taken from input before it becomes part of a path: returns it, or throws
 * a one-line usage error (exit 2) saying where it came from, e.g. checkName(profile, "run.json's profile", file).
 */
export function checkName(value: unknown, what: string, source?: string): string {
  if (isSafeName(value)) return value;
  const shown = typeof value === 'string' ? `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'` : value === undefined ? 'nothing' : JSON.stringify(value);
  throw usageError(`${source === undefined ? '' : `${source}: `}${what} ${shown} cannot name a file: use letters, digits, '.', '_' and '-' (no '/' or '..'), starting with a letter or digit`);
}
