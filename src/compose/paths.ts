// The processors a composed script uses: the suite's own, or the repository's when it has none.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../core/paths.ts';

export function processorsDir(suite: string): string {
  const own = path.join(suite, 'processors');
  return existsSync(path.join(own, 'index.ts')) ? own : path.join(REPO_ROOT, 'processors');
}
