// `rampart run --dashboard`: a page on 127.0.0.1 (a free port) that shows the run while it goes
// (page.ts), rebuilt from Artillery's console log and the platform's /metrics on every request, and
// after the run the final report at /report.html. Serves nothing else; stopped by close().
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedPhase } from '../../core/bundle/types.ts';
import { loadChartAssets } from '../../report/index.ts';
import { livePeriods } from './console-feed.ts';
import { livePage, type LiveModel } from './page.ts';
import { samplePlatform, type PlatformFeed } from './platform-feed.ts';

export interface LiveOptions {
  runId: string;
  profile: string;
  bundleDir: string;
  logFile: string;
  phases: readonly PlannedPhase[];
  /** the platform's base URL, sampled for its resources; null: none */
  platformUrl: string | null;
  refreshSeconds?: number;
}

export interface LivePage {
  url: string;
  /** the run has ended: stop reloading, link the report (its path, or null when none was written) */
  finish(verdict: string, reportFile: string | null): void;
  /** resolves once the final report has been served after finish(): nobody is left waiting for the link */
  reportOpened: Promise<void>;
  close(): Promise<void>;
}

/** The plugin settings the page needs: metrics-by-endpoint printing its per-endpoint figures each period. */
export const LIVE_PLUGINS = { 'metrics-by-endpoint': { useOnlyRequestNames: true, stripQueryString: true, suppressOutput: false } };

export async function startLivePage(o: LiveOptions): Promise<LivePage> {
  const assets = await loadChartAssets();
  const startedAtMs = Date.now();
  const feed: PlatformFeed | null = o.platformUrl === null ? null : samplePlatform(o.platformUrl);
  let finished: LiveModel['finished'] = null;
  let reportFile: string | null = null;
  let opened = (): void => undefined;
  const reportOpened = new Promise<void>((resolve) => { opened = resolve; });

  const page = async (): Promise<string> => {
    const log = await readFile(o.logFile, 'utf8').catch(() => '');
    return livePage({
      runId: o.runId,
      profile: o.profile,
      startedAtMs,
      phases: o.phases,
      periods: livePeriods(log, startedAtMs),
      platform: feed?.samples() ?? [],
      nowMs: Date.now(),
      finished,
      refreshSeconds: o.refreshSeconds ?? 5,
    }, assets);
  };

  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    const route = (req.url ?? '/').split('?')[0];
    const answer = route === '/'
      ? page().then((html) => { send(200, 'text/html; charset=utf-8', html); })
      : route === '/report.html' && reportFile !== null
        ? readFile(reportFile).then((html) => { send(200, 'text/html; charset=utf-8', html); opened(); })
        : Promise.resolve().then(() => { send(404, 'text/plain', 'not found\n'); });
    answer.catch(() => { send(500, 'text/plain', 'the page could not be built\n'); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    reportOpened,
    finish(verdict, file): void {
      reportFile = file;
      finished = { verdict, reportHref: file === null ? null : '/report.html', bundleDir: path.resolve(o.bundleDir) };
      feed?.stop();
    },
    close: () => new Promise<void>((resolve) => {
      feed?.stop();
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

/** How long the page stays up after the run, at most, for its link to the report: RAMPART_DASHBOARD_LINGER seconds (default 30). */
export function lingerSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.RAMPART_DASHBOARD_LINGER ?? '30');
  return Number.isFinite(n) && n >= 0 ? n : 30;
}

/** After the report was opened, the page stays up this long more, for a second tab or a reload. */
const OPENED_GRACE_MS = 2000;

/**
 * The named step after the run: the page shows the verdict and the report's link until the report
 * has been opened (then 2 s more) or for the linger time, whichever ends first, then stops.
 */
export async function endLivePage(live: LivePage, verdict: string, reportFile: string | null, say: (line: string) => void): Promise<void> {
  live.finish(verdict, reportFile);
  const seconds = lingerSeconds();
  if (seconds > 0) {
    say(`live page ${live.url} stays up ${String(seconds)} s with the link to the report, or until the report is opened (RAMPART_DASHBOARD_LINGER)`);
    const timers: NodeJS.Timeout[] = [];
    const wait = (ms: number): Promise<void> => new Promise((resolve) => { timers.push(setTimeout(resolve, ms)); });
    await Promise.race([wait(seconds * 1000), live.reportOpened.then(() => wait(Math.min(OPENED_GRACE_MS, seconds * 1000)))]);
    for (const timer of timers) clearTimeout(timer);
  }
  await live.close();
}
