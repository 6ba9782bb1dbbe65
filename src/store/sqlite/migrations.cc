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
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

}  // namespace tocsin::store::sqlite
