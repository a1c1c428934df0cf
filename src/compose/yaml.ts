// Reading YAML input files (profiles, scenarios, the configuration) with one-line errors.
// Input: a path. Output: the parsed document, or a RampartError (exit 2) naming file:line.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { usageError } from '../core/errors.ts';

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
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** Read and parse a YAML file; missing files are a one-line error too. */
export async function readYamlFile(file: string, root: string = process.cwd()): Promise<unknown> {
  const label = path.relative(root, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`${label}: cannot read (${code ?? 'error'})`);
  }
  return parseYaml(text, label);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
