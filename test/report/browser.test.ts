// report.html in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// the charts render, nothing reaches the network, the console stays clean, and names from the run
// that carry HTML render as inert text. Screenshots and the rendered pages are kept in
// reports/test-output/report/ (or $RAMPART_TEST_OUTPUT) for a person to look at.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, copyFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { writeReports } from '../../src/report/index.ts';
import { syntheticBundle, syntheticGate, writeBundle, tempDir, removeDir, DEFAULT_ENDPOINTS } from './fixtures.ts';
import { must } from '../results/fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve(process.env.RAMPART_TEST_OUTPUT ?? join(import.meta.dirname, '..', '..', 'reports', 'test-output', 'report'));
const INJECTION = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

interface PageVisit {
  page: Page;
  consoleErrors: string[];
  foreignRequests: string[];
}

interface CanvasInfo { width: number; height: number; painted: number }

describe('report.html in headless Chromium', { timeout: 180_000, skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)` }, () => {
  let context: BrowserContext | undefined; // a persistent context: closing it ends the browser process
  let userDataDir: string;
  const dirs: string[] = [];

  before(async () => {
    await mkdir(OUTPUT, { recursive: true });
    userDataDir = await tempDir('rampart-chromium-profile-');
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      viewport: { width: 1366, height: 900 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    });
    context.setDefaultTimeout(30_000);
  });

  after(async () => {
    await context?.close();
    await removeDir(userDataDir);
    for (const dir of dirs) await removeDir(dir);
  });

  /** Opens a report file; any request that is not file: is recorded and aborted. */
  async function visit(htmlPath: string): Promise<PageVisit> {
    const page = await must(context, 'the browser context').newPage();
    const consoleErrors: string[] = [];
    const foreignRequests: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('request', (request) => { if (!request.url().startsWith('file:')) foreignRequests.push(request.url()); });
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) await route.continue();
      else {
        foreignRequests.push(url);
        await route.abort();
      }
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__rampartCharts !== undefined');
    return { page, consoleErrors, foreignRequests };
  }

  async function canvases(page: Page): Promise<CanvasInfo[]> {
    const result: unknown = await page.evaluate(`Array.from(document.querySelectorAll('canvas')).map(function (c) {
      var data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, painted = 0;
      for (var i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
      return { width: c.width, height: c.height, painted: painted };
    })`);
    assert.ok(Array.isArray(result));
    return result as CanvasInfo[];
  }

  it('renders every chart of a full bundle on non-empty canvases, with no console errors and no network', async () => {
    const dir = await writeBundle(syntheticBundle({ periods: 12 }), undefined, { gate: syntheticGate() });
    dirs.push(dir);
    const written = await writeReports(dir);
    const { page, consoleErrors, foreignRequests } = await visit(written.html);

    const drawn = await canvases(page);
    // latency, throughput, errors, endpoint p95, virtual users, arrivals, CPU, event-loop delay
    assert.equal(drawn.length, 8);
    for (const canvas of drawn) {
      assert.ok(canvas.width > 0 && canvas.height > 0, 'canvas has a size');
      assert.ok(canvas.painted > 500, `canvas is drawn on (${canvas.painted} painted pixels)`);
    }
    assert.equal(await page.evaluate('window.__rampartCharts'), 8);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);

    assert.match(await page.textContent('#verdict') ?? '', /FAIL/);
    const rows = await page.locator('table.endpoints tbody tr').count();
    assert.equal(rows, DEFAULT_ENDPOINTS.length);
    assert.match(await page.locator('table.endpoints').textContent() ?? '', /POST \/api\/v1\/events\/batch.*breached.*SLOWER/s);

    // a reviewer sorts the endpoints by p95: slowest first, then fastest first
    const firstKey = async (): Promise<string | null> => page.locator('table.endpoints tbody tr:first-child td.key').textContent();
    await page.locator('table.endpoints th', { hasText: 'p95' }).click();
    assert.equal(await firstKey(), 'POST /api/v1/auth/login');
    await page.locator('table.endpoints th', { hasText: 'p95' }).click();
    assert.equal(await firstKey(), 'GET /api/v1/alerts/:id');
    await page.locator('table.endpoints th', { hasText: 'Endpoint' }).click();
    await page.locator('table.endpoints th', { hasText: 'Endpoint' }).click();
    assert.equal(await firstKey(), 'GET /api/v1/alerts', 'back in key order');

    await page.screenshot({ path: join(OUTPUT, 'report-full.png'), fullPage: true });
    await copyFile(written.html, join(OUTPUT, 'report-full.html'));

    // junit.xml is well-formed XML to a real parser, with the test cases CI reporters count
    const xml = await readFile(written.junit, 'utf8');
    const parsed: unknown = await page.evaluate(`(function (text) {
      var doc = new DOMParser().parseFromString(text, 'application/xml');
      if (doc.getElementsByTagName('parsererror').length > 0) return { error: doc.getElementsByTagName('parsererror')[0].textContent };
      return { cases: doc.getElementsByTagName('testcase').length, failures: doc.getElementsByTagName('failure').length,
        first: doc.querySelector('failure').getAttribute('message') };
    })(${JSON.stringify(xml)})`);
    assert.deepEqual(parsed, { cases: 8, failures: 2, first: 'POST /api/v1/events/batch p95 is 57.3 ms, budget ≤ 40.0 ms' });
    await page.close();
  });

  it('renders a plain Artillery run, and its HTML-bearing request and scenario names, as inert text', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = join(dir, 'plain.json');
    await copyFile(join(import.meta.dirname, 'fixtures', 'artillery-plain.json'), file);
    const written = await writeReports(file);
    const { page, consoleErrors, foreignRequests } = await visit(written.html);

    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created from the data');
    assert.equal(await page.locator('body script').count(), 3, 'only the report’s own three script elements');
    const endpointCells = await page.locator('table.endpoints td.key').allTextContents();
    assert.ok(endpointCells.includes(INJECTION), `the request name shows as text: ${JSON.stringify(endpointCells)}`);
    assert.match(await page.locator('#scenarios').locator('..').textContent() ?? '', /Sensor <b>ingest<\/b>/);
    assert.match(await page.textContent('#notes') ?? '', /whole milliseconds/);

    const drawn = await canvases(page);
    assert.ok(drawn.length >= 4, `charts drawn: ${drawn.length}`);
    for (const canvas of drawn) assert.ok(canvas.painted > 500);
    // the per-endpoint chart's legend carries the name as text too
    const legend = await page.locator('#chart-endpoint-p95 .u-legend').textContent();
    assert.ok(legend?.includes(INJECTION));
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);

    await page.screenshot({ path: join(OUTPUT, 'report-plain-artillery.png'), fullPage: true });
    await copyFile(written.html, join(OUTPUT, 'report-plain-artillery.html'));
    await page.close();
  });

  it('keeps an injected endpoint key inert in a measurement-plugin bundle, in tables, tooltips and chart legends', async () => {
    const endpoints = [...DEFAULT_ENDPOINTS.slice(0, 2), { key: INJECTION, perPeriod: 50, medianMs: 8 }];
    const bundle = syntheticBundle({ endpoints, periods: 4 });
    const gate = syntheticGate({
      slo: [{ scope: INJECTION, metric: 'p95', threshold: 1, actual: 9, unit: 'ms', passed: false }],
      comparisons: [{ endpoint: INJECTION, verdict: 'SLOWER', ratio: 2, pValue: 0.01, detail: '</script><script>window.__pwned=3</script>' }],
    });
    const dir = await writeBundle(bundle, undefined, { gate });
    dirs.push(dir);
    const written = await writeReports(dir);
    const html = await readFile(written.html, 'utf8');
    assert.ok(!html.includes('<script>window.__pwned'), 'the raw markup never appears in the file');
    const { page, consoleErrors, foreignRequests } = await visit(written.html);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.ok((await page.locator('table.endpoints td.key').allTextContents()).includes(INJECTION));
    assert.match(await page.textContent('#verdict') ?? '', /<\/script><script>window\.__pwned=3<\/script>/);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
    await page.close();
  });
});
