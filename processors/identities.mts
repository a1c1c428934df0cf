// Who a virtual user is: an analyst or the admin from the token pool (tokens.mts), or a sensor's
// API key. Shared by most flows; each sets the vars its requests send (token, userId, username;
// sensorKey).
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

/** One of the first `sensors` demo sensors' API keys (vars sensors, at most the demo's sensor count). */
const randomSensorKey = (context: VuContext): string => {
  const count = Math.min(intVar(context, 'sensors', DEMO.sensorCount), DEMO.sensorCount);
  return sensorKey(faker.number.int({ min: 1, max: count }));
};

const useSession = (context: VuContext, s: Session): void => {
  Object.assign(context.vars, { token: s.accessToken, userId: s.userId, username: s.username });
};

/** Step: take an analyst session from the pool (vars analysts = how many demo analysts to spread over). */
export const useAnalyst: StepFunction = async (context) => {
  const username = randomAnalyst(context);
  useSession(context, await session(targetOf(context), username, DEMO.analystPassword));
};

/** Step: the admin session from the pool. */
export const useAdmin: StepFunction = async (context) => {
  useSession(context, await session(targetOf(context), DEMO.admin.username, DEMO.admin.password));
};

/** Step: a sensor identity (API key) for ingestion. */
export const useSensor = step((context) => {
  context.vars.sensorKey = randomSensorKey(context);
});
