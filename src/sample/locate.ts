// What the sampler can reach, and what it cannot (the `missing` lines), for the two kinds of run:
// the platform `rampart run` started itself (its pid, its data folder: the embedded PostgreSQL's
// postmaster.pid gives the server's pid and port), or a platform given with --target (its /metrics,
// and its database only when DATABASE_URL names it).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePostmasterPid } from './database.ts';
import type { SamplerTargets } from './sampler.ts';

/**
 * The embedded database's superuser and database, as platform/db/embedded.ts creates them (the
 * sampler reaches the platform's database over TCP, never through the platform's code).
 */
const EMBEDDED = { user: 'postgres', password: 'rampart-embedded', database: 'postgres' } as const;

export const embeddedDatabaseUrl = (port: number): string =>
  `postgres://${EMBEDDED.user}:${encodeURIComponent(EMBEDDED.password)}@127.0.0.1:${port}/${EMBEDDED.database}`;

const NO_DISK = 'platform disk I/O: /metrics does not expose it (it is read from /proc only for a platform rampart run starts)';

/** The platform rampart run started: `node platform/server.ts` with DATA_DIR, on this machine. */
export async function ownPlatformTargets(platform: { url: string; pid: number; dataDir: string }, env: NodeJS.ProcessEnv = process.env): Promise<SamplerTargets> {
  const missing: string[] = [];
  const given = env.DATABASE_URL?.trim();
  let databaseUrl: string | null = given === undefined || given === '' ? null : given;
  let postmasterPid: number | null = null;
  if (databaseUrl === null) {
    const pidFile = path.join(platform.dataDir, 'postmaster.pid');
    const found = parsePostmasterPid(await readFile(pidFile, 'utf8').catch(() => ''));
    if (found === null) missing.push(`database: no embedded PostgreSQL found (${pidFile} is missing or unreadable); no database figures`);
    else {
      databaseUrl = embeddedDatabaseUrl(found.port);
      postmasterPid = found.pid;
    }
  } else {
    missing.push("database process: the platform's database is DATABASE_URL's server, whose processes are not sampled");
  }
  return { platformPid: platform.pid > 0 ? platform.pid : null, metricsUrl: platform.url, databaseUrl, postmasterPid, local: true, missing };
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);

/** A platform rampart did not start (--target): its /metrics, DATABASE_URL when given, the machine only when it is loopback. */
export function givenTargetTargets(target: string, env: NodeJS.ProcessEnv = process.env): SamplerTargets {
  const given = env.DATABASE_URL?.trim();
  const databaseUrl = given === undefined || given === '' ? null : given;
  const local = isLoopback(new URL(target).hostname);
  const missing = [
    "platform process: --target given, so the platform's CPU and memory come from its /metrics (no disk I/O)",
    NO_DISK,
    ...(databaseUrl === null
      ? ['database: --target given without DATABASE_URL; set DATABASE_URL to the platform\'s database to sample connections, locks, cache hits, rows and statements']
      : []),
    "database process: --target given, so the database server's processes are not sampled",
    ...(local ? [] : ['host: the target is not on this machine, so host CPU and network are not sampled']),
  ];
  return { platformPid: null, metricsUrl: target, databaseUrl, postmasterPid: null, local, missing };
}
