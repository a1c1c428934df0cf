// Number formatting shared by the renderers. Locale-independent, so reports are identical everywhere.
import type { VerdictLevel } from './model.ts';

const DASH = '–';

/** Milliseconds with about three significant digits: 0.412, 4.21, 42.1, 421, 4210. */
export function formatMs(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return DASH;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1) return value.toFixed(3);
  if (abs < 10) return value.toFixed(2);
  if (abs < 100) return value.toFixed(1);
  return formatCount(Math.round(value));
}

/** Integer with thin-space-free thousands separators: 12,345. */
export function formatCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return DASH;
  const rounded = Math.round(value);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return DASH;
  if (value >= 100) return formatCount(value);
  return value.toFixed(value >= 10 ? 1 : 2);
}

/** A ratio 0..1 as a percentage: 0.0123 -> "1.23%". */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return DASH;
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (pct < 0.01) return '<0.01%';
  return `${pct.toFixed(pct >= 10 ? 1 : 2)}%`;
}

/** A candidate/baseline ratio as a signed change: 1.2 -> "+20.0%", 0.9 -> "-10.0%". */
export function formatChange(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return DASH;
  const pct = (ratio - 1) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

export function formatApdex(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return DASH;
  return value.toFixed(2);
}

/** A threshold or measured value of an SLO check in its unit. */
export function formatSloValue(value: number | null, unit: 'ms' | 'ratio' | 'rps' | 'count' | 'rate'): string {
  if (value === null) return 'no data';
  if (unit === 'ms') return `${formatMs(value)} ms`;
  if (unit === 'ratio') return formatPercent(value);
  if (unit === 'count') return Number.isInteger(value) ? formatCount(value) : formatRate(value);
  if (unit === 'rate') return `${formatRate(value)}/s`;
  return `${formatRate(value)} req/s`;
}

/** Which way an SLO check's threshold points: latencies and error rates are ceilings, throughput a floor. */
export function sloComparator(metric: string, unit: 'ms' | 'ratio' | 'rps' | 'count' | 'rate'): '≤' | '≥' {
  return unit === 'rps' || /^min/i.test(metric) || (unit === 'count' && / >=? /.test(metric)) ? '≥' : '≤';
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return DASH;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(rest).padStart(2, '0')}s`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** How a verdict level reads in every rendering (the Markdown summary adds a mark in front). */
export const VERDICT_TEXT: Record<VerdictLevel, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  untrustworthy: 'UNTRUSTWORTHY',
  unjudged: 'NOT JUDGED',
};
