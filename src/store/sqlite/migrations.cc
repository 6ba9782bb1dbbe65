#include "store/sqlite/migrations.h"

namespace tocsin::store::sqlite {
namespace {

// Raw results are the bulk of the data, so their table is WITHOUT ROWID,
// clustered by (monitor, time) for per-monitor range reads, integers only.
// The address is interned (addresses) and the error sentence of a failure
// lives apart (result_details): both would otherwise repeat in every row.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE monitors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner INTEGER NOT NULL DEFAULT 0,
  url TEXT NOT NULL,
  options_json TEXT NOT NULL,
  interval_us INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE addresses (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL UNIQUE
);
CREATE TABLE results (
  monitor_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  location INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  status INTEGER NOT NULL,
  ip_id INTEGER NOT NULL,
  dns_us INTEGER NOT NULL,
  connect_us INTEGER NOT NULL,
  tls_us INTEGER NOT NULL,
  ttfb_us INTEGER NOT NULL,
  download_us INTEGER NOT NULL,
  total_us INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (monitor_id, ts, location)
) WITHOUT ROWID;
CREATE TABLE result_details (
  monitor_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  location INTEGER NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (monitor_id, ts, location)
) WITHOUT ROWID;
CREATE TABLE rollups (
  monitor_id INTEGER NOT NULL,
  level INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  min_us INTEGER NOT NULL,
  max_us INTEGER NOT NULL,
  sum_us INTEGER NOT NULL,
  sketch BLOB NOT NULL,
  PRIMARY KEY (monitor_id, level, bucket)
) WITHOUT ROWID;
CREATE TABLE monitor_state (
  monitor_id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  status INTEGER NOT NULL,
  total_us INTEGER NOT NULL,
  detail TEXT NOT NULL
);
)sql"},
    // Alerting: incidents, the outbox of notifications (written in the same
    // transaction as the incident change), every delivery attempt, channels
    // disabled by their receiver (HTTP 410), the server's signing secrets;
    // and a flags column on results (bit 0: taken in maintenance).
    {2, R"sql(
ALTER TABLE results ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  monitor_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  confirmed_at INTEGER NOT NULL,
  ended_at INTEGER,
  cause BLOB NOT NULL,
  confirmations BLOB NOT NULL,
  acked_at INTEGER,
  acked_by TEXT NOT NULL DEFAULT '',
  held INTEGER NOT NULL,
  announced INTEGER NOT NULL,
  reminders INTEGER NOT NULL,
  escalated INTEGER NOT NULL
);
CREATE INDEX incidents_open ON incidents (monitor_id) WHERE ended_at IS NULL;
CREATE INDEX incidents_by_monitor ON incidents (monitor_id, started_at);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  dedup_key TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  incident_id INTEGER,
  monitor_id INTEGER NOT NULL,
  event INTEGER NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 0,
  delivered_at INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 0;
CREATE INDEX outbox_by_incident ON outbox (incident_id);
CREATE TABLE delivery_attempts (
  outbox_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL,
  duration_us INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_by_outbox ON delivery_attempts (outbox_id);
CREATE TABLE channel_state (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  disabled_at INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
)sql"},
    // Accounts: users, workspaces and members, sessions, API tokens,
    // one-time links, settings. Monitors gain a workspace (0: the config
    // file's) and settings of their own (API monitors), named uniquely per
    // workspace; channels and maintenance windows per workspace; the outbox
    // can address a person directly (account mail).
    {3, R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  email_confirmed_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  totp_secret BLOB NOT NULL DEFAULT x'',
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  weekly_summary INTEGER NOT NULL DEFAULT 1,
  personal_workspace INTEGER NOT NULL DEFAULT 0,
  password_changed_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE workspaces (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  personal_of INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE members (
  workspace_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  role INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_id);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  csrf TEXT NOT NULL,
  user_agent TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  read_only INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id);
CREATE TABLE links (
  hash TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  workspace_id INTEGER NOT NULL,
  email TEXT NOT NULL,
  role INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE monitors_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an id keys one monitor's history
  workspace_id INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  owner INTEGER NOT NULL DEFAULT 0,
  url TEXT NOT NULL,
  options_json TEXT NOT NULL,
  interval_us INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}',
  UNIQUE (workspace_id, name)
);
INSERT INTO monitors_v3 (id, workspace_id, name, owner, url, options_json, interval_us, enabled,
                         created_at, updated_at)
  SELECT id, 0, name, owner, url, options_json, interval_us, enabled, created_at, updated_at
  FROM monitors;
DROP TABLE monitors;
ALTER TABLE monitors_v3 RENAME TO monitors;
CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  UNIQUE (workspace_id, name)
);
CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  window_json TEXT NOT NULL
);
ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
)sql"},
    // Users' alert settings: a workspace's default alert policy (channels
    // and maintenance windows have their tables since 3); second-factor
    // recovery codes, kept hashed.
    {4, R"sql(
CREATE TABLE workspace_policies (
  workspace_id INTEGER PRIMARY KEY,
  policy_json TEXT NOT NULL
);
ALTER TABLE users ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '';
)sql"},
    // Per-phase sums in the rollups, so a chart of a long range stacks the
    // phases; rows written before count no phased check.
    {5, R"sql(
ALTER TABLE rollups ADD COLUMN phased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN dns_sum_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN connect_sum_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN tls_sum_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN ttfb_sum_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN download_sum_us INTEGER NOT NULL DEFAULT 0;
)sql"},
    // When each user gets the weekly summary: an ISO day (1 = Monday) and
    // an hour, in their time zone.
    {6, R"sql(
ALTER TABLE users ADD COLUMN weekly_day INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN weekly_hour INTEGER NOT NULL DEFAULT 8;
)sql"},
    // Public status pages: a page per slug (and an optional host name),
    // the incident posts and updates written on it, its subscribers.
    {7, R"sql(
CREATE TABLE status_pages (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  host TEXT,
  settings_json TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX status_pages_host ON status_pages (host) WHERE host IS NOT NULL;
CREATE INDEX status_pages_workspace ON status_pages (workspace_id);
CREATE TABLE status_posts (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX status_posts_page ON status_posts (page_id, created_at);
CREATE TABLE status_updates (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX status_updates_post ON status_updates (post_id, id);
CREATE TABLE status_subscribers (
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL,
  email TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  confirmed_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (page_id, email)
);
)sql"},
    // The response time's sketch in hour and day rollups (minute rows keep
    // it empty), for the weekly summary's median and p95.
    {8, R"sql(
ALTER TABLE rollups ADD COLUMN response_sketch BLOB NOT NULL DEFAULT x'';
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

}  // namespace tocsin::store::sqlite
