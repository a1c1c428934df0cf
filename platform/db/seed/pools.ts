// The history seed's value pools (hosts, IPs, domains, hashes, countries, extra users, indicators),
// built in JavaScript from a faker seeded with the seed number. Pure: the same seed gives the same pools.
import { Faker, base, en } from '@faker-js/faker';
import type { IndicatorType, UserRole } from '../../domain/vocabulary.ts';
import type { HistorySize } from './sizes.ts';

const INDICATOR_SOURCES = ['abuse.ch', 'alienvault-otx', 'misp-community', 'internal-hunt', 'crowd-feed', 'spamhaus', 'vendor-intel'];

/** A seeded faker of its own, so the platform's other users of faker are never disturbed. */
function seededFaker(seed: number): Faker {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  return f;
}

function uniqueValues(count: number, make: () => string, taken: Set<string> = new Set()): string[] {
  const out: string[] = [];
  let attempts = 0;
  while (out.length < count) {
    let v = make();
    attempts += 1;
    if (taken.has(v)) {
      if (attempts > count * 20) v = `${v}-${out.length}`;
      else continue;
    }
    if (taken.has(v)) continue;
    taken.add(v);
    out.push(v);
  }
  return out;
}

export interface ValuePools {
  hosts: string[];
  internalIps: string[];
  externalIps: string[];
  domains: string[];
  hashes: string[];
  countries: string[];
  extraUsers: { username: string; displayName: string; role: UserRole }[];
  indicators: { type: IndicatorType; value: string; severity: string; source: string; description: string }[];
}

/** Builds every value pool from a seeded faker. Pure: the same seed gives the same pools. */
export function buildPools(size: HistorySize, seed: number, existingUsernames: string[], existingUsers: number): ValuePools {
  const f = seededFaker(seed);
  const hosts = uniqueValues(size.hosts, () => {
    const kind = f.helpers.arrayElement(['ws', 'ws', 'ws', 'srv', 'db', 'web', 'dc', 'lap']);
    return `${kind}-${f.word.noun().toLowerCase().replace(/[^a-z]/g, '')}-${f.number.int({ min: 1, max: 999 }).toString().padStart(3, '0')}`;
  });
  const internalIps = uniqueValues(size.internalIps, () =>
    `10.${f.number.int({ min: 0, max: 40 })}.${f.number.int({ min: 0, max: 255 })}.${f.number.int({ min: 1, max: 254 })}`);
  const isPublic = (ip: string): boolean => !/^(10|127|0|169\.254|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(ip) && !/^(22[4-9]|2[3-5]\d)\./.test(ip);
  const ipTaken = new Set<string>(internalIps);
  const publicIp = (): string => {
    for (;;) {
      const ip = f.internet.ipv4();
      if (isPublic(ip)) return ip;
    }
  };
  const externalIps = uniqueValues(size.externalIps, publicIp, ipTaken);
  const domainTaken = new Set<string>();
  const domains = uniqueValues(size.domains, () => f.internet.domainName().toLowerCase(), domainTaken);
  const hashTaken = new Set<string>();
  const hashes = uniqueValues(Math.max(200, Math.floor(size.domains / 2)), () => f.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' }), hashTaken);
  const countries = uniqueValues(40, () => f.location.countryCode('alpha-2'));

  const nIp = Math.floor(size.indicators * 0.4);
  const nDomain = Math.floor(size.indicators * 0.35);
  const nHash = size.indicators - nIp - nDomain;
  const badIps = uniqueValues(nIp, publicIp, ipTaken);
  const badDomains = uniqueValues(nDomain, () =>
    `${f.word.adjective().toLowerCase().replace(/[^a-z]/g, '')}-${f.word.noun().toLowerCase().replace(/[^a-z]/g, '')}.${f.helpers.arrayElement(['xyz', 'top', 'ru', 'cn', 'info', 'biz', 'net', 'io'])}`,
  domainTaken);
  const badHashes = uniqueValues(nHash, () => f.string.hexadecimal({ length: f.helpers.arrayElement([32, 40, 64]), casing: 'lower', prefix: '' }), hashTaken);
  const severities = ['low', 'medium', 'medium', 'high', 'high', 'critical'];
  const indicator = (type: IndicatorType, value: string) => ({
    type, value,
    severity: f.helpers.arrayElement(severities),
    source: f.helpers.arrayElement(INDICATOR_SOURCES),
    description: `${f.helpers.arrayElement(['C2 server', 'phishing', 'malware dropper', 'scanner', 'botnet node', 'ransomware', 'credential stuffing'])} reported by ${f.company.name()}`,
  });
  const indicators = [
    ...badIps.map((v) => indicator('ip', v)),
    ...badDomains.map((v) => indicator('domain', v)),
    ...badHashes.map((v) => indicator('hash', v)),
  ];

  const usernameTaken = new Set<string>(existingUsernames);
  const extraCount = Math.max(0, size.usersTotal - existingUsers);
  const extraUsers: ValuePools['extraUsers'] = [];
  for (let k = 0; k < extraCount; k++) {
    const first = f.person.firstName();
    const last = f.person.lastName();
    let username = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    if (usernameTaken.has(username)) username = `${username}${k}`;
    usernameTaken.add(username);
    extraUsers.push({ username, displayName: `${first} ${last}`, role: k % 50 === 0 ? 'admin' : 'analyst' });
  }
  return { hosts, internalIps, externalIps, domains, hashes, countries, extraUsers, indicators };
}
