// `rampart observe up|down|status|generate`: the local observability stack and the generated files.
//   up        start Prometheus, Pushgateway, Alertmanager, node and postgres exporters on 127.0.0.1
//             from Debian's binaries (data and logs under .data/observe/), print their URLs
//   down      stop them by their pids
//   status    which are running, at which URL
//   generate  write observability/'s generated files from ci/slo/ and the code (--check: exit 1 when
//             one is out of date, writing nothing)
// Exit: 0 ok; 1 --check found a stale file; 2 bad input or a missing binary (the line says what to
// install); 3 a component did not start.
import path from 'node:path';
import { readFile, mkdir } from 'node:fs/promises';
import { EXIT, usageError } from '../core/errors.ts';
import { parseCommand, type CommandSpec, type FlagSpec } from '../core/command.ts';
import { writeFileAtomic } from '../core/bundle/files.ts';
import { DEFAULT_SLO_DIR, REPO_ROOT, suiteDir } from '../core/paths.ts';
import { baseUrl } from './config.ts';
import { DEFAULT_WEBHOOK, RULE_FILES, generatedFiles } from './generate.ts';
import { DEFAULT_PORTS, startStack, stopStack, urlOf } from './stack.ts';
import { COMPONENTS, isAlive, readStackState, stackDir } from './stack-state.ts';

const FLAGS = {
  platform: { type: 'string', value: 'HOST:PORT', description: 'up: where Prometheus scrapes the platform\'s /metrics (default 127.0.0.1:3000)' },
  'database-url': { type: 'string', value: 'URL', description: 'up: the platform\'s PostgreSQL for the postgres exporter (default $DATABASE_URL)' },
  webhook: { type: 'string', value: 'URL', description: `up: where Alertmanager sends alerts (default ${DEFAULT_WEBHOOK})` },
  dir: { type: 'string', value: 'DIR', description: 'up/down/status: the stack\'s folder (default .data/observe)' },
  check: { type: 'boolean', description: 'generate: write nothing; exit 1 when a generated file is out of date' },
} as const satisfies Record<string, FlagSpec>;

const COMMAND: CommandSpec<typeof FLAGS> = {
  name: 'observe',
  arguments: 'up|down|status|generate',
  summary: 'The live observability stack (docs/observability.md): Prometheus, Pushgateway, Alertmanager and the node and\n' +
    'postgres exporters on 127.0.0.1 from Debian\'s packages; `rampart run --observe` publishes to it.\n' +
    'generate writes observability/\'s rules, configuration and dashboards from ci/slo/ and the code.',
  flags: FLAGS,
  positionals: { min: 1, max: 1 },
};

const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function up(values: { platform?: string; 'database-url'?: string; webhook?: string; dir?: string }): Promise<number> {
  const dir = path.resolve(values.dir ?? stackDir(REPO_ROOT));
  if ((await readStackState(REPO_ROOT, dir)) !== null) throw usageError(`a stack is already running from ${dir}; 'rampart observe status' shows it, 'rampart observe down' stops it`);
  const platform = values.platform ?? '127.0.0.1:3000';
  if (!/^[\w.-]+:\d+$/.test(platform)) throw usageError(`--platform '${platform}' must be HOST:PORT, e.g. 127.0.0.1:3000`);
  const webhookUrl = baseUrl(values.webhook ?? DEFAULT_WEBHOOK, '--webhook') ?? DEFAULT_WEBHOOK;
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  await mkdir(dir, { recursive: true });
  process.stderr.write('[rampart] starting prometheus, pushgateway, alertmanager, node and postgres exporters\n');
  const rules = path.join(REPO_ROOT, 'observability', 'prometheus', 'rules');
  const state = await startStack({ dir, ports: DEFAULT_PORTS, platform, databaseUrl, webhookUrl, ruleFiles: RULE_FILES.map((f) => path.join(rules, f)) });
  for (const c of COMPONENTS) out(`${c.padEnd(16)} ${state.urls[c]}  (pid ${String(state.pids[c])})`);
  out(`data and logs in ${dir}; 'rampart run <profile> --observe' publishes to it; 'rampart observe down' stops it`);
  if (databaseUrl === undefined) out('postgres exporter: no --database-url or DATABASE_URL, so it reports pg_up 0');
  return EXIT.ok;
}

async function down(dir: string): Promise<number> {
  const state = await readStackState(REPO_ROOT, dir);
  if (state === null) {
    out('no stack is running');
    return EXIT.ok;
  }
  await stopStack(state);
  out(`stopped ${COMPONENTS.map((c) => `${c} (pid ${String(state.pids[c])})`).join(', ')}`);
  return EXIT.ok;
}

async function status(dir: string): Promise<number> {
  const state = await readStackState(REPO_ROOT, dir);
  if (state === null) {
    out(`no stack is running (would serve ${COMPONENTS.map((c) => urlOf(c, DEFAULT_PORTS)).join(', ')}); start it with 'rampart observe up'`);
    return EXIT.ok;
  }
  for (const c of COMPONENTS) out(`${c.padEnd(16)} ${state.urls[c]}  pid ${String(state.pids[c])} ${isAlive(state.pids[c]) ? 'running' : 'STOPPED'}`);
  return EXIT.ok;
}

/** Write (or with check, compare) every generated file; returns the stale ones. */
export async function generate(check: boolean, root: string = REPO_ROOT): Promise<string[]> {
  const files = await generatedFiles(root, suiteDir(), DEFAULT_SLO_DIR);
  const stale: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(root, 'observability', name);
    const current = await readFile(file, 'utf8').catch(() => null);
    if (current === text) continue;
    stale.push(path.relative(root, file));
    if (!check) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, text);
    }
  }
  return stale;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const [action] = parsed.positionals;
  const dir = path.resolve(parsed.values.dir ?? stackDir(REPO_ROOT));
  if (action === 'up') return up(parsed.values);
  if (action === 'down') return down(dir);
  if (action === 'status') return status(dir);
  if (action === 'generate') {
    const check = parsed.values.check === true;
    const stale = await generate(check);
    if (check && stale.length > 0) {
      process.stderr.write(`rampart: out of date: ${stale.join(', ')}; run 'rampart observe generate'\n`);
      return EXIT.checkFailed;
    }
    out(stale.length === 0 ? 'observability/: every generated file is up to date' : `wrote ${stale.join(', ')}`);
    return EXIT.ok;
  }
  throw usageError(`unknown action '${action}'; rampart observe up|down|status|generate`);
}
