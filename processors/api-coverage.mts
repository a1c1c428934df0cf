// scenarios/api-coverage.yml: every operation at least once (most bodies come from the other flows'
// modules), plus the answers a correct platform must give to bad requests: tokens it must refuse
// (401), bodies it must reject (400/413), a rotated refresh token (401), several roles side by side.
import { setJson } from './bodies.mts';
import { edgeTokens, hugeBatch, malformed, oversizedBatch } from './edge.mts';
import { beforeRequest, step } from './hooks.mts';
import { randomAnalyst } from './identities.mts';
import { faker, uniqueToken } from './payloads.mts';
import { DEMO, sensorKey, session } from './tokens.mts';
import { idsVar, intVar, stringVar, targetOf } from './vars.mts';
import type { StepFunction } from './types.mts';

/** Step: keep the current refresh token, to show that it is refused once rotated. */
export const keepRevocableToken = step((context) => {
  context.vars.rotatedRefreshToken = context.vars.ownRefreshToken;
});

/** Step: an admin session, an analyst session and a sensor key, side by side. */
export const useRoles: StepFunction = async (context) => {
  const target = targetOf(context);
  const admin = await session(target, DEMO.admin.username, DEMO.admin.password);
  const analyst = await session(target, randomAnalyst(context), DEMO.analystPassword);
  Object.assign(context.vars, {
    adminToken: admin.accessToken,
    userId: admin.userId,
    username: admin.username,
    analystToken: analyst.accessToken,
    analystId: analyst.userId,
    sensorKey: sensorKey(faker.number.int({ min: 1, max: DEMO.sensorCount })),
  });
};

/** Step: tokens the platform must refuse, in vars expiredToken, algNoneToken, forgedToken, garbageToken. */
export const mintBadTokens = step((context) => {
  const id = Number(context.vars.userId ?? 1);
  const name = stringVar(context, 'username', 'admin');
  Object.assign(context.vars, {
    expiredToken: edgeTokens.expired(id, name),
    algNoneToken: edgeTokens.algNone(id, name),
    forgedToken: edgeTokens.forged(id, name),
    garbageToken: edgeTokens.garbage(),
    injectionValue: malformed.sqlInjection,
    rateLimitUser: `ratelimit.${uniqueToken()}`,
  });
});

/** beforeRequest: one event more than the platform accepts in a batch (vars maxBatchEvents, 1000). */
export const setOversizedBatch = beforeRequest((req, context) => {
  setJson(req, oversizedBatch(intVar(context, 'maxBatchEvents', 1000)));
});

/** beforeRequest: a batch whose body is larger than the platform's body limit (1 MiB): 413. */
export const setHugeBatch = beforeRequest((req) => {
  setJson(req, hugeBatch(1_100_000));
});

/** beforeRequest: bodies the platform must answer with 400 validation. */
export const setMalformedBatch = beforeRequest((req) => {
  setJson(req, malformed.batch());
});
export const setMalformedComment = beforeRequest((req) => {
  setJson(req, malformed.comment());
});
export const setMalformedAlertPatch = beforeRequest((req) => {
  setJson(req, malformed.alertPatch());
});

/** beforeRequest: a body that is not JSON at all, sent as application/json. */
export const setBrokenJson = beforeRequest((req) => {
  delete req.json;
  req.body = '{"username": "admin", "password": ';
  req.headers = { ...(req.headers ?? {}), 'content-type': 'application/json' };
});

/** beforeRequest: bulk-update the alerts a list response offered (vars.alertIds from pickItem). */
export const setBulkOnPicked = beforeRequest((req, context) => {
  const ids = [...new Set(idsVar(context, 'alertIds'))];
  setJson(req, { ids: ids.length > 0 ? ids : [Number(context.vars.alertId)], status: 'acknowledged', assigneeId: context.vars.analystId });
});
