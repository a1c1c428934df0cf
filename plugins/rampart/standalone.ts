// Plain `artillery run scenarios/<flow>.yml`, with no rampart around it (docs/scenarios.md, "Plain
// Artillery"). Called in Artillery's main thread when no bundle folder was given (neither
// RAMPART_BUNDLE_DIR nor the plugin option `bundleDir`):
// - every flow file declares itself under `config.rampart.files.<flow>: true`. Artillery merges
//   several script files with lodash's merge, which unions these keys, so more than one key means
//   `artillery run scenarios/*.yml` folded several flows into one scenario: refused, exit 2, one line.
// - one key: the plugin picks the bundle folder itself, `<suite>/reports/<UTC time>-<flow>-<4 hex>/`
//   (`<profile>-<flow>` with `--config phases/<profile>.yml`), where <suite> holds the flow's
//   `scenarios/` folder, and exports it as RAMPART_BUNDLE_DIR before Artillery starts its worker
//   threads (they inherit the environment), so they record into it too. It also writes
//   `artillery.json` there, in Artillery's own `--output` shape, from the same periods Artillery
//   reports, so `rampart report <folder>` works on the run.
// - no key (not a flow file: a composed script.yml run again by hand), or a cloud worker
//   (WORKER_ID): no bundle folder; the caller says so.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';

/** What the refusal says instead of running a merged scenario. */
export const MERGED_FILES_ADVICE = 'run one flow per command (artillery run scenarios/<flow>.yml), or every flow with its weights: npx rampart run <profile>';

interface RunEvents {
  on(event: string, listener: (payload: unknown) => void): unknown;
}

/** The parts of Artillery's prepared script this module reads (it keeps the files' paths on it). */
interface PreparedScript {
  config?: { rampart?: { files?: unknown } };
  /** absolute path of the first script file on the command line */
  _scriptPath?: unknown;
  /** absolute path of --config's file, or the script's path when there is none */
  _configPath?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The flows the merged script declares (config.rampart.files), in the order they were merged. */
export function declaredFlows(script: unknown): string[] {
  const files = isRecord(script) && isRecord(script.config) && isRecord(script.config.rampart) ? script.config.rampart.files : undefined;
  return isRecord(files) ? Object.keys(files).filter((name) => files[name] === true) : [];
}

/** The run's name: the flow, prefixed by the --config file's name when one was given (pure). */
export function standaloneRunName(script: PreparedScript, flow: string, now: Date, suffix: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  const configPath = typeof script._configPath === 'string' ? script._configPath : '';
  const scriptPath = typeof script._scriptPath === 'string' ? script._scriptPath : '';
  const profile = configPath !== '' && resolve(configPath) !== resolve(scriptPath) ? basename(configPath, extname(configPath)) : '';
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${stamp}-${profile === '' ? '' : `${safe(profile)}-`}${safe(flow)}-${suffix}`;
}

/** One period as Artillery's --output writes it: its histograms are the summaries (no sketches). */
function outputPeriod(stats: unknown): Record<string, unknown> {
  if (!isRecord(stats)) return {};
  const period: Record<string, unknown> = { ...stats, histograms: stats.summaries ?? {} };
  return JSON.parse(JSON.stringify(period)) as Record<string, unknown>;
}

function writeJsonNow(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, path);
}

/** Records Artillery's periods and its final report into <dir>/artillery.json when the run is done. */
function recordArtilleryOutput(events: RunEvents, dir: string): void {
  const intermediate: Record<string, unknown>[] = [];
  events.on('stats', (stats) => {
    intermediate.push(outputPeriod(stats));
  });
  events.on('done', (stats) => {
    try {
      writeJsonNow(join(dir, 'artillery.json'), { aggregate: outputPeriod(stats), intermediate });
    } catch (error) {
      process.stderr.write(`rampart: could not write ${join(dir, 'artillery.json')}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
}

/** Stops the run before any worker starts: one line on stderr, exit 2 (a usage error). */
function refuse(line: string): never {
  process.stderr.write(`rampart: ${line}\n`);
  // The TypeScript processor Artillery bundled for this run would otherwise stay behind.
  const bundled = (globalThis as { artillery?: { hasTypescriptProcessor?: unknown } }).artillery?.hasTypescriptProcessor;
  if (typeof bundled === 'string') rmSync(bundled, { force: true });
  process.exit(2);
}

/**
 * Main thread, no bundle folder given: refuses a merge of several flow files, or chooses and creates
 * the bundle folder of a plain run of one flow and returns it. Undefined in a worker thread (it
 * inherits RAMPART_BUNDLE_DIR from the main thread) and for scripts that are not flow files.
 */
export function startStandalone(script: unknown, events: RunEvents): string | undefined {
  if (process.env.LOCAL_WORKER_ID !== undefined) return undefined;
  const flows = declaredFlows(script);
  if (flows.length > 1) {
    refuse(`several flow files were merged into one scenario (${flows.join(', ')}): Artillery merges script files position by position; ${MERGED_FILES_ADVICE}`);
  }
  // A run-fargate (or Lambda, ACI) container sets WORKER_ID: nothing it writes to its disk comes
  // back, so it keeps no bundle folder and the plugin's counters carry the measurements.
  if (flows.length === 0 || process.env.WORKER_ID !== undefined) return undefined;
  const prepared = script as PreparedScript;
  const scriptPath = typeof prepared._scriptPath === 'string' ? prepared._scriptPath : join(process.cwd(), 'scenarios', `${flows[0]}.yml`);
  const reports = join(dirname(dirname(scriptPath)), 'reports');
  const dir = join(reports, standaloneRunName(prepared, flows[0], new Date(), randomBytes(2).toString('hex')));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    process.stderr.write(`rampart: cannot create the bundle folder ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
  process.env.RAMPART_BUNDLE_DIR = dir;
  recordArtilleryOutput(events, dir);
  process.stderr.write(`rampart: plain run of ${flows[0]}: the bundle goes to ${relative(process.cwd(), dir) || dir}/\n`);
  return dir;
}
