// Entry point of the reference platform (`npm run platform`). Thin: configuration from the
// environment, the embedded PostgreSQL (unless DATABASE_URL), migrations, the seed on first start
// (SEED_PRESET, default small), listen, print the URL and demo credentials, and a graceful shutdown
// on SIGINT/SIGTERM: stop accepting, finish in-flight requests, stop workers, close the pool, stop
// the embedded database. Logs are pino JSON lines on stdout.
// Exit codes: 0 after a clean shutdown; 1 start-up failed; 2 invalid configuration.
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from './config.ts';
import type { PlatformConfig } from './config.ts';
import { buildApp } from './app.ts';
import { startEmbeddedDatabase } from './db/embedded.ts';
import type { EmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { DEMO, isSeeded, seed } from './db/seed/index.ts';
import { applyOptionalSchema } from './optimizations.ts';

const SHUTDOWN_TIMEOUT_MS = 30_000;

function banner(url: string, config: PlatformConfig, database: string): string {
  return [
    '',
    `Rampart reference platform listening on ${url}`,
    `  database:  ${database}`,
    `  API:       ${url}/api/v1   (OpenAPI: ${url}/api/v1/openapi.json)`,
    `  ops:       ${url}/health  ${url}/ready  ${url}/metrics`,
    '  demo credentials:',
    `    admin       ${DEMO.admin.username} / ${DEMO.admin.password}`,
    `    analysts    analyst01..analyst${String(DEMO.analysts).padStart(2, '0')} / ${DEMO.analystPassword}`,
    `    sensors     sensor-01..sensor-${String(DEMO.sensors).padStart(2, '0')}, X-API-Key demo-sensor-key-01..demo-sensor-key-${String(DEMO.sensors).padStart(2, '0')}`,
    `  optimizations: ${config.optimizations.size === 0 ? 'none (as first written)' : [...config.optimizations].join(', ')}`,
    config.injectLatency.size > 0 ? `  INJECT_LATENCY: ${[...config.injectLatency].map(([k, f]) => `${k}=${f}`).join(', ')}` : '',
    '',
  ].filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1).join('\n');
}

async function main(): Promise<number> {
  let config: PlatformConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rampart-platform: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { service: 'rampart-platform' } });
  if (config.jwtSecretGenerated) log.warn('JWT_SECRET is not set: using a random secret for this run (tokens do not survive a restart)');

  let embedded: EmbeddedDatabase | undefined;
  let app: FastifyInstance | undefined;
  let closing: Promise<void> | undefined;

  const shutdown = (signal: string): Promise<void> => {
    closing ??= (async () => {
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      const force = setTimeout(() => {
        log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      force.unref();
      // Keep-alive connections whose in-flight response has just finished would hold the close
      // open until they time out: close each as soon as it is idle.
      const sweep = setInterval(() => app?.server.closeIdleConnections(), 100);
      try {
        if (app !== undefined) await app.close();
        if (embedded !== undefined) await embedded.stop();
        log.info('shutdown complete');
      } finally {
        clearInterval(sweep);
        clearTimeout(force);
      }
    })();
    return closing;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (closing !== undefined) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      void shutdown(signal).then(() => process.exit(0), (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }

  try {
    let databaseLabel: string;
    if (config.databaseUrl === undefined) {
      const started = Date.now();
      const pgLog = log.child({ component: 'postgres' });
      embedded = await startEmbeddedDatabase({
        dataDir: config.dataDir,
        log: (line) => {
          if (/\b(ERROR|FATAL|PANIC)\b/.test(line)) pgLog.warn(line);
          else if (/duration: .*plan:/.test(line)) pgLog.info(line);
          else pgLog.debug(line);
        },
      });
      config = { ...config, databaseUrl: embedded.url };
      databaseLabel = `embedded PostgreSQL on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`;
      log.info({ port: embedded.port, dataDir: embedded.dataDir, ms: Date.now() - started }, 'embedded PostgreSQL started');
    } else {
      const url = new URL(config.databaseUrl);
      databaseLabel = `${url.hostname}:${url.port || '5432'}${url.pathname} (DATABASE_URL)`;
    }

    app = await buildApp(config, { loggerInstance: log });
    const applied = await migrate(app.db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    if (config.seedPreset !== 'none' && !(await isSeeded(app.db))) {
      log.info({ preset: config.seedPreset }, 'first start: seeding the database');
      const result = await seed(app.db, config.seedPreset, { bcryptCost: config.bcryptCost, log: (message) => {
        log.info(message);
      } });
      log.info(result, 'seed finished');
    }
    for (const change of await applyOptionalSchema(app.db, config.optimizations)) log.info(change, `optional ${change.object} ${change.action}`);
    if (closing !== undefined) return 0;
    const address = await app.listen({ port: config.port, host: config.host });
    process.stdout.write(`${banner(address, config, databaseLabel)}\n`);
    return -1; // keep running until a signal
  } catch (error) {
    log.error({ err: error }, 'start-up failed');
    process.stderr.write(`rampart-platform: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    return 1;
  }
}

const code = await main();
if (code >= 0) process.exit(code);
