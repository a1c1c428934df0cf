// The tree's shape, as docs/architecture.md states it: which folder may import which, no cycle
// between folders, no route importing another route, and no source file past 300 lines. Reads the
// files as text: the relative imports of every TypeScript module under src/, plugins/, platform/
// and processors/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/core/paths.ts';

const ROOTS = ['src', 'plugins', 'platform', 'processors'];
const MAX_LINES = 300;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(rel));
    } else if (/\.m?ts$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

interface Edge { from: string; to: string }

/** Relative imports (static and dynamic) of each file, resolved to repository paths. */
function importEdges(files: string[]): Edge[] {
  const edges: Edge[] = [];
  const pattern = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm;
  for (const file of files) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const match of text.matchAll(pattern)) {
      // Exactly one of the three groups matched; the others are undefined at run time.
      const groups: (string | undefined)[] = match.slice(1);
      const spec = groups.find((group) => group !== undefined);
      if (spec === undefined) continue;
      edges.push({ from: file, to: path.normalize(path.join(path.dirname(file), spec)) });
    }
  }
  return edges;
}

const files = ROOTS.flatMap(sourceFiles);
const edges = importEdges(files);

/** The unit the import rules speak of: src/<stage>, plugins, platform, processors. */
function unitOf(file: string): string {
  const parts = file.split(path.sep);
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0];
}

test('every relative import names a file that exists', () => {
  const known = new Set(files);
  const missing = edges.filter((e) => /\.m?ts$/.test(e.to) && !known.has(e.to) && !e.to.startsWith('node_modules'));
  assert.deepEqual(missing, []);
});

test('src/core imports no stage, no plugin and no platform code', () => {
  const bad = edges.filter((e) => unitOf(e.from) === 'src/core' && unitOf(e.to) !== 'src/core');
  assert.deepEqual(bad, []);
});

test('the measurement plugin imports only src/core', () => {
  const bad = edges.filter((e) => unitOf(e.from) === 'plugins' && !['plugins', 'src/core'].includes(unitOf(e.to)));
  assert.deepEqual(bad, []);
});

test('no stage imports the plugin; only the coverage stage reaches the platform, through platform/index.ts', () => {
  const bad = edges.filter((e) => e.from.startsWith('src') && (unitOf(e.to) === 'plugins' || (unitOf(e.to) === 'platform' && e.to !== path.join('platform', 'index.ts'))));
  assert.deepEqual(bad, []);
  const reachers = new Set(edges.filter((e) => e.from.startsWith('src') && unitOf(e.to) === 'platform').map((e) => unitOf(e.from)));
  assert.deepEqual([...reachers].filter((u) => u !== 'src/coverage'), []);
});

test('the platform and the processors import nothing of the tool', () => {
  const bad = edges.filter((e) => ['platform', 'processors'].includes(unitOf(e.from)) && unitOf(e.to) !== unitOf(e.from));
  assert.deepEqual(bad, []);
});

test('no import cycle between folders of src/, and the entry (src/cli) is imported by no stage', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (a === b || !a.startsWith('src/') || !b.startsWith('src/')) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)?.add(b);
  }
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]): void => {
    for (const next of graph.get(node) ?? []) {
      if (trail.includes(next)) cycles.push([...trail.slice(trail.indexOf(next)), next].join(' -> '));
      else visit(next, [...trail, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  assert.deepEqual([...new Set(cycles)], []);
  const intoCli = edges.filter((e) => unitOf(e.to) === 'src/cli' && unitOf(e.from) !== 'src/cli');
  assert.deepEqual(intoCli, []);
});

test('no platform route module imports another route module', () => {
  const routeOf = (file: string): string | null => {
    const parts = file.split(path.sep);
    return parts[0] === 'platform' && parts[1] === 'routes' ? (parts[2] ?? null) : null;
  };
  const bad = edges.filter((e) => {
    const a = routeOf(e.from);
    const b = routeOf(e.to);
    return a !== null && b !== null && a !== b;
  });
  assert.deepEqual(bad, []);
});

test(`no source file is over ${MAX_LINES} lines`, () => {
  const long = files
    .map((file) => ({ file, lines: readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > MAX_LINES);
  assert.deepEqual(long, []);
});
