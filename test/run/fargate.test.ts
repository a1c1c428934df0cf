// `rampart run <profile> --fargate`: its flags, the test bundle run-fargate would upload (built with
// Artillery's own bundling code, then installed as a container installs it: no AWS call), and the
// one-line failure without AWS credentials (no cloud is reachable from these machines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, suiteDir } from '../../src/core/paths.ts';
import { parseRunArgs } from '../../src/run/args.ts';
import { prepareFargateBundle } from '../../src/run/fargate.ts';
import { buildPlugin } from '../plugins/harness.ts';
import { isOneLineUsageError, tempDir } from '../support.ts';

test('--fargate takes --region and --count; each needs the other, and bad values are refused in one line', () => {
  assert.deepEqual(parseRunArgs(['smoke', '--fargate', '--region', 'eu-west-1', '--count', '4']).fargate, { region: 'eu-west-1', count: 4 });
  assert.deepEqual(parseRunArgs(['smoke', '--fargate', '--region', 'us-east-1']).fargate, { region: 'us-east-1', count: 1 });
  assert.equal(parseRunArgs(['smoke']).fargate, undefined);
  assert.throws(() => parseRunArgs(['smoke', '--fargate']), (e) => isOneLineUsageError(e, /--fargate needs --region/));
  assert.throws(() => parseRunArgs(['smoke', '--fargate', '--region', 'Europe']), (e) => isOneLineUsageError(e, /got 'Europe'/));
  assert.throws(() => parseRunArgs(['smoke', '--region', 'eu-west-1']), (e) => isOneLineUsageError(e, /--region applies only with --fargate/));
  assert.throws(() => parseRunArgs(['smoke', '--fargate', '--region', 'eu-west-1', '--count', '0']), (e) => isOneLineUsageError(e, /--count '0'/));
});

interface BomFile { orig: string; noPrefix: string }
interface Bom { files: BomFile[]; modules: string[]; moduleVersions: Record<string, string>; externals: { name: string; reason: string }[] }
interface BomModule {
  createBOM(script: string, extra: string[], opts: Record<string, unknown>, done: (error: Error | null, bom: Bom | null) => void): void;
  enrichPackageJson(content: string, versions?: Record<string, string>): string;
}

test("Artillery's own bundling packs the processors, the plugin and every dependency, and a container's npm install gets a loadable plugin", async (t) => {
  buildPlugin();
  const dir = await tempDir(t, 'rampart-fargate-');
  const options = parseRunArgs(['smoke', '--fargate', '--region', 'eu-west-1', '--count', '2']);
  const prepared = await prepareFargateBundle(suiteDir(), options, join(dir, 'bundle'), 'https://staging.example.invalid');
  // run-fargate's code that decides what goes into the test bundle (createTest -> createBOM).
  const bomModule = (await import(pathToFileURL(join(REPO_ROOT, 'node_modules/artillery/dist/lib/platform/aws-ecs/legacy/bom.js')).href)) as BomModule;
  const bom = await new Promise<Bom>((resolve, reject) => {
    bomModule.createBOM(prepared.scriptPath, [], { flags: { platform: 'aws:ecs', region: 'eu-west-1', count: 2 }, scenarioPath: prepared.scriptPath }, (error, result) => {
      if (error !== null || result === null) reject(error ?? new Error('no manifest'));
      else resolve(result);
    });
  });
  const shipped = bom.files.map((f) => f.noPrefix).sort();
  // The processors reached at run time: index.ts and every file some processor imports for more than types.
  const processors = new Set(['processors/index.ts']);
  for (const name of (await readdir(join(REPO_ROOT, 'processors'))).filter((n) => /\.m?ts$/.test(n))) {
    const text = await readFile(join(REPO_ROOT, 'processors', name), 'utf8');
    for (const [, file] of text.matchAll(/^(?!import type)(?:import|export)\b[^\n]*from '\.\/([^']+)'/gm)) processors.add(`processors/${file}`);
  }
  assert.ok(processors.size > 10, [...processors].join(', '));
  for (const file of ['script.yml', 'package.json', 'artillery-plugin-rampart-0.1.0.tgz', ...processors]) assert.ok(shipped.includes(file), `${file} is in the bundle: ${shipped.join(', ')}`);
  assert.ok(bom.modules.includes('artillery-plugin-rampart'), 'the plugin is a module the containers install');
  assert.deepEqual(bom.externals, [], 'every import resolved and every package declared in the bundle\'s package.json');

  // A container: the bundle's files under their names, then loadgen-worker's steps — `npm install <module>`
  // for each module, then `npm install` (npm's cache first; the registry for what it lacks).
  const worker = join(dir, 'worker');
  for (const file of bom.files) {
    await mkdir(dirname(join(worker, file.noPrefix)), { recursive: true });
    await cp(file.orig, join(worker, file.noPrefix));
  }
  await writeFile(join(worker, 'package.json'), bomModule.enrichPackageJson(await readFile(join(worker, 'package.json'), 'utf8'), bom.moduleVersions));
  const npm = (args: string[]): string => execFileSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: worker, encoding: 'utf8', timeout: 120_000 });
  for (const module of bom.modules) npm(['install', module]);
  npm(['install']);
  const resolved = createRequire(join(worker, 'package.json')).resolve('artillery-plugin-rampart');
  assert.equal(resolved, join(worker, 'node_modules', 'artillery-plugin-rampart', 'dist', 'index.js'));
  const plugin = (await import(pathToFileURL(resolved).href)) as { Plugin?: unknown; LEGACY_METRICS_FORMAT?: unknown };
  assert.equal(typeof plugin.Plugin, 'function', 'the installed plugin loads (its hdr-histogram-js came from its own dependencies)');
  assert.equal(plugin.LEGACY_METRICS_FORMAT, false);
  const script = await readFile(join(worker, 'script.yml'), 'utf8');
  assert.match(script, /processor: \.\/processors\/index\.ts/);
  assert.match(script, /suppressOutput: true/);
  assert.match(script, /counters: true/, 'the containers emit the counters, the only way their measurements come back');
});

test('without AWS credentials, rampart run --fargate fails in one line with exit 2 and a bundle that says what ran', async (t) => {
  buildPlugin();
  const dir = await tempDir(t, 'rampart-fargate-cli-');
  await writeFile(join(dir, 'rampart.config.yml'), 'targets:\n  allow: [staging.example.invalid]\n');
  const args = [join(REPO_ROOT, 'src/cli/rampart.ts'), 'run', 'smoke', '--fargate', '--region', 'eu-west-1', '--count', '2', '--target', 'https://staging.example.invalid', '--reports-dir', join(dir, 'reports')];
  // No credentials anywhere: a fresh HOME, no AWS_* variables, and no instance metadata lookups.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...env, HOME: dir, RAMPART_CONFIG: join(dir, 'rampart.config.yml'), AWS_EC2_METADATA_DISABLED: 'true', ARTILLERY_DISABLE_TELEMETRY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 90_000);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 2, stderr);
  const errors = stderr.split('\n').filter((line) => line !== '' && !line.startsWith('[rampart] '));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0], /run-fargate found no usable AWS credentials \(CredentialsProviderError\).*docs\/distributed\.md/);
  const [runId] = await readdir(join(dir, 'reports'));
  const bundle = join(dir, 'reports', runId);
  assert.deepEqual((await readdir(bundle)).sort(), ['artillery.log', 'fargate', 'run.json']);
  assert.match(await readFile(join(bundle, 'artillery.log'), 'utf8'), /CredentialsProviderError/, 'the whole story stays in artillery.log');
});
