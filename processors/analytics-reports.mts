// scenarios/analytics-reports.yml: heavy aggregations over a day to a month, and a report job
// polled until it is done.
//
// Custom metric (Artillery histogram, ms; the rampart plugin mirrors it into histograms.json):
//   rampart.report_generation   202 of POST /reports -> the poll that shows status done
// and counter rampart.report_timeout. A report the platform refused to queue (POST /reports not 202,
// e.g. 503 when its pool ran out) is neither polled nor counted as a timeout: the virtual user fails
// with the refusal's status, which the POST's own expectation and error counters already show.
import { objectOf, setJson } from './bodies.mts';
import { afterResponse, beforeRequest, step } from './hooks.mts';
import { faker, isoAgo, pick } from './payloads.mts';
import { intVar } from './vars.mts';
import type { LoopCondition } from './types.mts';

/** Step: the range and grouping of the aggregations (vars rangeFrom, rangeTo, bucket, topBy, topOf). */
export const analyticsRange = step((context) => {
  const days = faker.helpers.arrayElement([1, 7, 30]);
  Object.assign(context.vars, {
    rangeFrom: isoAgo(days * 86_400_000),
    rangeTo: isoAgo(0),
    bucket: days === 1 ? pick(['minute', 'hour']) : days === 7 ? 'hour' : 'day',
    topBy: pick(['src_ip', 'host', 'username']),
    topOf: pick(['events', 'alerts']),
  });
});

/** beforeRequest: a report of one of the four kinds over the last day, week or month. */
export const setReportRequest = beforeRequest((req) => {
  const days = faker.helpers.arrayElement([1, 7, 30]);
  setJson(req, {
    kind: pick(['executive_summary', 'alert_digest', 'incident_review', 'ioc_export']),
    params: { from: isoAgo(days * 86_400_000), to: isoAgo(0) },
  });
});

/** afterResponse of POST /reports: start the job clock, or note that the platform refused the job. */
export const markReportQueued = afterResponse((_req, res, context) => {
  const id = objectOf(res.body).id;
  const queued = res.statusCode === 202 && typeof id === 'number';
  context.vars.reportId = queued ? id : 0;
  context.vars.reportQueuedAt = Date.now();
  context.vars.reportStatus = queued ? 'queued' : 'not queued';
  context.vars.reportQueueStatus = res.statusCode;
});

/** afterResponse of each poll of the report: its status. */
export const observeReport = afterResponse((_req, res, context) => {
  const status = objectOf(res.body).status;
  if (typeof status === 'string') context.vars.reportStatus = status;
});

/** whileTrue of the polling loop: the job is queued or running, and reportTimeoutMs (60 s) has not passed. */
export const reportStillRunning: LoopCondition = (context, next) => {
  const status = context.vars.reportStatus;
  const started = Number(context.vars.reportQueuedAt ?? 0);
  next((status === 'queued' || status === 'running') && Date.now() - started < intVar(context, 'reportTimeoutMs', 60_000));
};

/** Step: record the report's generation time; a report that was never queued, or did not end 'done', fails the virtual user. */
export const recordReport = step((context, events) => {
  if (context.vars.reportStatus === 'not queued') {
    throw new Error(`report not queued: POST /api/v1/reports answered ${String(context.vars.reportQueueStatus)}, not 202`);
  }
  if (context.vars.reportStatus !== 'done') {
    events.emit('counter', 'rampart.report_timeout', 1);
    throw new Error(`report ${String(context.vars.reportId)} ended '${String(context.vars.reportStatus)}', not 'done'`);
  }
  events.emit('histogram', 'rampart.report_generation', Date.now() - Number(context.vars.reportQueuedAt));
});
