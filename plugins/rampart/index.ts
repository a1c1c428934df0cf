// Placeholder entry so the file: dependency resolves; the measurement plugin replaces it.
export const LEGACY_METRICS_FORMAT = false;
export class Plugin {
  constructor(_script: unknown, _events: unknown) {}
}
