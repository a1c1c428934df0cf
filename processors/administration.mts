// scenarios/administration.yml: an administrator manages users, detection rules and sensors.
// Everything it creates is tagged uniquely (loadtest.<tag>, disabled rules that never fire).
import { setJson } from './bodies.mts';
import { beforeRequest } from './hooks.mts';
import { faker, pick, uniqueToken } from './payloads.mts';

/** beforeRequest: a new analyst account (kept in vars.lastNewUser for setSameUserAgain). */
export const setNewUser = beforeRequest((req, context) => {
  const tag = uniqueToken();
  const user = {
    username: `loadtest.${tag}`,
    email: `loadtest.${tag}@corp.example`,
    displayName: faker.person.fullName(),
    role: 'analyst',
    password: `pw-${tag}-${faker.string.alphanumeric(12)}`,
  };
  context.vars.lastNewUser = user;
  setJson(req, user);
});

/** beforeRequest (api coverage): the user created just before, again: the platform must answer 409. */
export const setSameUserAgain = beforeRequest((req, context) => {
  setJson(req, context.vars.lastNewUser);
});

/** beforeRequest: rename the user and disable the account. */
export const setUserUpdate = beforeRequest((req) => {
  setJson(req, { displayName: faker.person.fullName(), disabled: true });
});

/** The name prefix of the rules the flows create and delete again (capture.mts skipTemporary leaves them out). */
export const TEMPORARY_RULE_PREFIX = 'Load-test rule ';

/** beforeRequest: a disabled pattern rule on a process name that never occurs. */
export const setNewRule = beforeRequest((req) => {
  const tag = uniqueToken();
  setJson(req, {
    name: `${TEMPORARY_RULE_PREFIX}${tag}`,
    description: 'Created by the administration scenario; disabled so it never fires.',
    kind: 'pattern',
    severity: 'low',
    technique: 'T1204',
    enabled: false,
    params: { field: 'process', op: 'equals', value: `never-${tag}.exe`, eventType: 'process', groupBy: 'host' },
  });
});

/** beforeRequest: tune the rule (severity and description). */
export const setRuleUpdate = beforeRequest((req) => {
  setJson(req, { severity: pick(['low', 'medium']), description: `Tuned by the administration scenario at ${new Date().toISOString()}` });
});

/** beforeRequest: register a sensor under a unique name. */
export const setNewSensor = beforeRequest((req) => {
  setJson(req, { name: `loadtest-sensor-${uniqueToken()}` });
});
