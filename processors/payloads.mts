// Payloads: seeded faker data pools shared by every scenario, and realistic event batches.
// Seed: env RAMPART_SEED (set by `rampart run --seed`, default 1). The pools are identical for a given
// seed; individual draws follow the same seeded stream, in the order virtual users ask for them.
import { Faker, base, en } from '@faker-js/faker';
import { createHash, randomUUID } from 'node:crypto';

const SEED = parseSeed(process.env.RAMPART_SEED);

function parseSeed(raw: string | undefined): number {
  const n = Number(raw ?? '1');
  return Number.isInteger(n) && n >= 0 ? n : 1;
}

export const faker = new Faker({ locale: [en, base], seed: SEED });

const PUBLIC_FIRST_OCTETS = [23, 31, 45, 51, 62, 77, 82, 91, 103, 104, 137, 142, 151, 185, 195, 203, 212, 217];

/** A public-looking IPv4 address (never private, loopback or the probes' 198.18.0.0/15). */
function publicIp(): string {
  return `${faker.helpers.arrayElement(PUBLIC_FIRST_OCTETS)}.${faker.number.int(255)}.${faker.number.int(255)}.${faker.number.int({ min: 1, max: 254 })}`;
}

export type EventType = 'auth' | 'network' | 'process' | 'dns' | 'file';
type Severity = 'low' | 'medium' | 'high' | 'critical';

/** One event as POST /api/v1/events/batch accepts it. */
export interface PlatformEvent {
  type: EventType;
  occurredAt: string;
  host: string;
  username?: string;
  srcIp?: string;
  dstIp?: string;
  dstPort?: number;
  outcome?: 'success' | 'failure';
  country?: string;
  domain?: string;
  process?: string;
  fileHash?: string;
  message: string;
  attributes?: Record<string, string | number | boolean>;
}

export interface IndicatorInput {
  type: 'ip' | 'domain' | 'hash';
  value: string;
  severity: Severity;
  source: string;
  description?: string;
}

// --- Pools (built once from the seed) ----------------------------------------------------------
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const HOME_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'CA', 'IE', 'ES'];

export const pools = {
  hosts: range(300).map((i) => `${faker.helpers.arrayElement(['ws', 'lt', 'srv', 'db', 'web', 'vpn'])}-${String(i + 1).padStart(4, '0')}.corp.example`),
  /** employees of the monitored organisation (event usernames), each with a home country */
  employees: range(500).map((i) => ({
    username: `${faker.internet.username().toLowerCase().replace(/[^a-z0-9._-]/g, '')}${i}`,
    country: faker.helpers.arrayElement(HOME_COUNTRIES),
  })),
  internalIps: range(400).map(() => `10.${faker.number.int({ min: 0, max: 255 })}.${faker.number.int({ min: 0, max: 255 })}.${faker.number.int({ min: 1, max: 254 })}`),
  externalIps: range(400).map(() => publicIp()),
  domains: range(300).map(() => faker.internet.domainName()),
  processes: ['chrome.exe', 'outlook.exe', 'teams.exe', 'explorer.exe', 'svchost.exe', 'powershell.exe', 'python3', 'sshd', 'nginx', 'java', 'code.exe', 'excel.exe'],
  fileHashes: range(200).map(() => faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' })),
  searchTerms: ['login', 'failure', 'powershell', 'connection', 'dns query', 'sshd', 'admin', 'download', 'blocked', 'session'],
} as const;

export const pick = <T,>(list: readonly T[]): T => faker.helpers.arrayElement(list);

// --- Fast draws for the hot path ----------------------------------------------------------------
// Sensors send thousands of events a second at rate-scale 2; a faker call per field cost ~20 µs an
// event on the generator's one worker thread. Events draw from the pools above (and the word pools
// below, built once by faker) through sfc32, a small seeded PRNG: one call per draw, no allocation.
// Its stream is seeded from RAMPART_SEED too, so the same seed gives the same stream of events.
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}
const random = sfc32(SEED);
/** A whole number in [min, max], from the events' seeded stream. */
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const draw = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alphanumeric = (length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
  return out;
};

const words = {
  filePaths: range(300).map(() => faker.system.filePath()),
  fileNames: range(300).map(() => faker.system.fileName()),
  authMethods: ['ssh', 'rdp', 'vpn', 'sso', 'kerberos'],
  dstPorts: [443, 443, 443, 80, 53, 22, 3389, 8080, 5432],
} as const;

/** Event types in realistic proportions (network and DNS dominate, auth and process follow), 1 % steps. */
const EVENT_TYPES: readonly EventType[] = ([['network', 35], ['dns', 25], ['auth', 20], ['process', 12], ['file', 8]] as const)
  .flatMap(([type, weight]) => range(weight).map(() => type));
