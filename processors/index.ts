// Rampart's Artillery processor: the entry every scenario names (`config.processor`). Artillery
// bundles it with esbuild (CommonJS, unchecked); `npm run typecheck` checks it
// (processors/tsconfig.json). It only re-exports: each flow's functions live in the module named
// after its scenario file (scenarios/<flow>.yml -> <flow>.mts), and the steps several flows share in
// identities.mts and capture.mts. test/scenarios/processors.test.ts bundles this file as Artillery
// does and checks that every name a scenario uses is exported here, and nothing else.
export { useAdmin, useAnalyst, useSensor } from './identities.mts';
export { hasNextCursor, keepCreatedId, keepCursor, pickItem } from './capture.mts';
export { setAlertAssign, setAlertComment, setAlertResolve, triageFilters } from './analyst-triage.mts';
export { rememberBatch, setEventBatch, setReplayBatch } from './sensor-ingest.mts';
export {
  attackNeedsIndicators, hasFreeAlerts, markInjected, observeProbe, pickFreeAlerts, planAttack, planFollowUpAttack,
  awaitProbe, recordDetection, setAttackBatch, setAttackIndicators, setBulkAcknowledge, setIncidentFromFreeAlerts,
  setIncidentUpdate,
} from './incident-response.mts';
export { huntFilters, setIndicatorFeed } from './threat-hunting.mts';
export { analyticsRange, markReportQueued, observeReport, recordReport, reportStillRunning, setReportRequest } from './analytics-reports.mts';
export { setNewRule, setNewSensor, setNewUser, setRuleUpdate, setSameUserAgain, setUserUpdate } from './administration.mts';
export { hasOwnTokens, keepLoginTokens, pickCredentials } from './login-storm.mts';
export {
  keepRevocableToken, mintBadTokens, setBrokenJson, setBulkOnPicked, setHugeBatch, setMalformedAlertPatch, setMalformedBatch,
  setMalformedComment, setOversizedBatch, useRoles,
} from './api-coverage.mts';
