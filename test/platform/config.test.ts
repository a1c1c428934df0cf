// Configuration: defaults, validation with a one-line message naming the variable, INJECT_LATENCY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig, parseInjectLatency } from '../../platform/config.ts';

test('defaults: 127.0.0.1:3000, embedded database under .data/postgres, documented limits', () => {
  const config = loadConfig({}, '/srv/rampart');
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, path.resolve('/srv/rampart/.data/postgres'));
  assert.equal(config.accessTokenTtlSeconds, 900);
  assert.equal(config.refreshTokenTtlSeconds, 7 * 86_400);
  assert.equal(config.bcryptCost, 12);
  assert.equal(config.rateLimitPerMinute, 1200);
  assert.equal(config.loginRateLimitPerMinute, 20);
  assert.equal(config.authFailuresPerMinute, 100);
  assert.equal(config.trustProxy, false);
  assert.equal(config.maxBatchEvents, 1000);
  assert.equal(config.bodyLimitBytes, 1024 * 1024);
  assert.equal(config.dbPoolSize, 10);
  assert.equal(config.seedPreset, 'small');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.injectLatency.size, 0);
  assert.equal(config.jwtSecretGenerated, true);
  assert.ok(config.jwtSecret.length >= 32);
  assert.notEqual(loadConfig({}).jwtSecret, config.jwtSecret, 'a random secret per start');
});

test('values from the environment are used', () => {
  const config = loadConfig({
    PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@db.internal:5433/siem', DATA_DIR: '/var/lib/rampart',
    JWT_SECRET: 'x'.repeat(40), BCRYPT_COST: '10', RATE_LIMIT_PER_MINUTE: '60', SEED_PRESET: 'representative', LOG_LEVEL: 'warn', DB_POOL_SIZE: '25',
    AUTH_FAILURES_PER_MINUTE: '500', TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32 ,192.0.2.1',
  });
  assert.equal(config.authFailuresPerMinute, 500);
  assert.deepEqual(config.trustProxy, ['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.databaseUrl, 'postgres://u:p@db.internal:5433/siem');
  assert.equal(config.dataDir, '/var/lib/rampart');
  assert.equal(config.jwtSecret, 'x'.repeat(40));
  assert.equal(config.jwtSecretGenerated, false);
  assert.equal(config.bcryptCost, 10);
  assert.equal(config.rateLimitPerMinute, 60);
  assert.equal(config.seedPreset, 'representative');
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.dbPoolSize, 25);
});

test('invalid values are a ConfigError whose one-line message names the variable and the fix', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^PORT="eighty" is not a whole number; set it to an integer between 0 and 65535$/],
    [{ PORT: '70000' }, /^PORT=70000 is out of range/],
    [{ BCRYPT_COST: '3' }, /^BCRYPT_COST=3 is out of range; set it to an integer between 4 and 16$/],
    [{ DB_POOL_SIZE: '-1' }, /^DB_POOL_SIZE="-1" is not a whole number/],
    [{ SEED_PRESET: 'huge' }, /^SEED_PRESET="huge" is not allowed; use one of small, representative, none$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is not allowed/],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET is shorter than 32 characters/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /^DATABASE_URL is not a postgres:\/\/ URL/],
    [{ INJECT_LATENCY: '/api/v1/alerts=0.2' }, /^INJECT_LATENCY entry "\/api\/v1\/alerts=0.2" has no endpoint key/],
    [{ INJECT_LATENCY: 'GET /api/v1/alerts=fast' }, /^INJECT_LATENCY entry "GET \/api\/v1\/alerts=fast" has a bad fraction/],
    [{ AUTH_FAILURES_PER_MINUTE: '0' }, /^AUTH_FAILURES_PER_MINUTE=0 is out of range/],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY entry "true" is not a proxy address; list addresses or CIDR ranges/],
    [{ TRUST_PROXY: '2' }, /^TRUST_PROXY entry "2" is not a proxy address/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY entry "10.0.0.0\/33" is not a proxy address/],
    [{ MAX_BATCH_EVENTS: '5000' }, /^MAX_BATCH_EVENTS=5000 is out of range; set it to an integer between 1 and 4095$/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      assert.equal(error.message.includes('\n'), false);
      return true;
    }, JSON.stringify(env));
  }
});

test('INJECT_LATENCY parses endpoint keys with fractions', () => {
  const parsed = parseInjectLatency('GET /api/v1/alerts=0.2, POST /api/v1/events/batch=0.5,GET /api/v1/alerts/:id=1');
  assert.deepEqual([...parsed], [['GET /api/v1/alerts', 0.2], ['POST /api/v1/events/batch', 0.5], ['GET /api/v1/alerts/:id', 1]]);
  assert.equal(parseInjectLatency('').size, 0);
  assert.equal(parseInjectLatency(undefined).size, 0);
});

test('OPTIMIZATIONS: none by default, all, a list; an unknown name is one line naming it and the known ones', () => {
  assert.deepEqual([...loadConfig({}).optimizations], []);
  assert.deepEqual([...loadConfig({ OPTIMIZATIONS: 'none' }).optimizations], []);
  assert.deepEqual([...loadConfig({ OPTIMIZATIONS: 'all' }).optimizations].sort(), ['aggregate-cache', 'auth-indexes', 'correlation-window', 'dashboard-counter', 'set-detection']);
  assert.deepEqual([...loadConfig({ OPTIMIZATIONS: ' auth-indexes, set-detection ' }).optimizations], ['auth-indexes', 'set-detection']);
  assert.throws(() => loadConfig({ OPTIMIZATIONS: 'auth-indexes,turbo' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'OPTIMIZATIONS names an unknown optimisation "turbo"; use none, all or a comma-separated list of auth-indexes, set-detection, correlation-window, dashboard-counter, aggregate-cache');
    return true;
  });
});
