// Request spans taken where Node's HTTP client meets the socket, so that nothing of Artillery's,
// got's or Rampart's own work lies inside them (docs/measurement.md, "Latency").
//
// Node's http client publishes diagnostics channels, synchronously, in the thread that sends:
//   http.client.request.created   when a ClientRequest is made: the span starts at its first
//                                 write(), end() or flushHeaders() call, the moment its bytes go to
//                                 the socket (to the kernel on a connected socket; queued on one
//                                 still connecting, so a new connection's set-up is inside the span)
//   http.client.request.start     when its head and body have been handed to the socket: the start
//                                 for a request whose calls were not seen (after the write on a
//                                 connected socket, so a stall right there could hide from the span)
//   http.client.response.finish   when the response's head has been parsed from the socket's data
// and the response emits 'end' when the parser has read its last byte. The span ends at 'end': the
// whole answer, as a user of the API waits for it. Both ends are process.hrtime.bigint().
// got's own timings (which Artillery reports as http.response_time) are whole milliseconds of
// Date.now() from the request's 'finish' event to the response's head; see docs/measurement.md for
// why they can read below the server's own service time.
import { subscribe } from 'node:diagnostics_channel';

const SENT: unique symbol = Symbol('rampart.sent');
const DONE: unique symbol = Symbol('rampart.done');

/** The ClientRequest as far as the stamps go. */
interface StampedRequest {
  [SENT]?: bigint;
  [DONE]?: bigint;
}
/** The calls that hand a request's bytes to its socket: the first of them starts the span. */
const SENDING = ['write', 'end', 'flushHeaders'] as const;
type SendingRequest = StampedRequest & { [K in (typeof SENDING)[number]]?: (...args: unknown[]) => unknown };
interface EndEmitter {
  once(event: 'end', listener: (this: { req?: unknown }) => void): unknown;
}

function onResponseEnd(this: { req?: unknown }): void {
  const request = this.req as StampedRequest | null | undefined;
  if (request !== undefined && request !== null && request[SENT] !== undefined) request[DONE] = process.hrtime.bigint();
}

let watching = false;

/** Subscribes once per thread (the worker threads that send Artillery's requests). */
export function watchWire(): void {
  if (watching) return;
  watching = true;
  subscribe('http.client.request.created', (message) => {
    const request = (message as { request?: SendingRequest | null } | null)?.request;
    if (request === undefined || request === null) return;
    for (const method of SENDING) {
      const original = request[method];
      if (typeof original !== 'function') continue;
      request[method] = function stamped(this: SendingRequest, ...args: unknown[]): unknown {
        request[SENT] ??= process.hrtime.bigint();
        return original.apply(this, args);
      };
    }
  });
  subscribe('http.client.request.start', (message) => {
    const request = (message as { request?: StampedRequest | null } | null)?.request;
    if (request !== undefined && request !== null) request[SENT] ??= process.hrtime.bigint();
  });
  subscribe('http.client.response.finish', (message) => {
    const response = (message as { response?: EndEmitter | null } | null)?.response;
    // `response.req` is set right after this message; the listener reads it at 'end'.
    if (response !== undefined && response !== null && typeof response.once === 'function') response.once('end', onResponseEnd);
  });
}

/**
 * The span of the response Artillery hands to afterResponse, in µs: from the request's bytes
 * reaching its socket to the response's last byte. Null when it cannot be taken at the socket (no
 * ClientRequest behind the response, or a redirect chain, whose first hop's request is not the one
 * behind the final response): the caller then falls back to its hook-to-hook span.
 */
export function wireSpanMicros(res: { req?: unknown; redirectUrls?: unknown }): number | null {
  const request = res.req as StampedRequest | undefined | null;
  if (request === undefined || request === null) return null;
  const sent = request[SENT];
  const done = request[DONE];
  if (sent === undefined || done === undefined || done < sent) return null;
  if (Array.isArray(res.redirectUrls) && res.redirectUrls.length > 0) return null;
  return Number(done - sent) / 1000;
}
