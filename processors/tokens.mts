// Tokens: a pre-authenticated pool shared by the virtual users of a worker. Each demo identity logs in
// once (concurrent asks for the same identity share one login), and its access token is refreshed
// through POST /api/v1/auth/refresh when it has less than REFRESH_MARGIN_MS left. The dedicated
// login-storm scenario logs in through Artillery requests instead, to load authentication itself.

export const DEMO = {
  admin: { username: 'admin', password: 'admin-demo-pass' },
  analystPassword: 'analyst-demo-pass',
  analystCount: 50,
  sensorCount: 20,
} as const;

const REFRESH_MARGIN_MS = 120_000;

export interface Session {
  username: string;
  userId: number;
  role: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number; // ms since epoch
}

interface LoginAnswer {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: number; username: string; role: string };
}

const sessions = new Map<string, Session>();
const pending = new Map<string, Promise<Session>>();

export const analystName = (i: number): string => `analyst${String(i).padStart(2, '0')}`;
export const sensorKey = (i: number): string => `demo-sensor-key-${String(i).padStart(2, '0')}`;

function isLoginAnswer(v: unknown): v is LoginAnswer {
  const o = v as Partial<LoginAnswer> | null;
  return typeof o?.accessToken === 'string' && typeof o.refreshToken === 'string' && typeof o.user?.id === 'number';
}

async function post(target: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${target}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function toSession(answer: LoginAnswer): Session {
  return {
    username: answer.user.username,
    userId: answer.user.id,
    role: answer.user.role,
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  };
}

async function login(target: string, username: string, password: string): Promise<Session> {
  for (let attempt = 1; ; attempt++) {
    const { status, json } = await post(target, '/api/v1/auth/login', { username, password });
    if (status === 200 && isLoginAnswer(json)) return toSession(json);
    // The login limit per username and client address can be hit when many workers start at once: wait and retry.
    if (status === 429 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 2000 * attempt));
      continue;
    }
    throw new Error(`token pool: login of ${username} answered ${status}`);
  }
}

async function refresh(target: string, s: Session, password: string): Promise<Session> {
  const { status, json } = await post(target, '/api/v1/auth/refresh', { refreshToken: s.refreshToken });
  if (status === 200 && isLoginAnswer(json)) return toSession(json);
  return login(target, s.username, password); // refresh token revoked or expired: log in again
}

/** A valid session for `username`, from the pool; logs in or refreshes only when needed. */
export async function session(target: string, username: string, password: string): Promise<Session> {
  const key = `${target}|${username}`;
  const current = sessions.get(key);
  if (current !== undefined && current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current;
  const inFlight = pending.get(key);
  if (inFlight !== undefined) return inFlight;
  const p = (current === undefined ? login(target, username, password) : refresh(target, current, password))
    .then((s) => {
      sessions.set(key, s);
      return s;
    })
    .finally(() => pending.delete(key));
  pending.set(key, p);
  return p;
}
