// The bundle's files on disk: their names and the one way they are written (atomically, so a
// reader sees the old file or the complete new one, never half of it).
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BUNDLE_FILES } from './types.ts';
import { usageError } from '../errors.ts';

export type BundleFileName = keyof typeof BUNDLE_FILES;

/** The path of one of the bundle's files, e.g. bundleFile(dir, 'histograms'). */
export function bundleFile(dir: string, name: BundleFileName): string {
  return join(dir, BUNDLE_FILES[name]);
}

/**
 * Writes text so that readers see either the old file or the complete new one, never a half-written
 * file: a temp file in the same folder, flushed, then renamed over the target.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** JSON with two-space indentation and a final newline, written atomically (see writeFileAtomic). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Refuses (exit 2) a path that exists but is not a regular file (a folder named gate.json), so a
 * command can check every file it will replace before it writes the first one.
 */
export async function checkReplaceable(path: string, action: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return; // absent (the write creates it and reports its own failure)
  }
  if (!info.isFile()) throw usageError(`${path}: cannot ${action}: it is ${info.isDirectory() ? 'a folder' : 'not a regular file'}; remove it and run again`);
}

/** Whether something exists at the path (a file or a folder); false when it cannot be looked at. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
