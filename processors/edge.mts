// Edge-case helpers for the api-coverage scenario: tokens the platform must refuse (401) and
// payloads it must reject (400/413). Tokens are minted here with node:crypto (HS256 JWTs).
// A genuinely expired token needs the platform's signing secret: `rampart run` passes it as
// RAMPART_TARGET_JWT_SECRET when it starts the platform itself; otherwise the expired token is also
// signed with a wrong key (still a 401, but then it does not test expiry on its own).
import { createHmac, randomBytes } from 'node:crypto';
import { benignEvent, newBatchId, type PlatformEvent } from './payloads.mts';

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

const ISSUER = 'rampart-target';
const AUDIENCE = 'rampart-api';

function sign(header: object, payload: object, secret: string | null): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function claims(userId: number, username: string, role: string, expSecondsFromNow: number): object {
  const now = Math.floor(Date.now() / 1000);
  return { sub: String(userId), username, role, iss: ISSUER, aud: AUDIENCE, iat: now - 3600, exp: now + expSecondsFromNow };
}

const knownSecret = (): string | null => {
  const s = process.env.RAMPART_TARGET_JWT_SECRET;
  return s !== undefined && s.length >= 32 ? s : null;
};

export const edgeTokens = {
  /** Correct signature and claims, expired ten minutes ago. */
  expired: (userId: number, username: string): string =>
    sign({ alg: 'HS256', typ: 'JWT' }, claims(userId, username, 'admin', -600), knownSecret() ?? randomBytes(32).toString('hex')),
  /** `alg: none`, no signature, claims an admin. */
  algNone: (userId: number, username: string): string => sign({ alg: 'none', typ: 'JWT' }, claims(userId, username, 'admin', 600), null),
  /** Valid shape and claims, signed with a key the platform does not know. */
  forged: (userId: number, username: string): string =>
    sign({ alg: 'HS256', typ: 'JWT' }, claims(userId, username, 'admin', 600), randomBytes(32).toString('hex')),
  /** Not a JWT at all. */
  garbage: (): string => `not-a-jwt.${randomBytes(8).toString('hex')}`,
};

/** A batch with more events than the platform accepts (MAX_BATCH_EVENTS, default 1000). */
export function oversizedBatch(maxEvents: number): { batchId: string; events: PlatformEvent[] } {
  const one = benignEvent('dns');
  return { batchId: newBatchId(), events: Array.from({ length: maxEvents + 1 }, () => ({ ...one })) };
}

/** A batch of few events whose JSON is larger than `bytes` (long messages). */
export function hugeBatch(bytes: number): { batchId: string; events: PlatformEvent[] } {
  const message = 'x'.repeat(4000);
  const count = Math.ceil(bytes / 4100) + 1;
  return { batchId: newBatchId(), events: Array.from({ length: count }, () => ({ ...benignEvent('process'), message })) };
}

/** Bodies the platform must answer with 400 validation. */
export const malformed = {
  /** an event with an unknown type, a field of the wrong type and an unknown field */
  batch: (): unknown => ({ batchId: newBatchId(), events: [{ type: 'telepathy', occurredAt: 'yesterday', host: 42, bogus: true, message: 'x' }] }),
  /** comment without its body */
  comment: (): unknown => ({ text: 'wrong field name' }),
  /** alert update with a status that does not exist */
  alertPatch: (): unknown => ({ status: 'exploded' }),
  /** a SQL-injection string used as a filter value: plain data, never an error */
  sqlInjection: "' OR 1=1; DROP TABLE alerts; --",
};
