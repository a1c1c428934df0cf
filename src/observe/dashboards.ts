// Grafana dashboards as code (pure): five dashboards of typed panels over the series Rampart's
// Prometheus has (recordings.yml, the platform's /metrics, the exporters), rendered into Grafana's
// dashboard JSON model with provisioning files. Every panel's query is run against a real Prometheus
// during a real run in test/observe/live.run.test.ts. Queries use two dashboard variables, $profile (the
// Pushgateway job) and $run (run_id), and the datasource variable ${datasource}.
import { stringify } from 'yaml';

type Unit = 'ms' | 's' | 'percentunit' | 'bytes' | 'Bps' | 'short' | 'reqps';

interface Query {
  expr: string;
  legend: string;
}

interface Panel {
  title: string;
  kind: 'timeseries' | 'stat';
  unit: Unit;
  queries: Query[];
  description?: string;
}

interface Dashboard {
  uid: string;
  title: string;
  description: string;
  /** whether the $profile and $run variables apply */
  perRun: boolean;
  panels: Panel[];
}

const RUN = 'job=~"$profile", run_id=~"$run"';
const q = (expr: string, legend: string): Query => ({ expr, legend });
const ts = (title: string, unit: Unit, queries: Query[], description?: string): Panel => ({ title, kind: 'timeseries', unit, queries, description });
const stat = (title: string, unit: Unit, queries: Query[]): Panel => ({ title, kind: 'stat', unit, queries });

export const DASHBOARDS: readonly Dashboard[] = [
  {
    uid: 'rampart-load-test',
    title: 'Rampart / Load test overview',
    description: 'One run as Artillery publishes it: throughput, latency, errors, the schedule, alerts.',
    perRun: true,
    panels: [
      stat('Requests so far', 'short', [q(`rampart:run_requests{${RUN}}`, '{{run_id}}')]),
      stat('Error ratio', 'percentunit', [q(`rampart:run_error_ratio{${RUN}}`, '{{run_id}}')]),
      ts('Request rate', 'reqps', [q(`rampart:run_request_rate{${RUN}}`, '{{run_id}}')]),
      ts('All requests: latency (last 10 s period)', 'ms', [q(`rampart:run_latency_ms{${RUN}, stat=~"p50|p95|p99"}`, '{{stat}}')]),
      ts('Users created vs planned', 'short', [
        q(`rampart:run_vusers_created{${RUN}}`, 'created'),
        q(`max by (job, run_id) (rampart_run_planned_arrivals{${RUN}})`, 'planned (20 s ago)'),
      ], 'Generator health: created well under planned means the load generator fell behind its schedule.'),
      ts('Load-test alerts', 'short', [q(`count by (alertname) (ALERTS{alertstate="firing", area="load-test", ${RUN}})`, '{{alertname}}')]),
    ],
  },
  {
    uid: 'rampart-endpoints',
    title: 'Rampart / Endpoints',
    description: 'Per endpoint key: client-side latency (Artillery), outcomes, and the platform\'s own view.',
    perRun: true,
    panels: [
      ts('p95 by endpoint (client, last 10 s period)', 'ms', [q(`rampart:endpoint_latency_ms{${RUN}, stat="p95"}`, '{{endpoint}}')]),
      ts('p99 by endpoint (client)', 'ms', [q(`rampart:endpoint_latency_ms{${RUN}, stat="p99"}`, '{{endpoint}}')]),
      ts('Responses by endpoint and outcome', 'short', [q(`sum by (endpoint, outcome) (artillery_counters{${RUN}, endpoint!=""})`, '{{endpoint}} {{outcome}}')]),
      ts('p95 by route (server)', 's', [q('rampart:platform_route_latency_p95_seconds:rate1m', '{{route}}')]),
    ],
  },
  {
    uid: 'rampart-platform',
    title: 'Rampart / Platform resources',
    description: 'The platform process and its host: CPU, memory, event loop, disk, network, 5xx.',
    perRun: false,
    panels: [
      ts('Platform CPU (cores)', 'short', [q('rate(process_cpu_seconds_total{job="platform"}[1m])', 'platform')]),
      ts('Platform resident memory', 'bytes', [q('process_resident_memory_bytes{job="platform"}', 'platform')]),
      ts('Event-loop lag p99', 's', [q('nodejs_eventloop_lag_p99_seconds{job="platform"}', 'platform')]),
      ts('5xx ratio', 'percentunit', [q('rampart:platform_5xx_ratio:rate1m', 'platform')]),
      ts('Host CPU busy', 'percentunit', [q('1 - avg(rate(node_cpu_seconds_total{job="node", mode="idle"}[1m]))', 'host')]),
      ts('Host memory available', 'percentunit', [q('node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"}', 'host')]),
      ts('Filesystem space available', 'bytes', [q('max by (mountpoint) (node_filesystem_avail_bytes{job="node", fstype!~"tmpfs|overlay"})', '{{mountpoint}}')]),
      ts('Network received', 'Bps', [q('sum(rate(node_network_receive_bytes_total{job="node"}[1m]))', 'received')]),
    ],
  },
  {
    uid: 'rampart-database',
    title: 'Rampart / Database',
    description: 'The platform\'s connection pool (its /metrics) and PostgreSQL (postgres exporter).',
    perRun: false,
    panels: [
      ts('Pool connections', 'short', [
        q('rampart_db_pool_in_use{job="platform"}', 'in use'),
        q('rampart_db_pool_idle{job="platform"}', 'idle'),
        q('rampart_db_pool_waiting{job="platform"}', 'waiting'),
      ]),
      stat('PostgreSQL reachable', 'short', [q('pg_up{job="postgres"}', 'pg_up')]),
      ts('Transactions committed', 'short', [q('sum(rate(pg_stat_database_xact_commit{job="postgres"}[1m]))', 'commits/s')]),
      ts('Backends', 'short', [q('sum by (datname) (pg_stat_database_numbackends{job="postgres"})', '{{datname}}')]),
    ],
  },
  {
    uid: 'rampart-security',
    title: 'Rampart / Security metrics',
    description: 'Threat detection latency and alert correlation time as the platform measures them.',
    perRun: false,
    panels: [
      ts('Detection latency p95', 's', [q('rampart:detection_latency_p95_seconds:rate5m', 'p95')]),
      ts('Correlation time p95', 's', [q('rampart:correlation_time_p95_seconds:rate5m', 'p95')]),
      ts('Events ingested', 'short', [q('sum(rate(rampart_events_ingested_total{job="platform"}[1m]))', 'events/s')]),
      ts('Alerts created by rule', 'short', [q('sum by (rule) (increase(rampart_detection_latency_seconds_count{job="platform"}[5m]))', '{{rule}}')]),
    ],
  },
];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function variables(perRun: boolean): unknown[] {
  const list: unknown[] = [{ name: 'datasource', type: 'datasource', query: 'prometheus', current: { text: 'Rampart Prometheus', value: 'rampart-prometheus' } }];
  if (perRun) {
    for (const [name, query] of [['profile', 'label_values(rampart:run_requests, job)'], ['run', 'label_values(rampart:run_requests{job=~"$profile"}, run_id)']]) {
      list.push({ name, type: 'query', datasource: DATASOURCE, query: { query, refId: name }, refresh: 2, includeAll: true, allValue: '.*', multi: true, current: { text: 'All', value: '$__all' } });
    }
  }
  return list;
}

