// SLO budgets: loading and strict validation of ci/slo/*.yml.
//
// Input:  YAML files, later ones overriding earlier ones key by key (by default ci/slo/defaults.yml,
//         then ci/slo/<profile>.yml when it exists).
// Output: an SloConfig: per-endpoint budgets (defaults + overrides), run-wide budgets, and the
//         settings of the baseline comparison.
//
// Every key is checked against the known names: Artillery's ensure plugin silently skips a
// misspelt metric, which turns a budget into no budget at all; here a typo is a one-line error with
// the file, the line and the known names (exit 2).
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { usageError } from '../core/errors.ts';
import { metricBudgetsAt } from './slo-metrics.ts';
import type { MetricBudget } from './slo-metrics.ts';

/** Metrics a budget may set for an endpoint key (and for the run as a whole), with their units. */
export const ENDPOINT_METRICS = {
  p50: 'ms',
  p90: 'ms',
  p95: 'ms',
  p99: 'ms',
  max: 'ms',
  errorRate: 'ratio',
  minThroughput: 'rps',
} as const;

/** Run-wide budgets: the endpoint metrics over all endpoints, plus the platform's security metrics. */
export const RUN_METRICS = {
  ...ENDPOINT_METRICS,
  detectionLatencyP95: 'ms',
  detectionLatencyP99: 'ms',
  correlationTimeP95: 'ms',
  correlationTimeP99: 'ms',
  expectFailedRate: 'ratio',
} as const;

export type EndpointMetric = keyof typeof ENDPOINT_METRICS;
export type RunMetric = keyof typeof RUN_METRICS;
export type MetricUnit = (typeof RUN_METRICS)[RunMetric];

/** A budget: metric -> limit; null switches off a limit inherited from an earlier file. */
export type Budget<M extends string> = Partial<Record<M, number | null>>;

export const COMPARISON_STATISTICS = ['min', 'p50', 'p75', 'p90'] as const;
export type ComparisonStatistic = (typeof COMPARISON_STATISTICS)[number];

/** How the baseline comparison decides (docs/gate.md explains each). */
export interface ComparisonSettings {
  /** Per-period figure compared: the period's median latency, or its fastest response (min), p75, p90. */
  statistic: ComparisonStatistic;
  /** Smallest change that counts: 0.10 = SLOWER only when at least 10% slower. */
  threshold: number;
  /** Significance level of the tests (two-sided). */
  alpha: number;
  /** Fewest qualifying periods per run; fewer gives UNKNOWN. */
  minPeriods: number;
  /** A period qualifies when it holds at least this many responses of the endpoint. */
  minRequestsPerPeriod: number;
  /** Smallest run-to-run spread assumed relative to the other endpoints (standard deviation of log run levels, 0.03 = 3%). */
  noiseFloor: number;
  /** Smallest run-to-run spread assumed for absolute latencies, which move with the whole machine (0.10 = 10%). */
  absoluteNoiseFloor: number;
  /** Bootstrap resamples for the within-run uncertainty. */
  resamples: number;
  /** Runs a baseline file keeps (the newest); --update-baseline drops older ones. */
  baselineRuns: number;
  /** Also compare each endpoint relative to the run's other endpoints, removing the machine's common drift (drift.ts). */
  adjustForDrift: boolean;
  /** Other endpoints a period needs for the common drift to be measured in it. */
  minReferenceEndpoints: number;
}

export const DEFAULT_COMPARISON: ComparisonSettings = {
  statistic: 'p50',
  threshold: 0.1,
  alpha: 0.05,
  minPeriods: 4,
  minRequestsPerPeriod: 20,
  noiseFloor: 0.02,
  absoluteNoiseFloor: 0.1,
  resamples: 400,
  baselineRuns: 5,
  adjustForDrift: true,
  minReferenceEndpoints: 3,
};

/** One file as written. */
export interface SloSpec {
  path: string;
  description?: string;
  defaults: Budget<EndpointMetric>;
  endpoints: Record<string, Budget<EndpointMetric>>;
  run: Budget<RunMetric>;
  comparison: Partial<ComparisonSettings>;
  metrics: Record<string, MetricBudget>; // custom metric name -> its budget (slo-metrics.ts)
  /** endpoint key or metric name -> where the file names it (file:line), for messages */
  locations: Record<string, string>;
}

/** Several files merged: what the gate applies. */
export interface SloConfig {
  sources: string[];
  defaults: Budget<EndpointMetric>;
  endpoints: Record<string, Budget<EndpointMetric>>;
  run: Budget<RunMetric>;
  comparison: ComparisonSettings;
  metrics: Record<string, MetricBudget>;
  /** endpoint key or metric name -> where the last file that names it does so (file:line) */
  locations: Record<string, string>;
}

