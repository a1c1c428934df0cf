// Target safety: load goes to loopback only, unless the host is in the configuration's allowlist.
// Loopback means the literal addresses 127.0.0.0/8 and ::1 (IPv4-mapped ::ffff:127.x.y.z included)
// and the name `localhost` itself; any other name, `*.localhost` too, is trusted only when it is on
// the allowlist, since nothing guarantees how it resolves (docs/profiles.md, "Target safety").
// Reachability: an unreachable target makes the run untrustworthy (exit 3) before any load is sent.
// Credentials in a target URL (http://user:pass@host) are never shown: every message redacts them.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { untrustworthy, usageError } from '../core/errors.ts';
import type { RampartConfig } from './config.ts';

/** A target as it may be shown: user and password replaced by '***' (also in text that is not a URL). */
export function redactTarget(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Parse and normalise a target URL (http or https, no trailing slash); bad URLs exit 2. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--target '${redactTarget(raw)}' is not a URL; give one like http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--target '${redactTarget(raw)}' must use http or https`);
  }
  return url;
}

export function targetBase(url: URL): string {
  return url.href.replace(/\/+$/, '');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1); no other name. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Throw (exit 2) unless the target host is loopback or allowlisted. */
export function checkTargetAllowed(url: URL, config: RampartConfig): void {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host) || config.allowedHosts.includes(host)) return;
  const where = config.file ?? 'rampart.config.yml';
  const list = config.allowedHosts.length === 0 ? 'empty' : config.allowedHosts.join(', ');
  const named = host.endsWith('.localhost') ? ' (a name under .localhost is not trusted by name)' : '';
  throw usageError(
    `target host '${host}' is not loopback${named} and not in the allowlist (targets.allow in ${where}: ${list}); add it there to send load to it`,
  );
}

/** Why a request failed, as its system error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT...). */
function reason(error: unknown): string {
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // several addresses tried (localhost: ::1 then 127.0.0.1): an AggregateError of their failures
  if (Array.isArray(errors) && errors.length > 0) return reason(errors[0]);
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** A GET with node:http(s) (fetch refuses URLs with credentials and ports such as 1 or 6000). */
export function httpGet(url: URL, timeoutMs: number): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET <target>/health within `timeoutMs`; any HTTP answer counts as reachable. Unreachable -> exit 3. */
export async function checkReachable(base: string, timeoutMs = 5000): Promise<void> {
  try {
    await httpGet(new URL(`${base}/health`), timeoutMs);
  } catch (error) {
    throw untrustworthy(`target ${redactTarget(base)} is unreachable (${reason(error)}); start the platform there or omit --target to start one`);
  }
}
