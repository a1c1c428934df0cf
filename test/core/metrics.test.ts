import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METRICS, isSecurityMetric, metricInfo, metricLabel } from '../../src/core/metrics.ts';

test('every metric the processors emit is in the catalogue, with its unit and kind', () => {
  const names = METRICS.map((m) => m.name);
  for (const name of [
    'rampart.detection_latency', 'rampart.detection_latency_server', 'rampart.correlation_time', 'rampart.correlation_time_server',
    'rampart.report_generation', 'rampart.probe.polls', 'rampart.detection_timeout', 'rampart.correlation_timeout', 'rampart.report_timeout',
  ]) assert.ok(names.includes(name), name);
  assert.equal(new Set(names).size, names.length, 'no name twice');
  for (const m of METRICS) assert.equal(m.unit, m.kind === 'histogram' ? 'ms' : 'count', m.name);
});

test('labels: the report\'s row titles and the run summary\'s phrases', () => {
  assert.equal(metricLabel('rampart.detection_latency'), 'Detection latency');
  assert.equal(metricLabel('rampart.detection_latency_server'), 'Detection latency, server-measured');
  assert.equal(metricLabel('rampart.correlation_time'), 'Correlation time');
  assert.equal(metricLabel('rampart.correlation_time_server'), 'Correlation time, server-measured');
  assert.equal(metricLabel('rampart.report_generation'), 'Report generation');
  assert.equal(metricInfo('rampart.detection_latency').phrase, 'threat detection latency (client)');
  assert.equal(metricInfo('rampart.detection_latency_server').phrase, 'threat detection latency (platform)');
  assert.equal(metricInfo('rampart.correlation_time').phrase, 'alert correlation time (client)');
  assert.equal(metricInfo('rampart.correlation_time_server').phrase, 'alert correlation time (platform)');
  assert.equal(metricInfo('rampart.report_generation').phrase, 'report generation');
  assert.equal(metricInfo('rampart.detection_latency_server').measuredBy, 'platform');
});

test('security metrics: detection and correlation, not report generation', () => {
  for (const name of ['rampart.detection_latency', 'rampart.detection_latency_server', 'rampart.correlation_time', 'rampart.correlation_time_server', 'rampart.detection_timeout']) {
    assert.equal(isSecurityMetric(name), true, name);
  }
  assert.equal(isSecurityMetric('rampart.report_generation'), false);
  assert.equal(isSecurityMetric('rampart.report_timeout'), false);
});

test('a name the catalogue does not know gets a label from its name', () => {
  assert.equal(metricLabel('rampart.queue_wait'), 'Queue wait');
  assert.equal(metricLabel('rampart.'), 'rampart.');
  const unknown = metricInfo('myapp.login-time');
  assert.deepEqual([unknown.label, unknown.phrase, unknown.unit, unknown.security], ['Myapp login time', 'myapp.login-time', 'ms', false]);
  assert.equal(metricInfo('acme.threat_detection').security, true);
  assert.equal(metricInfo('acme.jobs', 'counter').unit, 'count');
  const kind = metricInfo('rampart.detections.brute_force');
  assert.deepEqual([kind.kind, kind.unit, kind.security, kind.label], ['counter', 'count', true, 'Detections: brute_force']);
});
