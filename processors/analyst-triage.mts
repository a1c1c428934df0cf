// scenarios/analyst-triage.yml: an analyst looks at a time window of alerts, then assigns,
// comments on and resolves one of them.
import { setJson } from './bodies.mts';
import { beforeRequest, step } from './hooks.mts';
import { faker, isoAgo, pick, pools } from './payloads.mts';

/** Step: time window and filters an analyst looks at (vars since, until, severity, status). */
export const triageFilters = step((context) => {
  Object.assign(context.vars, {
    since: isoAgo(faker.helpers.arrayElement([1, 6, 24, 72]) * 3_600_000),
    until: isoAgo(0),
    severity: pick(['critical', 'high', 'medium', 'low']),
    status: pick(['new', 'new', 'acknowledged', 'in_progress']),
  });
});

/** beforeRequest: an analyst's comment on an alert. */
export const setAlertComment = beforeRequest((req) => {
  setJson(req, { body: `${faker.hacker.phrase()} Checked ${pick(pools.hosts)}; ${pick(['escalating', 'benign, closing', 'needs more data', 'waiting on the owner'])}.` });
});

/** beforeRequest: take the alert (acknowledged or in progress, assigned to the analyst). */
export const setAlertAssign = beforeRequest((req, context) => {
  setJson(req, { status: pick(['acknowledged', 'in_progress']), assigneeId: context.vars.userId });
});

/** beforeRequest: close the alert (mostly resolved, sometimes a false positive or still in progress). */
export const setAlertResolve = beforeRequest((req) => {
  setJson(req, { status: pick(['resolved', 'resolved', 'false_positive', 'in_progress']) });
});
