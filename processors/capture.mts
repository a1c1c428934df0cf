// Capturing from responses, shared by several flows: a random item of a list, the id of what a
// request created, the cursor of the next page.
import { itemsOf, objectOf } from './bodies.mts';
import { TEMPORARY_RULE_PREFIX } from './administration.mts';
import { afterResponse } from './hooks.mts';
import { isProbeIp, pick } from './payloads.mts';
import type { Condition, RequestParams } from './types.mts';

/** A request's capture options (extra keys of the request in the scenario). */
type Capturing = RequestParams & { pickInto?: string; pickMany?: number; skipProbes?: boolean; keepPicked?: boolean; skipTemporary?: boolean };

/**
 * afterResponse: pick a random item of a list response and store its id in the var named by the
 * request's `pickInto` (default `itemId`); also stores `<pickInto>s` = up to `pickMany` ids. With
 * `skipProbes: true`, items whose `srcIp` is a probe's attacker IP (payloads.mts isProbeIp) are left out
 * (0 when none is left: during an attack storm the newest page may hold only probes' alerts). With
 * `keepPicked: true` (a later page), an id an earlier page picked is kept. With `skipTemporary: true`,
 * rules another flow created and is about to delete (administration.mts TEMPORARY_RULE_PREFIX) are
 * left out: a pick of one could answer 404 a moment later.
 */
export const pickItem = afterResponse((req, res, context) => {
  const spec = req as Capturing;
  const into = spec.pickInto ?? 'itemId';
  if (spec.keepPicked === true && typeof context.vars[into] === 'number' && context.vars[into] > 0) return;
  const items = itemsOf(res.body).filter((i) => (spec.skipProbes !== true || !isProbeIp(i.srcIp))
    && (spec.skipTemporary !== true || typeof i.name !== 'string' || !i.name.startsWith(TEMPORARY_RULE_PREFIX)));
  const ids = items.map((i) => i.id).filter((id): id is number => typeof id === 'number');
  context.vars[into] = ids.length > 0 ? pick(ids) : 0;
  context.vars[`${into}s`] = ids.slice(0, spec.pickMany ?? 5);
});

/** afterResponse: store the `id` of a created resource in the var named by `pickInto` (default `createdId`). */
export const keepCreatedId = afterResponse((req, res, context) => {
  const spec = req as Capturing;
  const id = objectOf(res.body).id;
  context.vars[spec.pickInto ?? 'createdId'] = typeof id === 'number' ? id : 0;
});

/** afterResponse: store the `nextCursor` of a list page in vars.nextCursor ('' when there is none). */
export const keepCursor = afterResponse((_req, res, context) => {
  const cursor = objectOf(res.body).nextCursor;
  context.vars.nextCursor = typeof cursor === 'string' ? cursor : '';
});

/** ifTrue: there is a next page. */
export const hasNextCursor: Condition = (vars) => typeof vars.nextCursor === 'string' && vars.nextCursor !== '';
