// Reading YAML input files (profiles, scenarios, the configuration) with one-line errors.
// Input: a path. Output: the parsed document, or a RampartError (exit 2) naming file:line.
// Guarded against resource exhaustion: files over MAX_YAML_BYTES are refused unread, and aliases
// (`*name`) may expand to at most MAX_ALIAS_COUNT copies (an alias bomb is refused, not expanded).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { onFile, usageError } from '../core/errors.ts';

/** The largest profile, flow or configuration file read (the suite's largest is a few kB). */
export const MAX_YAML_BYTES = 1024 * 1024;
/** How many times aliases may be expanded in one document (yaml's maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;

/** Parse YAML text; a syntax error becomes one line "<file>:<line>:<col>: <what>". */
export function parseYaml(text: string, fileLabel: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  const first = doc.errors.at(0);
  if (first !== undefined) {
    const at = first.linePos?.[0];
    const where = at === undefined ? fileLabel : `${fileLabel}:${at.line}:${at.col}`;
    const what = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
    throw usageError(`${where}: YAML error: ${what}; fix the file and run again`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (or one names no anchor)
    const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usageError(`${fileLabel}: YAML error: ${what} (aliases may expand to at most ${MAX_ALIAS_COUNT} copies); write the values out or use fewer aliases`);
  }
  const at = protoKeyAt(value, '');
  if (at !== null) throw usageError(`${fileLabel}: the key '__proto__' (at ${at || 'the top level'}) cannot be a name; rename it`);
  return value;
}

/**
 * Where a mapping has the key '__proto__', or null. Merged into another object later (variables,
 * plugins), such a key would replace that object's prototype instead of adding an entry.
 */
function protoKeyAt(value: unknown, at: string): string | null {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = protoKeyAt(item, `${at}/${i}`);
      if (found !== null) return found;
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '__proto__') return at === '' ? '/' : at;
      const found = protoKeyAt(item, `${at}/${key}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Read and parse a YAML file; missing, unreadable and oversized files are a one-line error too. */
export async function readYamlFile(file: string, root: string = process.cwd()): Promise<unknown> {
  const label = path.relative(root, file) || file;
  const text = await onFile(label, 'read the YAML file', async () => {
    const info = await stat(file);
    if (info.isFile() && info.size > MAX_YAML_BYTES) {
      throw usageError(`${label}: ${info.size} bytes, larger than the ${MAX_YAML_BYTES} bytes a profile, flow or configuration file may have; check the file`);
    }
    return readFile(file, 'utf8');
  });
  return parseYaml(text, label);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