function panelJson(p: Panel, id: number): Record<string, unknown> {
  const width = p.kind === 'stat' ? 6 : 12;
  return {
    id,
    type: p.kind,
    title: p.title,
    ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE,
    gridPos: { h: 8, w: width, x: 0, y: 0 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    options: {},
    targets: p.queries.map((query, i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: query.expr, legendFormat: query.legend })),
  };
}

/** Lay panels out left to right, two half-width (or four quarter-width) per row. */
function layout(panels: Record<string, unknown>[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  return panels.map((p) => {
    const grid = p.gridPos as { h: number; w: number };
    if (x + grid.w > 24) {
      x = 0;
      y += 8;
    }
    const placed = { ...p, gridPos: { ...grid, x, y } };
    x += grid.w;
    return placed;
  });
}

export function dashboardJson(d: Dashboard): string {
  const model = {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['rampart'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-30m', to: 'now' },
    templating: { list: variables(d.perRun) },
    panels: layout(d.panels.map((p, i) => panelJson(p, i + 1))),
  };
  return `${JSON.stringify(model, null, 2)}\n`;
}

/** grafana/ file name -> content: the dashboards and the provisioning files that load them. */
export function dashboardFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) files.set(`dashboards/${d.uid}.json`, dashboardJson(d));
  const note = '# Grafana provisioning for Rampart (docs/observability.md). Generated by \'rampart observe generate\'.\n';
  files.set('provisioning/datasources/rampart.yml', note + stringify({
    apiVersion: 1,
    datasources: [{ name: 'Rampart Prometheus', uid: 'rampart-prometheus', type: 'prometheus', access: 'proxy', url: 'http://127.0.0.1:9090', isDefault: false }],
  }));
  files.set('provisioning/dashboards/rampart.yml', note + stringify({
    apiVersion: 1,
    providers: [{ name: 'rampart', folder: 'Rampart', type: 'file', disableDeletion: false, allowUiUpdates: false, options: { path: '/var/lib/grafana/dashboards/rampart', foldersFromFilesStructure: false } }],
  }));
  return files;
}
