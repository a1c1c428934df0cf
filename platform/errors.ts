// HTTP errors the routes throw; the app's error handler turns them into `{ error, message }`.
// Codes (docs/api.md): validation 400, unauthorized 401, forbidden 403, not_found 404, conflict 409,
// payload_too_large 413, rate_limited 429, internal 500, unavailable 503.

export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  /** Sent as the Retry-After header (whole seconds), for 429 and 503. */
  readonly retryAfterSeconds: number | undefined;
  constructor(statusCode: number, code: ErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);
export const badRequest = (message: string): HttpError => new HttpError(400, 'validation', message);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string): HttpError => new HttpError(403, 'forbidden', message);
export const rateLimited = (message: string, retryAfterSeconds: number): HttpError => new HttpError(429, 'rate_limited', message, retryAfterSeconds);

/** The default code for a 4xx/5xx status, used when an error carries only a status. */
export function codeForStatus(statusCode: number): ErrorCode {
  switch (statusCode) {
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 413: return 'payload_too_large';
    case 415: return 'unsupported_media_type';
    case 429: return 'rate_limited';
    case 503: return 'unavailable';
    default: return statusCode >= 500 ? 'internal' : 'validation';
  }
}
