// Who a virtual user is: an analyst or the admin from the token pool (tokens.mts), or a sensor's
// API key. Shared by most flows; each sets the vars its requests send (token, userId, username;
// sensorKey). useAnalyst and useSensor deal identities out in turn (round robin, from an offset per
// worker process) rather than at random, so the virtual users of a worker spread evenly over the
// identities and none gets a crowd that trips the platform's per-principal rate limit
// (RATE_LIMIT_PER_MINUTE) by chance; login-storm, which means to load one user's logins, draws at random.
import { DEMO, analystName, sensorKey, session, type Session } from './tokens.mts';
import { faker } from './payloads.mts';
import { step } from './hooks.mts';
import { intVar, targetOf } from './vars.mts';
import type { StepFunction, VuContext } from './types.mts';

/** One of the first `analysts` demo analysts (vars analysts, at most the demo's analyst count). */
export const randomAnalyst = (context: VuContext): string => {
  const count = Math.min(intVar(context, 'analysts', DEMO.analystCount), DEMO.analystCount);
  return analystName(faker.number.int({ min: 1, max: count }));
};

const dealt = { analyst: 0, sensor: 0 };

/** The next of `count` identities of a pool, 1-based: in turn, starting from an offset per worker process. */
export function dealIdentity(pool: keyof typeof dealt, count: number): number {
  const n = dealt[pool];
  dealt[pool] = n + 1;
  return ((process.pid + n) % count) + 1;
}

/** The next of the first `analysts` demo analysts (vars analysts, at most the demo's analyst count). */
const nextAnalyst = (context: VuContext): string =>
  analystName(dealIdentity('analyst', Math.min(intVar(context, 'analysts', DEMO.analystCount), DEMO.analystCount)));

/** The next of the first `sensors` demo sensors' API keys (vars sensors, at most the demo's sensor count). */
const nextSensorKey = (context: VuContext): string =>
  sensorKey(dealIdentity('sensor', Math.min(intVar(context, 'sensors', DEMO.sensorCount), DEMO.sensorCount)));

const useSession = (context: VuContext, s: Session): void => {
  Object.assign(context.vars, { token: s.accessToken, userId: s.userId, username: s.username });
};

/** Step: take the next analyst session from the pool (vars analysts = how many demo analysts to spread over). */
export const useAnalyst: StepFunction = async (context) => {
  const username = nextAnalyst(context);
  useSession(context, await session(targetOf(context), username, DEMO.analystPassword));
};

/** Step: the admin session from the pool. */
export const useAdmin: StepFunction = async (context) => {
  useSession(context, await session(targetOf(context), DEMO.admin.username, DEMO.admin.password));
};

/** Step: a sensor identity (API key) for ingestion. */
export const useSensor = step((context) => {
  context.vars.sensorKey = nextSensorKey(context);
});
