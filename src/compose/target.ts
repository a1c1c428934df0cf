// Target safety: load goes to loopback only, unless the host is in the configuration's allowlist.
// Reachability: an unreachable target makes the run untrustworthy (exit 3) before any load is sent.
import { isIP } from 'node:net';
import { untrustworthy, usageError } from '../core/errors.ts';
import type { RampartConfig } from './config.ts';

/** Parse and normalise a target URL (http or https, no trailing slash); bad URLs exit 2. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--target '${raw}' is not a URL; give one like http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--target '${raw}' must use http or https`);
  }
  return url;
}

export function targetBase(url: URL): string {
  return url.href.replace(/\/+$/, '');
}

/** True for localhost, 127.0.0.0/8 and ::1 (and IPv4-mapped loopback). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Throw (exit 2) unless the target host is loopback or allowlisted. */
export function checkTargetAllowed(url: URL, config: RampartConfig): void {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host) || config.allowedHosts.includes(host)) return;
  const where = config.file ?? 'rampart.config.yml';
  const list = config.allowedHosts.length === 0 ? 'empty' : config.allowedHosts.join(', ');
  throw usageError(
    `target host '${host}' is not loopback and not in the allowlist (targets.allow in ${where}: ${list}); add it there to send load to it`,
  );
}

/** GET <target>/health within `timeoutMs`; any answer counts as reachable. Unreachable -> exit 3. */
export async function checkReachable(base: string, timeoutMs = 5000): Promise<void> {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : 'error');
    throw untrustworthy(`target ${base} is unreachable (${cause}); start the platform there or omit --target to start one`);
  }
}
