// scenarios/login-storm.yml: loads authentication itself. Every virtual user logs in through an
// Artillery request with a password (not through the token pool), reads its identity, refreshes its
// token and logs out; a 429 from the login limit (per username and client address) leaves it without tokens.
import { objectOf } from './bodies.mts';
import { afterResponse, step } from './hooks.mts';
import { randomAnalyst } from './identities.mts';
import { DEMO } from './tokens.mts';
import type { Condition } from './types.mts';

/** Step (login storm / api coverage): credentials of a random analyst for an explicit login request. */
export const pickCredentials = step((context) => {
  Object.assign(context.vars, { loginUser: randomAnalyst(context), loginPassword: DEMO.analystPassword });
});

/** afterResponse: remember the tokens a login or refresh returned (for refresh/logout/me requests). */
export const keepLoginTokens = afterResponse((_req, res, context) => {
  const { accessToken, refreshToken } = objectOf(res.body);
  if (typeof accessToken === 'string') context.vars.ownAccessToken = accessToken;
  if (typeof refreshToken === 'string') context.vars.ownRefreshToken = refreshToken;
});

/** ifTrue: the explicit login succeeded (a 429 during a storm leaves no tokens). */
export const hasOwnTokens: Condition = (vars) => typeof vars.ownAccessToken === 'string' && typeof vars.ownRefreshToken === 'string';