const TOP_LEVEL_KEYS = ['description', 'defaults', 'endpoints', 'run', 'metrics', 'comparison'] as const;
const ENDPOINT_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/;

type Located = (node: Node | null | undefined) => string;

const names = (list: readonly string[]): string => list.join(', ');

function scalarKey(node: unknown, where: string, at: Located): string {
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
    throw usageError(`${at(node as Node)}: ${where} has a key that is not a plain name`);
  }
  return String(node.value);
}

function mapAt(node: unknown, where: string, at: Located): YAMLMap {
  if (!isMap(node)) throw usageError(`${at(node as Node)}: ${where} must be a mapping of names to values`);
  return node;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function limitValue(node: unknown, where: string, unit: MetricUnit, at: Located): number | null {
  if (!isScalar(node)) throw usageError(`${at(node as Node)}: ${where} must be a number (${unitText(unit)}) or null`);
  const value = node.value;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw usageError(`${at(node)}: ${where} must be a number (${unitText(unit)}) or null, got '${shown(value)}'`);
  }
  if (unit === 'ratio' && (value < 0 || value > 1)) throw usageError(`${at(node)}: ${where} is a fraction of requests between 0 and 1 (0.01 = 1%), got ${value}`);
  if (value < 0) throw usageError(`${at(node)}: ${where} must not be negative, got ${value}`);
  return value;
}

const unitText = (unit: MetricUnit): string => (unit === 'ms' ? 'milliseconds' : unit === 'rps' ? 'requests per second' : 'a fraction 0..1');

function budgetAt<M extends string>(node: unknown, where: string, known: Record<M, MetricUnit>, at: Located): Budget<M> {
  const map = mapAt(node, where, at);
  const budget: Budget<M> = {};
  const knownNames = Object.keys(known);
  for (const pair of map.items) {
    const name = scalarKey(pair.key, where, at);
    if (!Object.hasOwn(known, name)) {
      throw usageError(`${at(pair.key as Node)}: unknown metric '${name}' in ${where}; known metrics: ${names(knownNames)}`);
    }
    budget[name as M] = limitValue(pair.value, `${where}.${name}`, known[name as M], at);
  }
  return budget;
}

function comparisonAt(node: unknown, at: Located): Partial<ComparisonSettings> {
  const map = mapAt(node, 'comparison', at);
  const settings: Partial<ComparisonSettings> = {};
  const knownNames = Object.keys(DEFAULT_COMPARISON);
  for (const pair of map.items) {
    const name = scalarKey(pair.key, 'comparison', at);
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    const place = at(pair.value as Node);
    const number = (check: (v: number) => boolean, rule: string): number => {
      if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
        throw usageError(`${place}: comparison.${name} must be ${rule}, got '${String(value)}'`);
      }
      return value;
    };
    switch (name) {
      case 'statistic':
        if (typeof value !== 'string' || !(COMPARISON_STATISTICS as readonly string[]).includes(value)) {
          throw usageError(`${place}: comparison.statistic must be one of ${names(COMPARISON_STATISTICS)}, got '${String(value)}'`);
        }
        settings.statistic = value as ComparisonStatistic;
        break;
      case 'threshold': settings.threshold = number((v) => v > 0 && v < 10, 'a fraction above 0 (0.10 = 10% slower)'); break;
      case 'alpha': settings.alpha = number((v) => v > 0 && v < 0.5, 'a significance level between 0 and 0.5 (e.g. 0.05)'); break;
      case 'minPeriods': settings.minPeriods = number((v) => Number.isInteger(v) && v >= 2, 'a whole number of periods, at least 2'); break;
      case 'minRequestsPerPeriod': settings.minRequestsPerPeriod = number((v) => Number.isInteger(v) && v >= 1, 'a whole number of requests, at least 1'); break;
      case 'noiseFloor': settings.noiseFloor = number((v) => v >= 0 && v < 1, 'a fraction 0..1 (0.03 = 3%)'); break;
      case 'absoluteNoiseFloor': settings.absoluteNoiseFloor = number((v) => v >= 0 && v < 1, 'a fraction 0..1 (0.10 = 10%)'); break;
      case 'resamples': settings.resamples = number((v) => Number.isInteger(v) && v >= 50 && v <= 100_000, 'a whole number between 50 and 100000'); break;
      case 'baselineRuns': settings.baselineRuns = number((v) => Number.isInteger(v) && v >= 1 && v <= 50, 'a whole number between 1 and 50'); break;
      case 'minReferenceEndpoints': settings.minReferenceEndpoints = number((v) => Number.isInteger(v) && v >= 1, 'a whole number of endpoints, at least 1'); break;
      case 'adjustForDrift':
        if (typeof value !== 'boolean') throw usageError(`${place}: comparison.adjustForDrift must be true or false, got '${String(value)}'`);
        settings.adjustForDrift = value;
        break;
      default:
        throw usageError(`${at(pair.key as Node)}: unknown setting '${name}' in comparison; known settings: ${names(knownNames)}`);
    }
  }
  return settings;
}

