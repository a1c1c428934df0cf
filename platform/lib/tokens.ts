// Credentials: JWT access tokens (HS256 via jose), opaque refresh tokens and sensor API keys, both
// stored only as SHA-256 hex digests.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { UserRole } from '../domain/vocabulary.ts';

const ISSUER = 'rampart-target';
const AUDIENCE = 'rampart-api';

export type AccessClaims = { userId: number; username: string; role: UserRole };

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(claims: AccessClaims, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ username: claims.username, role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key(secret));
}

/**
 * Verifies signature (HS256 only: `alg: none` and other algorithms are rejected), issuer, audience
 * and expiry; `exp` and `sub` must be present (a token without `exp` would be valid forever).
 * Returns the user id, or undefined for any invalid token.
 */
export async function verifyAccessToken(token: string, secret: string): Promise<number | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'sub'] });
    const id = Number(payload.sub);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A new opaque secret (refresh token or API key), 256 bits, URL-safe. */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}
