// The plugin as a package: built to JavaScript, packed as npm packs it, installed into another
// folder's node_modules (as an Artillery worker installs it), and loaded from there by a real
// `artillery run`. Artillery only warns when a plugin fails to load, so the proof is the bundle the
// plugin writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { tempDir } from '../support.ts';
import { buildPlugin, packPlugin, PLUGIN_DIR, REPO, runArtillery, startServer } from './harness.ts';

const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };

test('in the project, artillery-plugin-rampart resolves to the built JavaScript', () => {
  buildPlugin();
  const resolved = realpathSync(createRequire(join(REPO, 'package.json')).resolve('artillery-plugin-rampart'));
  assert.equal(relative(REPO, resolved), join('plugins', 'rampart', 'dist', 'index.js'));
});

test('the packed plugin holds only JavaScript that imports its own files and its declared dependencies', async (t) => {
  buildPlugin();
  const dir = await tempDir(t, 'rampart-pack-');
  const tarball = packPlugin(dir);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.ok(files.includes('package/package.json') && files.includes('package/dist/index.js'), files.join(', '));
  assert.deepEqual(files.filter((f) => !f.endsWith('.js') && f !== 'package/package.json'), [], 'no TypeScript, no tests, no build script');
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, spec] of text.matchAll(/\bfrom\s*'([^']+)'|\bimport\s*\(\s*'([^']+)'/g)) {
      if (spec.startsWith('.')) {
        const target = join(dirname(join(dir, file)), spec);
        assert.ok(!relative(join(dir, 'package'), target).startsWith('..'), `${file} imports ${spec}, outside the package`);
        assert.ok(existsSync(target), `${file} imports ${spec}, which is not in the package`);
      } else if (!spec.startsWith('node:')) {
        assert.ok(spec in manifest.dependencies, `${file} imports '${spec}', not declared in the plugin's package.json`);
      }
    }
  }
});

test("installed into another folder's node_modules, the packed plugin loads in a real artillery run and writes the bundle", async (t) => {
  buildPlugin();
  const dir = await tempDir(t, 'rampart-worker-');
  const tarball = packPlugin(dir);
  // What `npm install <tarball>` makes on a worker: the package under node_modules and its declared
  // dependencies beside it (here linked from this project's install: no registry in tests).
  const modules = join(dir, 'node_modules');
  const installed = join(modules, manifest.name);
  await mkdir(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const dependency of Object.keys(manifest.dependencies)) await symlink(join(REPO, 'node_modules', dependency), join(modules, dependency));
  await writeFile(join(dir, 'package.json'), '{"private":true}\n');
  assert.equal(createRequire(join(dir, 'package.json')).resolve(manifest.name), join(installed, 'dist', 'index.js'));

  const server = await startServer();
  t.after(() => server.close());
  const bundle = join(dir, 'bundle');
  // The plugin's `scope` makes Artillery look for it at this prefix only, so the copy in this
  // folder's node_modules is the only one it can load (not the project's own).
  await writeFile(join(dir, 'script.yml'), `
config:
  target: http://127.0.0.1:${String(server.port)}
  phases:
    - duration: 2
      arrivalRate: 5
  plugins:
    rampart: { scope: ${join(modules, 'artillery-plugin-')} }
scenarios:
  - flow:
      - get: { url: /api/v1/alerts, name: GET /api/v1/alerts }
`);
  const result = await runArtillery(join(dir, 'script.yml'), join(dir, 'artillery.json'), { RAMPART_BUNDLE_DIR: bundle, DEBUG: 'core' }, 60_000);
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /Could not (load|initialize) plugin: rampart/);
  assert.ok(result.stderr.includes(`Plugin rampart loaded from ${installed}`), 'DEBUG=core names the installed copy');
  assert.deepEqual((await readdir(bundle)).sort(), ['generator.json', 'histograms.json'], result.stderr);
  assert.match(result.stderr, /rampart: measured 1 endpoint\(s\)/);
});
