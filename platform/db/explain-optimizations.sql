-- EXPLAIN ANALYZE of the statements docs/optimizations.md quotes, before and after each optimisation.
-- Run against the database of a platform started with OPTIMIZATIONS=all on the representative data
-- (its "as first written" plans are taken by dropping the optimisation's index inside a transaction
-- that is rolled back):  psql "$URL" -X -f platform/db/explain-optimizations.sql
\pset pager off
-- impossible travel lookup, as first written (index dropped inside the transaction) and with auth-indexes
BEGIN;
DROP INDEX events_auth_success_user_idx;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, country FROM events WHERE type = 'auth' AND outcome = 'success' AND username = 'analyst07' AND country IS NOT NULL AND country <> 'US' AND id <> 1 AND occurred_at BETWEEN now() - interval '2 hours' - make_interval(mins => 60) AND now() - interval '2 hours' + make_interval(mins => 60) ORDER BY abs(extract(epoch FROM occurred_at - (now() - interval '2 hours'))), id LIMIT 1;
ROLLBACK;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, country FROM events WHERE type = 'auth' AND outcome = 'success' AND username = 'analyst07' AND country IS NOT NULL AND country <> 'US' AND id <> 1 AND occurred_at BETWEEN now() - interval '2 hours' - make_interval(mins => 60) AND now() - interval '2 hours' + make_interval(mins => 60) ORDER BY abs(extract(epoch FROM occurred_at - (now() - interval '2 hours'))), id LIMIT 1;
-- correlation peers: as first written (volatile window start, no index), the window once without the
-- index, and with correlation-window
BEGIN;
DROP INDEX alerts_src_ip_created_idx;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, severity FROM alerts WHERE src_ip = '10.0.0.1'::inet AND incident_id IS NULL AND id <> 0 AND status <> 'false_positive' AND created_at > clock_timestamp() - make_interval(secs => 3600) ORDER BY id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, severity FROM alerts WHERE src_ip = '10.0.0.1'::inet AND incident_id IS NULL AND id <> 0 AND status <> 'false_positive' AND created_at > (SELECT clock_timestamp() - make_interval(secs => 3600)) ORDER BY id;
ROLLBACK;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, severity FROM alerts WHERE src_ip = '10.0.0.1'::inet AND incident_id IS NULL AND id <> 0 AND status <> 'false_positive' AND created_at > (SELECT clock_timestamp() - make_interval(secs => 3600)) ORDER BY id;
-- eventsLast24h: plain count vs the per-minute counter
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*) AS n FROM events WHERE ingested_at >= now() - interval '24 hours';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) WITH since AS (SELECT now() - interval '24 hours' AS t),
       edge AS (SELECT m.minute, m.min_id, m.max_id FROM event_ingest_minutes m, since WHERE m.minute = date_trunc('minute', since.t, 'UTC'))
  SELECT (SELECT COALESCE(sum(m.n), 0) FROM event_ingest_minutes m, since WHERE m.minute > date_trunc('minute', since.t, 'UTC'))
       + (SELECT count(*) FROM events e, edge, since
           WHERE e.id BETWEEN edge.min_id AND edge.max_id AND e.ingested_at >= since.t AND e.ingested_at < edge.minute + interval '1 minute') AS n;
SELECT (SELECT count(*) FROM events WHERE ingested_at >= now() - interval '24 hours') AS plain,
  (WITH since AS (SELECT now() - interval '24 hours' AS t),
       edge AS (SELECT m.minute, m.min_id, m.max_id FROM event_ingest_minutes m, since WHERE m.minute = date_trunc('minute', since.t, 'UTC'))
  SELECT (SELECT COALESCE(sum(m.n), 0) FROM event_ingest_minutes m, since WHERE m.minute > date_trunc('minute', since.t, 'UTC'))
       + (SELECT count(*) FROM events e, edge, since
           WHERE e.id BETWEEN edge.min_id AND edge.max_id AND e.ingested_at >= since.t AND e.ingested_at < edge.minute + interval '1 minute')) AS counted;
