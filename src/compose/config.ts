// Rampart's configuration file, rampart.config.yml at the repository root: which hosts beyond
// loopback may receive load, and the arrival-rate guard. Validated on load; bad values exit 2.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../core/errors.ts';
import { isRecord, readYamlFile } from './yaml.ts';

export const CONFIG_FILE = 'rampart.config.yml';

export interface RampartConfig {
  /** the file it came from (for error messages), or null for the built-in defaults */
  file: string | null;
  /** hosts (names or IP addresses, no port) that may receive load besides loopback */
  allowedHosts: string[];
  /** highest arrivals per second any phase may ask for after scaling */
  maxArrivalRate: number;
}

export const DEFAULT_CONFIG: RampartConfig = { file: null, allowedHosts: [], maxArrivalRate: 2000 };

/** Validate a parsed configuration document. */
export function parseConfig(doc: unknown, label: string): RampartConfig {
  if (doc === null || doc === undefined) return { ...DEFAULT_CONFIG, file: label };
  if (!isRecord(doc)) throw usageError(`${label}: must be a mapping with 'targets' and 'limits'`);
  const targets = doc.targets ?? {};
  const limits = doc.limits ?? {};
  if (!isRecord(targets)) throw usageError(`${label}: 'targets' must be a mapping`);
  if (!isRecord(limits)) throw usageError(`${label}: 'limits' must be a mapping`);
  const allow = targets.allow ?? [];
  if (!Array.isArray(allow) || !allow.every((h): h is string => typeof h === 'string' && h.trim() !== '' && !h.includes('/'))) {
    throw usageError(`${label}: targets.allow must be a list of host names or IP addresses (no scheme, no path)`);
  }
  const max = limits.maxArrivalRate ?? DEFAULT_CONFIG.maxArrivalRate;
  if (typeof max !== 'number' || !Number.isFinite(max) || max <= 0) {
    throw usageError(`${label}: limits.maxArrivalRate must be a positive number`);
  }
  return { file: label, allowedHosts: allow.map((h) => h.trim().toLowerCase()), maxArrivalRate: max };
}

/** Load `<root>/rampart.config.yml` (or the file named by RAMPART_CONFIG); defaults when absent. */
export async function loadConfig(root: string, explicit: string | undefined = process.env.RAMPART_CONFIG): Promise<RampartConfig> {
  const file = explicit !== undefined && explicit !== '' ? path.resolve(root, explicit) : path.join(root, CONFIG_FILE);
  try {
    await access(file);
  } catch {
    if (explicit !== undefined && explicit !== '') throw usageError(`configuration file ${explicit} (RAMPART_CONFIG) does not exist`);
    return DEFAULT_CONFIG;
  }
  return parseConfig(await readYamlFile(file, root), path.relative(root, file) || file);
}
