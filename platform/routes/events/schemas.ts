// Kept only for test/scenarios/processors.test.ts, which checks the scenarios' payloads against the
// ingestion schema; the schema lives in platform/domain/event.ts. Remove once that test imports it there.
export { eventInput } from '../../domain/event.ts';
