// A stand-in server with a known capacity, for rampart capacity (./stand-in.run.test.ts and
// npm run bench:capacity). It has `slots` service slots; each request holds one for `serviceMs`
// (a timer, not CPU work, so the capacity does not depend on how busy the machine is) and waits in
// a FIFO queue while all are taken. Capacity = slots / serviceMs requests per second: below it a
// request takes serviceMs; above it the queue, and so the latency, grows for as long as the load
// lasts. GET /health answers at once (outside the slots), GET /stats[?reset] with the requests served,
// their mean hold time and the longest queue since the last reset. Loopback only; stopped by close().
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StandInOptions {
  slots: number;
  serviceMs: number;
}

export interface StandIn {
  url: string;
  /** the nominal capacity, slots / serviceMs, in requests per second */
  capacity: number;
  /** the capacity from the measured hold times (timers fire a little late): slots / mean hold */
  measuredCapacity(): number | null;
  served(): number;
  maxQueue(): number;
  close(): Promise<void>;
}

async function startStandIn(options: StandInOptions): Promise<StandIn> {
  let free = options.slots;
  const queue: (() => void)[] = [];
  let served = 0;
  let heldMs = 0;
  let maxQueue = 0;
  const release = (): void => {
    const next = queue.shift();
    if (next === undefined) free += 1;
    else next();
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      res.end('ok');
      return;
    }
    if (path === '/stats') {
      // what the slots did since the last reset: the effective capacity is slots / mean hold
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ served, meanHoldMs: served === 0 ? null : heldMs / served, maxQueue }));
      if ((req.url ?? '').includes('reset')) {
        served = 0;
        heldMs = 0;
        maxQueue = 0;
      }
      return;
    }
    const work = (): void => {
      const started = performance.now();
      setTimeout(() => {
        heldMs += performance.now() - started;
        served += 1;
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
        release();
      }, options.serviceMs);
    };
    req.resume();
    if (free > 0) {
      free -= 1;
      work();
    } else {
      queue.push(work);
      maxQueue = Math.max(maxQueue, queue.length);
    }
  };
  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    capacity: options.slots / (options.serviceMs / 1000),
    measuredCapacity: () => (served === 0 ? null : options.slots / (heldMs / served / 1000)),
    served: () => served,
    maxQueue: () => maxQueue,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

/**
 * A suite folder (RAMPART_SUITE_DIR layout) whose profile `standin` sends one request per virtual user
 * to each of `paths` of a stand-in; its own empty processors keep Artillery's start short. The
 * profile's phases are only a default: capacity replaces them with its steady steps.
 */
export async function writeStandInSuite(dir: string, paths: readonly string[], phases = '    - { name: steady, duration: 5, arrivalRate: 10 }'): Promise<string> {
  for (const sub of ['phases', 'scenarios', 'processors']) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, 'processors', 'index.ts'), '// no hooks: the stand-in flow calls none\nexport {};\n');
  await writeFile(join(dir, 'processors', 'package.json'), '{ "type": "commonjs" }\n');
  await writeFile(join(dir, 'phases', 'standin.yml'), `config:\n  phases:\n${phases}\n  http:\n    timeout: 30\n  rampart:\n    description: the stand-in server's flow\n    mix:\n      standin: 1\n`);
  const requests = paths.map((p) => `      - get: { url: "${p}", name: "GET ${p}" }`).join('\n');
  await writeFile(join(dir, 'scenarios', 'standin.yml'), `scenarios:\n  - name: standin\n    flow:\n${requests}\n`);
  return dir;
}

/**
 * The stand-in in a child process of its own (`node test/capacity/stand-in.ts SLOTS SERVICE_MS`), so
 * that its timers fire on time however busy the test's own event loop is; stopped by its pid.
 */
export async function spawnStandIn(slots: number, serviceMs: number): Promise<{ url: string; capacity: number; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [import.meta.filename, String(slots), String(serviceMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = /^(http:\/\/\S+)\n/.exec(text);
      if (line !== null) resolve(line[1]);
    });
    child.once('exit', (code) => { reject(new Error(`the stand-in exited (${String(code)}) before it listened`)); });
  });
  const stop = (): Promise<void> => new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) { resolve(); return; }
    child.once('exit', () => { resolve(); });
    process.kill(child.pid, 'SIGTERM');
  });
  return { url, capacity: slots / (serviceMs / 1000), stop };
}

if (process.argv[1] === import.meta.filename) {
  const server = await startStandIn({ slots: Number(process.argv[2]), serviceMs: Number(process.argv[3]) });
  process.stdout.write(`${server.url}\n`);
  process.once('SIGTERM', () => { void server.close().then(() => process.exit(0)); });
}
