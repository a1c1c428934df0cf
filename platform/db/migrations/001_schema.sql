-- Rampart reference platform: the whole domain model, version 1.
-- Written as a team writes a first version: sound keys and constraints, the obvious indexes,
-- nothing pre-tuned. Later work measures the bottlenecks and adds what they call for.

CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

-- Principals -------------------------------------------------------------------------------
CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  email         text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('analyst', 'admin')),
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens are stored server-side as a SHA-256 of the opaque token; rotation revokes the old one.
CREATE TABLE refresh_tokens (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Sensors authenticate with an API key (X-API-Key); only the SHA-256 of the key is stored.
CREATE TABLE sensors (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  api_key_hash text NOT NULL UNIQUE,
  disabled     boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz
);

-- Events -----------------------------------------------------------------------------------
-- One row per ingested batch: makes ingestion idempotent per (sensor, batch id).
CREATE TABLE event_batches (
  sensor_id   bigint NOT NULL REFERENCES sensors (id),
  batch_id    text NOT NULL,
  event_count integer NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sensor_id, batch_id)
);

CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  sensor_id   bigint NOT NULL REFERENCES sensors (id),
  batch_id    text NOT NULL,
  occurred_at timestamptz NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  type        text NOT NULL CHECK (type IN ('auth', 'network', 'process', 'dns', 'file')),
  host        text NOT NULL,
  username    text,
  src_ip      inet,
  dst_ip      inet,
  dst_port    integer,
  outcome     text,
  country     text,
  domain      text,
  process     text,
  file_hash   text,
  message     text NOT NULL,
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  detected_at timestamptz -- set when the detection worker has evaluated the event
);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);
CREATE INDEX events_host_idx ON events (host);
CREATE INDEX events_undetected_idx ON events (id) WHERE detected_at IS NULL;

-- Detection --------------------------------------------------------------------------------
CREATE TABLE rules (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  kind        text NOT NULL CHECK (kind IN ('brute_force', 'indicator_match', 'impossible_travel', 'pattern')),
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  technique   text,              -- MITRE ATT&CK technique id, e.g. T1110
  params      jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
  id           bigserial PRIMARY KEY,
  title        text NOT NULL,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'contained', 'closed')),
  severity     text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  assignee_id  bigint REFERENCES users (id) ON DELETE SET NULL,
  correlation_key text,          -- e.g. 'src_ip:203.0.113.7' for automatically correlated incidents
  summary      text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_status_idx ON incidents (status);

CREATE TABLE alerts (
  id            bigserial PRIMARY KEY,
  rule_id       bigint NOT NULL REFERENCES rules (id),
  severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status        text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'in_progress', 'resolved', 'false_positive')),
  title         text NOT NULL,
  host          text,
  username      text,
  src_ip        inet,
  assignee_id   bigint REFERENCES users (id) ON DELETE SET NULL,
  incident_id   bigint REFERENCES incidents (id) ON DELETE SET NULL,
  dedup_key     text,            -- rule-specific key that stops one condition raising many alerts
  event_ingested_at timestamptz NOT NULL, -- ingestion time of the triggering event
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  detection_latency_ms double precision NOT NULL, -- created_at - event_ingested_at
  correlated_at timestamptz,      -- when the alert joined an incident
  correlation_ms double precision, -- correlated_at - created_at
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_created_at_idx ON alerts (created_at);
CREATE INDEX alerts_incident_idx ON alerts (incident_id);
CREATE UNIQUE INDEX alerts_dedup_idx ON alerts (rule_id, dedup_key) WHERE dedup_key IS NOT NULL;

CREATE TABLE alert_events (
  alert_id bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  PRIMARY KEY (alert_id, event_id)
);

CREATE TABLE alert_comments (
  id         bigserial PRIMARY KEY,
  alert_id   bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  author_id  bigint NOT NULL REFERENCES users (id),
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_comments_alert_idx ON alert_comments (alert_id);

-- Threat intelligence ----------------------------------------------------------------------
CREATE TABLE indicators (
  id          bigserial PRIMARY KEY,
  type        text NOT NULL CHECK (type IN ('ip', 'domain', 'hash')),
  value       text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  source      text NOT NULL,
  description text NOT NULL DEFAULT '',
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  UNIQUE (type, value)
);

-- Reports ----------------------------------------------------------------------------------
CREATE TABLE reports (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('executive_summary', 'alert_digest', 'incident_review', 'ioc_export')),
  params       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  requested_by bigint NOT NULL REFERENCES users (id),
  content_type text,
  content      text,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz
);

-- Audit ------------------------------------------------------------------------------------
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  actor_kind  text NOT NULL CHECK (actor_kind IN ('user', 'sensor', 'system')),
  actor_id    bigint,
  action      text NOT NULL,         -- e.g. 'user.create', 'alert.update', 'rule.delete'
  target_type text NOT NULL,
  target_id   text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
