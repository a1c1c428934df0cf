// The plugin's build: its TypeScript and the parts of src/core it imports, as plain JavaScript in
// plugins/rampart/dist/, so that `artillery-plugin-rampart` loads from any node_modules (Node refuses
// to strip types under node_modules) and imports nothing outside its own package.
//
//   node plugins/rampart/build.ts        (npm's `prepare`, so `npm ci` and `npm ci --omit=dev` run it)
//
// Types are removed by Node's own module.stripTypeScriptTypes: no compiler is needed, so the build
// also runs when devDependencies are omitted. Stripping replaces types with spaces, so lines and
// columns in dist/ match the .ts sources (stack traces point at the right line). The sources stay
// the truth and are type-checked by the project's typecheck; dist/ is generated and git-ignored.
//
// Layout: plugins/rampart/<file>.ts -> dist/<file>.js; src/core/<file>.ts -> dist/core/<file>.js.
// Only modules reached by a runtime import are built (`import type` is erased first), import paths
// are rewritten to the built files, and the build fails in one line when the plugin reaches a file
// outside plugins/rampart and src/core, or a package its package.json does not declare.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RampartError, usageError } from '../../src/core/errors.ts';

const pluginDir = dirname(fileURLToPath(import.meta.url));
const coreDir = resolve(pluginDir, '../../src/core');
const distDir = join(pluginDir, 'dist');
const SELF = 'build.ts';

/** Where a source file's JavaScript goes, or null when the plugin may not import it. */
function outputPath(source: string): string | null {
  const inPlugin = relative(pluginDir, source);
  if (!inPlugin.startsWith('..') && !inPlugin.startsWith(`dist${sep}`)) return join(distDir, inPlugin.replace(/\.ts$/, '.js'));
  const inCore = relative(coreDir, source);
  if (!inCore.startsWith('..')) return join(distDir, 'core', inCore.replace(/\.ts$/, '.js'));
  return null;
}

// Static `import ... from '...'`, `export ... from '...'`, bare `import '...'` and `import('...')`.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\2/gm;

function declaredPackages(): Set<string> {
  const manifest = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return new Set(Object.keys(manifest.dependencies ?? {}));
}

const packageName = (spec: string): string => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

function fail(message: string): never {
  throw usageError(message);
}

function build(): string[] {
  const declared = declaredPackages();
  const entries = readdirSync(pluginDir).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && n !== SELF).map((n) => join(pluginDir, n));
  const queue = [...entries];
  const built = new Map<string, string>(); // output path -> JavaScript
  const seen = new Set<string>();
  while (queue.length > 0) {
    const source = queue.pop() as string;
    if (seen.has(source)) continue;
    seen.add(source);
    const out = outputPath(source);
    if (out === null) fail(`${relative(pluginDir, source)} is outside plugins/rampart and src/core; the plugin may import only those`);
    let code: string;
    try {
      code = stripTypeScriptTypes(readFileSync(source, 'utf8'), { mode: 'strip' });
    } catch (error) {
      fail(`${relative(process.cwd(), source)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    code = code.replace(SPECIFIER, (whole, lead: string, quote: string, spec: string) => {
      if (spec.startsWith('.')) {
        if (!spec.endsWith('.ts')) fail(`${relative(process.cwd(), source)}: import '${spec}' must name its .ts file`);
        const target = resolve(dirname(source), spec);
        const targetOut = outputPath(target);
        if (targetOut === null) fail(`${relative(process.cwd(), source)} imports ${relative(process.cwd(), target)}, outside plugins/rampart and src/core`);
        queue.push(target);
        let rel = relative(dirname(out), targetOut).split(sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `${lead}${quote}${rel}${quote}`;
      }
      const isBuiltin = spec.startsWith('node:') || builtinModules.includes(spec);
      if (!isBuiltin && !declared.has(packageName(spec))) {
        fail(`${relative(process.cwd(), source)} imports '${spec}', which plugins/rampart/package.json does not declare in dependencies`);
      }
      return whole;
    });
    built.set(out, code);
  }
  // Write into a fresh folder, then swap it in: a run loading the plugin meanwhile sees the old
  // build or the new one.
  const staging = `${distDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  for (const [out, code] of built) {
    const target = join(staging, relative(distDir, out));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  const old = `${distDir}.${process.pid}.old`;
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(distDir, old);
  } catch {
    // no previous build
  }
  renameSync(staging, distDir);
  rmSync(old, { recursive: true, force: true });
  return [...built.keys()].map((p) => relative(pluginDir, p)).sort();
}

// stripTypeScriptTypes is experimental in Node 22 and says so once; the build's output is the one line below.
process.removeAllListeners('warning');
try {
  const files = build();
  process.stdout.write(`rampart plugin build: ${files.length} files in ${relative(process.cwd(), distDir) || distDir}\n`);
} catch (error) {
  process.stderr.write(`rampart plugin build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof RampartError ? error.exitCode : 70;
}
