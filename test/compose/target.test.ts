// Target safety: loopback only unless allowlisted (exit 2 naming the allowlist); the configuration file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { RampartError, EXIT } from '../../src/core/errors.ts';
import { checkReachable, checkTargetAllowed, isLoopbackHost, parseTarget, redactTarget } from '../../src/compose/target.ts';
import { DEFAULT_CONFIG, parseConfig } from '../../src/compose/config.ts';
import { freePort } from '../../src/run/platform.ts';

test('loopback hosts are always allowed: the literal addresses and the name localhost itself', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', '[::ffff:7f00:1]', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['10.0.0.1', 'example.com', '128.0.0.1', '::2', 'localhost.example.com', 'api.localhost', 'localhost.', '::ffff:8.8.8.8', '0.0.0.0']) assert.equal(isLoopbackHost(h), false, h);
  // the URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1]: still loopback
  assert.doesNotThrow(() => { checkTargetAllowed(parseTarget('http://[::ffff:127.0.0.1]:3000'), DEFAULT_CONFIG); });
});

test('credentials in a target are never shown in a message', async () => {
  assert.equal(redactTarget('http://user:secret@127.0.0.1:3000/x'), 'http://***@127.0.0.1:3000/x');
  assert.equal(redactTarget('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
  assert.throws(() => parseTarget('http://user:secret@exa mple.com'), (e: unknown) => e instanceof RampartError && !e.message.includes('secret') && e.message.includes('***@'));
  assert.throws(() => { checkTargetAllowed(parseTarget('http://user:secret@example.com'), DEFAULT_CONFIG); }, (e: unknown) => e instanceof RampartError && !e.message.includes('secret'));
  const port = await freePort();
  await assert.rejects(checkReachable(`http://user:secret@127.0.0.1:${port}`, 3000), (e: unknown) =>
    e instanceof RampartError && !e.message.includes('secret') && e.message.startsWith('target http://***@127.0.0.1:'));
});

test('a host outside loopback is refused with exit 2, naming the allowlist, unless listed', () => {
  const config = parseConfig({ targets: { allow: ['staging.internal'] } }, 'rampart.config.yml');
  assert.doesNotThrow(() => { checkTargetAllowed(parseTarget('https://staging.internal:8443'), config); });
  assert.doesNotThrow(() => { checkTargetAllowed(parseTarget('http://127.0.0.1:3000'), DEFAULT_CONFIG); });
  assert.throws(
    () => { checkTargetAllowed(parseTarget('http://prod.example.com'), config); },
    (e: unknown) => e instanceof RampartError && e.exitCode === EXIT.usage &&
      e.message === "target host 'prod.example.com' is not loopback and not in the allowlist (targets.allow in rampart.config.yml: staging.internal); add it there to send load to it",
  );
});

test('bad URLs and bad configuration values are one-line errors', () => {
  assert.throws(() => parseTarget('not a url'), (e: unknown) => e instanceof RampartError && /is not a URL/.test(e.message));
  assert.throws(() => parseTarget('ftp://127.0.0.1'), (e: unknown) => e instanceof RampartError && /must use http or https/.test(e.message));
  assert.throws(() => parseConfig({ targets: { allow: ['http://x/'] } }, 'c.yml'), (e: unknown) => e instanceof RampartError && /^c\.yml: targets\.allow/.test(e.message));
  assert.throws(() => parseConfig({ limits: { maxArrivalRate: 0 } }, 'c.yml'), (e: unknown) => e instanceof RampartError && /maxArrivalRate must be a positive number/.test(e.message));
});

test('an unreachable target is exit 3 with the connection error\'s code; a listening one passes', async (t) => {
  const port = await freePort();
  await assert.rejects(checkReachable(`http://127.0.0.1:${port}`, 3000), (e: unknown) =>
    e instanceof RampartError && e.exitCode === EXIT.untrustworthy && /unreachable \(ECONNREFUSED\)/.test(e.message));
  // port 1 is one fetch() refuses to use ("bad port", a TypeError); the probe reports the real refusal
  await assert.rejects(checkReachable('http://127.0.0.1:1', 3000), (e: unknown) => e instanceof RampartError && /unreachable \(ECONNREFUSED\)/.test(e.message));
  // localhost tries ::1 and 127.0.0.1: the code of the failure, not an AggregateError's name
  await assert.rejects(checkReachable(`http://localhost:${port}`, 3000), (e: unknown) => e instanceof RampartError && /unreachable \(ECONNREFUSED\)/.test(e.message));
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => { r(); }));
  t.after(() => server.close());
  const address = server.address();
  assert.ok(typeof address === 'object' && address !== null);
  await checkReachable(`http://127.0.0.1:${address.port}`);
});