/** Parses one SLO file's text; `path` is used in messages. Throws a one-line usage error. */
export function parseSlo(text: string, path: string): SloSpec {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at: Located = (node) => {
    const offset = node?.range?.[0];
    return offset === undefined ? path : `${path}:${lineCounter.linePos(offset).line}`;
  };
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const line = lineCounter.linePos(error.pos[0]).line;
    throw usageError(`${path}:${line}: not valid YAML (${error.message.split('\n')[0]})`);
  }
  const spec: SloSpec = { path, defaults: {}, endpoints: {}, run: {}, comparison: {}, metrics: {}, locations: {} };
  if (document.contents === null) return spec;
  const root = mapAt(document.contents, 'the SLO file', at);
  for (const pair of root.items) {
    const key = scalarKey(pair.key, 'the SLO file', at);
    switch (key) {
      case 'description':
        if (!isScalar(pair.value) || typeof pair.value.value !== 'string') throw usageError(`${at(pair.value as Node)}: description must be text`);
        spec.description = pair.value.value;
        break;
      case 'defaults':
        spec.defaults = budgetAt(pair.value, 'defaults', ENDPOINT_METRICS, at);
        break;
      case 'run':
        spec.run = budgetAt(pair.value, 'run', RUN_METRICS, at);
        break;
      case 'comparison':
        spec.comparison = comparisonAt(pair.value, at);
        break;
      case 'metrics':
        spec.metrics = metricBudgetsAt(pair.value, at, spec.locations);
        break;
      case 'endpoints': {
        const map = mapAt(pair.value, 'endpoints', at);
        for (const entry of map.items) {
          const endpoint = scalarKey(entry.key, 'endpoints', at);
          if (!ENDPOINT_KEY.test(endpoint)) {
            throw usageError(`${at(entry.key as Node)}: '${endpoint}' is not an endpoint key; write 'METHOD /route/template', e.g. 'GET /api/v1/alerts/:id'`);
          }
          spec.locations[endpoint] = at(entry.key as Node);
          spec.endpoints[endpoint] = budgetAt(entry.value, `endpoints."${endpoint}"`, ENDPOINT_METRICS, at);
        }
        break;
      }
      default:
        throw usageError(`${at(pair.key as Node)}: unknown section '${key}'; known sections: ${names(TOP_LEVEL_KEYS)}`);
    }
  }
  return spec;
}

/** Later specs override earlier ones, metric by metric; comparison settings fall back to the defaults. */
export function mergeSlo(specs: readonly SloSpec[]): SloConfig {
  const config: SloConfig = { sources: [], defaults: {}, endpoints: {}, run: {}, comparison: { ...DEFAULT_COMPARISON }, metrics: {}, locations: {} };
  for (const spec of specs) {
    config.sources.push(spec.path);
    Object.assign(config.defaults, spec.defaults);
    Object.assign(config.run, spec.run);
    Object.assign(config.comparison, spec.comparison);
    Object.assign(config.locations, spec.locations);
    for (const [endpoint, budget] of Object.entries(spec.endpoints)) config.endpoints[endpoint] = { ...(config.endpoints[endpoint] ?? {}), ...budget };
    for (const [name, budget] of Object.entries(spec.metrics)) config.metrics[name] = { ...(config.metrics[name] ?? {}), ...budget };
  }
  return config;
}

/** The budget that applies to one endpoint key: the defaults, overridden by its own entry. */
export function endpointBudget(config: SloConfig, endpoint: string): Budget<EndpointMetric> {
  return { ...config.defaults, ...(config.endpoints[endpoint] ?? {}) };
}

export async function readSloFile(path: string): Promise<SloSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`${path}: cannot read the SLO file (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}); give a YAML file such as ci/slo/defaults.yml`);
  }
  return parseSlo(text, path);
}

export async function loadSlo(paths: readonly string[]): Promise<SloConfig> {
  const specs: SloSpec[] = [];
  for (const path of paths) specs.push(await readSloFile(path));
  return mergeSlo(specs);
}
