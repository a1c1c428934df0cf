// The local observability stack, from Debian's binaries: Prometheus, Pushgateway, Alertmanager, node
// exporter and postgres exporter, each a detached child on 127.0.0.1 with its data and log under one
// folder (.data/observe/ by default), stopped by its pid. startStack writes Prometheus's and
// Alertmanager's configuration there (src/observe/prometheus-config.ts), waits until every process
// answers, and records the pids and URLs (stack-state.ts).
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError, untrustworthy } from '../core/errors.ts';
import { alertmanagerConfig, prometheusConfig, type StackTargets } from './prometheus-config.ts';
import { COMPONENTS, isAlive, writeStackState, type Component, type StackState } from './stack-state.ts';

/** The Debian package and binary of each component. */
export const BINARIES: Record<Component, { pkg: string; bin: string }> = {
  prometheus: { pkg: 'prometheus', bin: 'prometheus' },
  pushgateway: { pkg: 'prometheus-pushgateway', bin: 'prometheus-pushgateway' },
  alertmanager: { pkg: 'prometheus-alertmanager', bin: 'prometheus-alertmanager' },
  nodeExporter: { pkg: 'prometheus-node-exporter', bin: 'prometheus-node-exporter' },
  postgresExporter: { pkg: 'prometheus-postgres-exporter', bin: 'prometheus-postgres-exporter' },
};

export const DEFAULT_PORTS: Record<Component, number> = { prometheus: 9090, pushgateway: 9091, alertmanager: 9093, nodeExporter: 9100, postgresExporter: 9187 };

export interface StackOptions {
  dir: string;
  ports: Record<Component, number>;
  /** host:port of the platform's /metrics */
  platform: string;
  /** the platform's database, for the postgres exporter (none: it runs and reports pg_up 0) */
  databaseUrl?: string;
  /** where Alertmanager sends every alert */
  webhookUrl: string;
  /** absolute paths of the rule files Prometheus loads */
  ruleFiles: readonly string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Alertmanager's group_wait (default 10s) */
  groupWait?: string;
  startTimeoutMs?: number;
}

/** The binary's path on PATH, or null (pure apart from reading the file system). */
export function findBinary(bin: string, envPath: string = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The components whose binary is missing, and the one line that says how to install them. */
export function missingBinaries(): { missing: Component[]; advice: string | null } {
  const missing = COMPONENTS.filter((c) => findBinary(BINARIES[c].bin) === null);
  if (missing.length === 0) return { missing, advice: null };
  const pkgs = missing.map((c) => BINARIES[c].pkg).join(' ');
  return { missing, advice: `missing ${missing.map((c) => BINARIES[c].bin).join(', ')}; install with: sudo apt-get install ${pkgs}` };
}

function argsFor(c: Component, o: StackOptions): string[] {
  const listen = `--web.listen-address=127.0.0.1:${String(o.ports[c])}`;
  switch (c) {
    case 'prometheus':
      return [`--config.file=${path.join(o.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(o.dir, 'prometheus-data')}`, listen, '--web.enable-lifecycle'];
    case 'pushgateway':
      return [listen, '--persistence.file='];
    case 'alertmanager':
      return [`--config.file=${path.join(o.dir, 'alertmanager.yml')}`, `--storage.path=${path.join(o.dir, 'alertmanager-data')}`, listen, '--cluster.listen-address='];
    case 'nodeExporter':
    case 'postgresExporter':
      return [listen];
  }
}

const readyPath = (c: Component): string => (c === 'nodeExporter' || c === 'postgresExporter' ? '/' : '/-/ready');
export const urlOf = (c: Component, ports: Record<Component, number>): string => `http://127.0.0.1:${String(ports[c])}`;

async function waitReady(url: string, pid: number, deadline: number, log: string): Promise<void> {
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw untrustworthy(`${url} exited while starting; see ${log}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw untrustworthy(`${url} did not answer in time; see ${log}`);
}

/** Stop every process of the stack by its pid (SIGTERM, then SIGKILL after 5 s). */
export async function stopStack(state: Pick<StackState, 'pids'>): Promise<void> {
  const pids = Object.values(state.pids).filter(isAlive);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
}

export async function startStack(o: StackOptions): Promise<StackState> {
  const { advice } = missingBinaries();
  if (advice !== null) throw usageError(advice);
  await mkdir(o.dir, { recursive: true });
  const targets: StackTargets = {
    platform: o.platform,
    pushgateway: `127.0.0.1:${String(o.ports.pushgateway)}`,
    nodeExporter: `127.0.0.1:${String(o.ports.nodeExporter)}`,
    postgresExporter: `127.0.0.1:${String(o.ports.postgresExporter)}`,
    alertmanager: `127.0.0.1:${String(o.ports.alertmanager)}`,
    prometheus: `127.0.0.1:${String(o.ports.prometheus)}`,
  };
  await writeFile(path.join(o.dir, 'prometheus.yml'), prometheusConfig({ targets, ruleFiles: o.ruleFiles, scrapeInterval: o.scrapeInterval ?? '15s', evaluationInterval: o.evaluationInterval ?? '15s' }));
  await writeFile(path.join(o.dir, 'alertmanager.yml'), alertmanagerConfig({ webhookUrl: o.webhookUrl, groupWait: o.groupWait ?? '10s', groupInterval: '1m', repeatInterval: '4h' }));
  const pids = {} as Record<Component, number>;
  const urls = {} as Record<Component, string>;
  try {
    for (const c of COMPONENTS) {
      const log = path.join(o.dir, `${c}.log`);
      const fd = openSync(log, 'a');
      const env = c === 'postgresExporter' ? { ...process.env, DATA_SOURCE_NAME: o.databaseUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable' } : process.env;
      const child = spawn(BINARIES[c].bin, argsFor(c, o), { cwd: o.dir, detached: true, stdio: ['ignore', fd, fd], env });
      closeSync(fd);
      child.unref();
      if (child.pid === undefined) throw untrustworthy(`${BINARIES[c].bin} did not start; see ${log}`);
      pids[c] = child.pid;
      urls[c] = urlOf(c, o.ports);
    }
    const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
    for (const c of COMPONENTS) await waitReady(urls[c] + readyPath(c), pids[c], deadline, path.join(o.dir, `${c}.log`));
  } catch (error) {
    await stopStack({ pids });
    throw error;
  }
  const state: StackState = { schema: 'rampart.observe-stack/1', dir: o.dir, startedAt: new Date().toISOString(), pids, urls };
  await writeStackState(state);
  return state;
}
