// scenarios/sensor-ingest.yml: a sensor posts realistic event batches, then replays its last batch,
// which the platform must recognise as a duplicate.
import { setJson, setJsonText } from './bodies.mts';
import { beforeRequest } from './hooks.mts';
import { benignBatch } from './payloads.mts';
import { intVar } from './vars.mts';

/** beforeRequest: a realistic batch of `batchSize` events (vars batchSize: a number or a list to pick from). */
export const setEventBatch = beforeRequest((req, context) => {
  setJson(req, benignBatch(intVar(context, 'batchSize', 100)));
});

/** beforeRequest: a batch of `batchSize` events (default 20), its JSON text kept in vars.lastBatch for the replay. */
export const rememberBatch = beforeRequest((req, context) => {
  const text = JSON.stringify(benignBatch(intVar(context, 'batchSize', 20)));
  setJsonText(req, text);
  context.vars.lastBatch = text;
});

/** beforeRequest: replay the previous batch (same batchId): the platform must answer duplicate: true. */
export const setReplayBatch = beforeRequest((req, context) => {
  const last = context.vars.lastBatch;
  if (typeof last === 'string') setJsonText(req, last);
  else setJson(req, benignBatch(5));
});
