// Durations as Artillery reads them (phase `duration`, `pause`, `--duration`): a number or numeric
// string of seconds, or a number with a unit: '500ms', '90s', '2m', '1.5h', '1d' (long forms such as
// 'minutes' too). The one parser for compose, the gate and the measurement plugin.
const UNIT_SECONDS: ReadonlyMap<string, number> = new Map(Object.entries({
  ms: 0.001, msec: 0.001, msecs: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
}));

/** Seconds, or null when the value is not a non-negative finite duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value);
  if (match === null) return null;
  const unit = match[2] === '' ? 1 : UNIT_SECONDS.get(match[2].toLowerCase());
  if (unit === undefined) return null;
  const seconds = Number(match[1]) * unit;
  return Number.isFinite(seconds) ? seconds : null;
}
