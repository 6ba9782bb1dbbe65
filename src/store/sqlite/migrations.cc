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
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

}  // namespace tocsin::store::sqlite