const pickEventType = (): EventType => draw(EVENT_TYPES);

// --- Events ---------------------------------------------------------------------------------------
/** A benign event of the given type, occurring within the last few seconds. */
export function benignEvent(type: EventType = pickEventType()): PlatformEvent {
  const host = draw(pools.hosts);
  const occurredAt = new Date(Date.now() - int(0, 5000)).toISOString();
  const employee = draw(pools.employees);
  switch (type) {
    case 'auth': {
      const outcome = int(1, 100) <= 4 ? 'failure' : 'success';
      const srcIp = draw(pools.internalIps);
      const method = draw(words.authMethods);
      return {
        type, occurredAt, host, username: employee.username, srcIp, outcome, country: employee.country,
        message: `${method} login ${outcome} for ${employee.username} from ${srcIp}`,
        attributes: { method, sessionId: alphanumeric(12) },
      };
    }
    case 'network': {
      const srcIp = draw(pools.internalIps);
      const dstIp = draw(pools.externalIps);
      const dstPort = draw(words.dstPorts);
      const bytes = int(200, 5_000_000);
      return {
        type, occurredAt, host, srcIp, dstIp, dstPort,
        message: `connection ${srcIp} -> ${dstIp}:${dstPort} allowed (${bytes} bytes)`,
        attributes: { protocol: dstPort === 53 ? 'udp' : 'tcp', bytes, action: 'allow' },
      };
    }
    case 'process': {
      const process = draw(pools.processes);
      return {
        type, occurredAt, host, username: employee.username, process, fileHash: draw(pools.fileHashes),
        message: `process started: ${process} by ${employee.username}`,
        attributes: { pid: int(100, 65000), parent: 'explorer.exe', commandLine: `${process} ${draw(words.fileNames)}` },
      };
    }
    case 'dns': {
      const domain = draw(pools.domains);
      return {
        type, occurredAt, host, srcIp: draw(pools.internalIps), domain,
        message: `dns query A ${domain}`,
        attributes: { qtype: 'A', rcode: 'NOERROR' },
      };
    }
    case 'file': {
      const path = draw(words.filePaths);
      return {
        type, occurredAt, host, username: employee.username, fileHash: draw(pools.fileHashes),
        message: `file written: ${path}`,
        attributes: { path, action: 'write', size: int(10, 10_000_000) },
      };
    }
  }
}

export const newBatchId = (): string => `b-${randomUUID()}`;

export function benignBatch(size: number): { batchId: string; events: PlatformEvent[] } {
  const events = new Array<PlatformEvent>(Math.max(1, size));
  for (let i = 0; i < events.length; i++) events[i] = benignEvent();
  return { batchId: newBatchId(), events };
}

// --- Threat intelligence -----------------------------------------------------------------------
export function indicatorBatch(size: number, source = 'rampart-feed'): IndicatorInput[] {
  return range(size).map((): IndicatorInput => {
    const type = pick(['ip', 'domain', 'hash'] as const);
    const value =
      type === 'ip' ? publicIp()
        : type === 'domain' ? `${faker.string.alpha({ length: 10, casing: 'lower' })}.${pick(['xyz', 'top', 'biz', 'info'])}`
          : faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' });
    return { type, value, severity: pick(['low', 'medium', 'high', 'critical'] as const), source, description: `feed entry ${faker.string.alphanumeric(8)}` };
  });
}

// --- Unique values for probes (never collide with pools, so dedup keys are fresh) ----------------
let probeCounter = 0;
export function uniqueToken(): string {
  probeCounter += 1;
  return createHash('sha256').update(`${SEED}:${process.pid}:${Date.now()}:${probeCounter}:${randomUUID()}`).digest('hex').slice(0, 12);
}

/** A documentation-range-free, unique-looking public IPv4 from a token (198.18.0.0/15 benchmark range). */
export function uniqueIp(): string {
  const h = createHash('sha256').update(uniqueToken()).digest();
  return `198.${18 + (h[0] & 1)}.${h[1]}.${1 + (h[2] % 254)}`;
}

/**
 * Whether an address is one of the probes' attacker IPs (uniqueIp: 198.18.0.0/15). Flows that close
 * alerts or group them into incidents leave probe alerts alone: a probe's alert closed as a false
 * positive, or put in a manual incident, can no longer be correlated, and the probe would report a
 * correlation failure the platform did not cause.
 */
export const isProbeIp = (ip: unknown): boolean => typeof ip === 'string' && /^198\.1[89]\./.test(ip);

export const isoAgo = (ms: number): string => new Date(Date.now() - ms).toISOString();
