// Where a run publishes its live metrics: the `observe:` section of rampart.config.yml, overridden by
// the environment (RAMPART_PUSHGATEWAY, RAMPART_PROMETHEUS). Off by default: with no Pushgateway
// configured a run publishes nothing and needs nothing running. Validated on load; bad values exit 2.
import path from 'node:path';
import { usageError } from '../core/errors.ts';
import { fileExists } from '../core/bundle/files.ts';
import { isRecord, readYamlFile } from '../compose/yaml.ts';
import { CONFIG_FILE } from '../compose/config.ts';

export interface ObserveSettings {
  /** base URL of the Pushgateway the run publishes to, or null (publish nothing) */
  pushgateway: string | null;
  /** base URL of a Prometheus that scrapes that Pushgateway: the arrival check also asks it */
  prometheus: string | null;
  /** delete the run's group from the Pushgateway after the arrival check */
  deleteGroup: boolean;
}

/** An http(s) base URL without a trailing slash; anything else is a usage error naming the setting. */
export function baseUrl(value: unknown, setting: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw usageError(`${setting} must be a URL such as http://127.0.0.1:9091`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${setting} '${value}' is not a URL such as http://127.0.0.1:9091`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${setting} '${value}' must be an http:// or https:// URL`);
  return url.href.replace(/\/+$/, '');
}

/** The `observe:` section of a parsed configuration document (pure). */
export function parseObserve(doc: unknown, label: string, env: NodeJS.ProcessEnv = {}): ObserveSettings {
  const section = isRecord(doc) ? (doc.observe ?? {}) : {};
  if (!isRecord(section)) throw usageError(`${label}: 'observe' must be a mapping (pushgateway, prometheus, deleteGroup)`);
  const deleteGroup = section.deleteGroup ?? false;
  if (typeof deleteGroup !== 'boolean') throw usageError(`${label}: observe.deleteGroup must be true or false`);
  const fromEnv = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    pushgateway: baseUrl(fromEnv('RAMPART_PUSHGATEWAY') ?? section.pushgateway, fromEnv('RAMPART_PUSHGATEWAY') === undefined ? `${label}: observe.pushgateway` : 'RAMPART_PUSHGATEWAY'),
    prometheus: baseUrl(fromEnv('RAMPART_PROMETHEUS') ?? section.prometheus, fromEnv('RAMPART_PROMETHEUS') === undefined ? `${label}: observe.prometheus` : 'RAMPART_PROMETHEUS'),
    deleteGroup,
  };
}

/** The settings from `<suite>/rampart.config.yml` (or RAMPART_CONFIG) and the environment. */
export async function loadObserveSettings(suite: string, env: NodeJS.ProcessEnv = process.env): Promise<ObserveSettings> {
  const explicit = env.RAMPART_CONFIG;
  const file = explicit !== undefined && explicit !== '' ? path.resolve(suite, explicit) : path.join(suite, CONFIG_FILE);
  const doc = (await fileExists(file)) ? await readYamlFile(file, suite) : null;
  return parseObserve(doc, path.relative(suite, file) || file, env);
}
