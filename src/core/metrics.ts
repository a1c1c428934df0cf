// The metric catalogue: every custom metric Rampart's processors emit (processors/), with the
// words every stage shows for it. The report, the run summary and the gate look names up here, so a
// metric is called the same everywhere.
//
//   histograms (ms, recorded by the plugin into histograms.json `metrics`, µs there)
//     rampart.detection_latency         202 of the attack batch -> first poll that shows its alert
//     rampart.detection_latency_server  the alert's own detectionLatencyMs (event ingested -> alert created)
//     rampart.correlation_time          202 of the second-stage batch -> its alert seen in an incident
//     rampart.correlation_time_server   the alert's own correlationMs (alert created -> joined the incident)
//     rampart.report_generation         202 of POST /reports -> poll that shows status done
//   counters (Artillery's `counters`)
//     rampart.probe.polls, rampart.detection_timeout, rampart.correlation_timeout,
//     rampart.report_timeout, rampart.detections.<kind> (one per attack kind)
//
// A name the catalogue does not know still gets an entry (metricInfo): a label made from the name,
// and it counts as a security metric when the name speaks of detection or correlation.

export type MetricKind = 'histogram' | 'counter';

export interface MetricInfo {
  /** the name the processors emit, e.g. "rampart.detection_latency" */
  name: string;
  kind: MetricKind;
  /** a table row or chart title: "Detection latency" */
  label: string;
  /** in a sentence (the run summary): "threat detection latency (client)" */
  phrase: string;
  /** histograms are in ms (µs in histograms.json); counters count events */
  unit: 'ms' | 'count';
  /** about detecting and correlating attacks: the report's "Security metrics", the gate's security budgets */
  security: boolean;
  /** who measured it: the load generator (client) or the platform itself (its own timestamps) */
  measuredBy: 'client' | 'platform';
  /** what is measured, from start to end */
  description: string;
}

const histogram = (name: string, info: Omit<MetricInfo, 'name' | 'kind' | 'unit'>): MetricInfo => ({ name, kind: 'histogram', unit: 'ms', ...info });
const counter = (name: string, info: Omit<MetricInfo, 'name' | 'kind' | 'unit' | 'measuredBy'>): MetricInfo => ({ name, kind: 'counter', unit: 'count', measuredBy: 'client', ...info });

const CATALOGUE: readonly MetricInfo[] = [
  histogram('rampart.detection_latency', {
    label: 'Detection latency',
    phrase: 'threat detection latency (client)',
    security: true,
    measuredBy: 'client',
    description: 'attack batch accepted (202) -> first poll that shows its alert',
  }),
  histogram('rampart.detection_latency_server', {
    label: 'Detection latency, server-measured',
    phrase: 'threat detection latency (platform)',
    security: true,
    measuredBy: 'platform',
    description: "the alert's own detectionLatencyMs: event ingested -> alert created",
  }),
  histogram('rampart.correlation_time', {
    label: 'Correlation time',
    phrase: 'alert correlation time (client)',
    security: true,
    measuredBy: 'client',
    description: 'second-stage batch accepted (202) -> its alert seen in an incident',
  }),
  histogram('rampart.correlation_time_server', {
    label: 'Correlation time, server-measured',
    phrase: 'alert correlation time (platform)',
    security: true,
    measuredBy: 'platform',
    description: "the alert's own correlationMs: alert created -> joined the incident",
  }),
  histogram('rampart.report_generation', {
    label: 'Report generation',
    phrase: 'report generation',
    security: false,
    measuredBy: 'client',
    description: 'POST /reports accepted (202) -> poll that shows status done',
  }),
  counter('rampart.probe.polls', {
    label: 'Probe polls',
    phrase: 'probe polls',
    security: true,
    description: 'polls of the alert list a detection probe made while waiting for its alert',
  }),
  counter('rampart.detection_timeout', {
    label: 'Detection timeouts',
    phrase: 'attacks not detected in time',
    security: true,
    description: "attacks whose alert was not seen within the probe's time limit",
  }),
  counter('rampart.correlation_timeout', {
    label: 'Correlation timeouts',
    phrase: 'attacks not correlated in time',
    security: true,
    description: "second stages whose incident was not seen within the probe's time limit",
  }),
  counter('rampart.report_timeout', {
    label: 'Report timeouts',
    phrase: 'reports not done in time',
    security: false,
    description: "reports not done within the poll's time limit",
  }),
];

const BY_NAME: ReadonlyMap<string, MetricInfo> = new Map(CATALOGUE.map((m) => [m.name, m]));

/** rampart.detections.<kind>: one counter per attack kind the detection probe injected. */
const DETECTIONS_PREFIX = 'rampart.detections.';

/** Every metric the catalogue knows by name (the per-kind detection counters are not listed). */
export const METRICS: readonly MetricInfo[] = CATALOGUE;

/** "rampart.some_metric.x" -> "Some metric x" (a name the catalogue does not know). */
function labelFromName(name: string): string {
  const bare = name.replace(/^rampart\./, '').replace(/[._-]+/g, ' ').trim();
  return bare.length === 0 ? name : bare[0].toUpperCase() + bare.slice(1);
}

/**
 * The catalogue's entry for a metric name; for a name it does not know, an entry derived from the
 * name (kind as given, default histogram; security when the name speaks of detection or correlation).
 */
export function metricInfo(name: string, kind: MetricKind = 'histogram'): MetricInfo {
  const known = BY_NAME.get(name);
  if (known !== undefined) return known;
  if (name.startsWith(DETECTIONS_PREFIX) && name.length > DETECTIONS_PREFIX.length) {
    const attack = name.slice(DETECTIONS_PREFIX.length);
    return {
      name, kind: 'counter', unit: 'count', security: true, measuredBy: 'client',
      label: `Detections: ${attack}`,
      phrase: `${attack} attacks detected`,
      description: `attacks of kind ${attack} whose alert the detection probe saw`,
    };
  }
  const label = labelFromName(name);
  return {
    name, kind, unit: kind === 'histogram' ? 'ms' : 'count', security: isSecurityMetric(name), measuredBy: 'client',
    label, phrase: name, description: 'a custom metric Rampart does not know',
  };
}

/** Whether a metric is about detecting and correlating attacks (known or not). */
export function isSecurityMetric(name: string): boolean {
  return BY_NAME.get(name)?.security ?? /detection|correlation/i.test(name);
}

/** The label of a metric for tables and charts ("Detection latency"). */
export const metricLabel = (name: string): string => metricInfo(name).label;
