// Platform configuration: read from the environment once at start-up, validated, typed.
// Inputs: an env record (process.env by default). Output: PlatformConfig, or a ConfigError whose
// message names the variable that is wrong and what it should be.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { OPTIMIZATIONS, parseOptimizations, type Optimization } from './optimizations.ts';

export type SeedPreset = 'small' | 'representative' | 'none';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type PlatformConfig = {
  port: number;
  host: string;
  /** External PostgreSQL; when undefined the embedded database under dataDir is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  jwtSecret: string;
  /** True when JWT_SECRET was unset and a random one was generated for this process. */
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  bcryptCost: number;
  rateLimitPerMinute: number;
  /** Login attempts per minute per (username, client address). */
  loginRateLimitPerMinute: number;
  /** Failed authentications a client may burst; its budget refills at this many per minute. */
  authFailuresPerMinute: number;
  /** Proxies whose X-Forwarded-For names the client (addresses, CIDR ranges, proxy-addr names); false: none. */
  trustProxy: false | string[];
  maxBatchEvents: number;
  bodyLimitBytes: number;
  dbPoolSize: number;
  /** Endpoint key -> fraction of its own handling time added before the response is sent. */
  injectLatency: ReadonlyMap<string, number>;
  logLevel: LogLevel;
  seedPreset: SeedPreset;
  /** The switchable optimisations that are on (OPTIMIZATIONS; empty: the platform as first written). */
  optimizations: ReadonlySet<Optimization>;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a whole number; set it to an integer between ${min} and ${max}`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is out of range; set it to an integer between ${min} and ${max}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim() as T;
  if (!allowed.includes(value)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not allowed; use one of ${allowed.join(', ')}`);
  }
  return value;
}

/** Names proxy-addr (Fastify's trustProxy) understands for whole address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses TRUST_PROXY: unset or "false" trusts no proxy (the client is the TCP peer); otherwise a
 * comma-separated list of proxy addresses, CIDR ranges or the names loopback, linklocal, uniquelocal.
 * "true" or a hop count is refused: it would let any client choose its own address by sending
 * X-Forwarded-For, and so escape the per-client limits.
 */
function parseTrustProxy(raw: string | undefined): false | string[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'false') return false;
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const parts = entry.split('/');
    const family = net.isIP(parts[0]);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = parts.length === 1 || (parts.length === 2 && /^\d{1,3}$/.test(parts[1]) && Number(parts[1]) <= maxBits);
    if (!PROXY_RANGE_NAMES.has(entry) && (family === 0 || !validBits)) {
      throw new ConfigError(`TRUST_PROXY entry ${JSON.stringify(entry)} is not a proxy address; list addresses or CIDR ranges of your proxies (e.g. 10.0.0.5,192.168.0.0/16) or loopback, linklocal, uniquelocal`);
    }
  }
  return entries;
}

/** Each event is 16 bound parameters; PostgreSQL's protocol allows 65535 per statement. */
const MAX_EVENTS_PER_STATEMENT = 4095;

const ENDPOINT_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/;

/**
 * Parses INJECT_LATENCY: comma-separated `METHOD /route/template=fraction` pairs, e.g.
 * `GET /api/v1/alerts=0.2,POST /api/v1/events/batch=0.5`. A fraction f holds each response of that
 * endpoint for f x its own handling time before sending it.
 */
export function parseInjectLatency(raw: string | undefined): Map<string, number> {
  const result = new Map<string, number>();
  if (raw === undefined || raw.trim() === '') return result;
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim().replace(/\s+/g, ' ') : '';
    const fraction = eq > 0 ? Number(entry.slice(eq + 1).trim()) : Number.NaN;
    if (!ENDPOINT_KEY.test(key)) {
      throw new ConfigError(`INJECT_LATENCY entry ${JSON.stringify(entry)} has no endpoint key; write 'METHOD /route/template=fraction', e.g. 'GET /api/v1/alerts=0.2'`);
    }
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 100 || entry.slice(eq + 1).trim() === '') {
      throw new ConfigError(`INJECT_LATENCY entry ${JSON.stringify(entry)} has a bad fraction; use a number between 0 and 100, e.g. 0.2 for +20%`);
    }
    result.set(key, fraction);
  }
  return result;
}

function optimizations(raw: string | undefined): ReadonlySet<Optimization> {
  const parsed = parseOptimizations(raw);
  if (!parsed.ok) {
    throw new ConfigError(`OPTIMIZATIONS names an unknown optimisation ${JSON.stringify(parsed.unknown)}; use none, all or a comma-separated list of ${OPTIMIZATIONS.join(', ')}`);
  }
  return parsed.value;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): PlatformConfig {
  const secret = env.JWT_SECRET;
  if (secret !== undefined && secret !== '' && secret.length < 32) {
    throw new ConfigError('JWT_SECRET is shorter than 32 characters; use a long random string (or unset it for a random one per start)');
  }
  const databaseUrl = env.DATABASE_URL === undefined || env.DATABASE_URL.trim() === '' ? undefined : env.DATABASE_URL.trim();
  if (databaseUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
      throw new ConfigError('DATABASE_URL is not a postgres:// URL; use postgres://user:password@host:port/database');
    }
  }
  const host = (env.HOST ?? '').trim() === '' ? '127.0.0.1' : (env.HOST as string).trim();
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: path.resolve(cwd, (env.DATA_DIR ?? '').trim() === '' ? '.data/postgres' : (env.DATA_DIR as string).trim()),
    jwtSecret: secret !== undefined && secret !== '' ? secret : randomBytes(48).toString('base64url'),
    jwtSecretGenerated: secret === undefined || secret === '',
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, 1, 365 * 86_400),
    bcryptCost: integer(env, 'BCRYPT_COST', 12, 4, 16),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    loginRateLimitPerMinute: integer(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 20, 1, 10_000_000),
    authFailuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 100, 1, 10_000_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    maxBatchEvents: integer(env, 'MAX_BATCH_EVENTS', 1000, 1, MAX_EVENTS_PER_STATEMENT),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 1000),
    injectLatency: parseInjectLatency(env.INJECT_LATENCY),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    seedPreset: oneOf(env, 'SEED_PRESET', ['small', 'representative', 'none'], 'small'),
    optimizations: optimizations(env.OPTIMIZATIONS),
  };
}
