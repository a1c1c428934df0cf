// Environment assignments for a platform configuration given on the command line (capacity and compare)
// (`--a-env OPTIMIZATIONS=none`, capacity's `--platform-env`): NAME=value, NAME a valid environment
// identifier. The values of names that look like secrets are never printed or written: shown and
// stored as '<redacted>'.
import { usageError } from '../core/errors.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SECRET = /SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|AUTH|PRIVATE|DATABASE_URL|DSN/i;
/** Names the run sets itself for the platform it starts: another value would break the run. */
const RESERVED = new Set(['PORT', 'HOST', 'DATA_DIR', 'JWT_SECRET']);

export function isSecretName(name: string): boolean {
  return SECRET.test(name);
}

/** Parses NAME=value assignments (values may contain '='); a one-line usage error naming the flag otherwise. */
export function parseEnvAssignments(values: readonly string[], flag: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const name = at < 0 ? value : value.slice(0, at);
    const shown = name.length > 40 ? `${name.slice(0, 40)}...` : name;
    if (at < 0) throw usageError(`${flag} '${shown}' is not an assignment: give NAME=value, e.g. ${flag} OPTIMIZATIONS=all`);
    if (!NAME.test(name)) throw usageError(`${flag}: '${shown.replace(/[^\x20-\x7e]/g, '?')}' is not an environment variable name (letters, digits and '_', not starting with a digit)`);
    if (RESERVED.has(name)) throw usageError(`${flag}: ${name} is set by rampart for the platform it starts; leave it out`);
    if (Object.hasOwn(env, name)) throw usageError(`${flag}: ${name} is given twice`);
    if (/[\0\n\r]/.test(value)) throw usageError(`${flag}: the value of ${name} holds a NUL or line break`);
    env[name] = value.slice(at + 1);
  }
  return env;
}

/** The assignments as they may be shown and stored: secret-looking values redacted. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) out[name] = isSecretName(name) ? '<redacted>' : value;
  return out;
}

/** One line: NAME=value ... (redacted), or 'the platform\'s defaults'. */
export function describeEnv(env: Readonly<Record<string, string>>): string {
  const shown = Object.entries(redactEnv(env)).map(([name, value]) => `${name}=${value}`);
  return shown.length === 0 ? "the platform's defaults" : shown.join(' ');
}
