// The results' former entry point, kept while src/run/summary.ts and test/plugins/ import it by
// this name; new code imports ./index.ts.
export * from './index.ts';
