// The Store: everything Tocsin keeps, behind one interface so that the
// embedded SQLite back end and (later) PostgreSQL are interchangeable and
// no SQL leaks into other modules.
//
// Thread-safety: any call may come from any thread. WriteBatch and
// DeleteExpired come from the one writer thread (the Recorder), but
// SyncMonitors comes from the server's thread (start, reload) while the
// Recorder writes: writes take turns, one transaction each.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace tocsin::store {

using MonitorId = uint32_t;

// A monitor as registered in the store. Its id is stable for the life of
// the monitor (the key of its history); config files name monitors, the
// store maps names to ids.
struct MonitorRecord {
  MonitorId id = 0;
  std::string name;
  uint64_t owner = 0;
  std::string url;
  std::string options_json;  // the check options, as `tocsin check --json` names them
  Micros interval = 0;
  bool enabled = true;
};

// One check result as stored: integers only (the error sentence of a failed
// check is kept apart, failures being rare).
struct StoredResult {
  MonitorId monitor = 0;
  int64_t ts_ms = 0;  // Unix milliseconds when the check started
  uint8_t location = 0;
  uint8_t outcome = 0;  // probe::Outcome
  uint16_t status = 0;
  std::string ip;  // text form; interned by the store
  uint32_t dns_us = 0;
  uint32_t connect_us = 0;
  uint32_t tls_us = 0;
  uint32_t ttfb_us = 0;
  uint32_t download_us = 0;
  uint32_t total_us = 0;
  uint32_t bytes = 0;
  std::string detail;  // empty when ok
};

// The latest result of a monitor.
struct LatestState {
  MonitorId monitor = 0;
  int64_t ts_ms = 0;
  uint8_t outcome = 0;
  uint16_t status = 0;
  uint32_t total_us = 0;
  std::string detail;
};

enum class RollupLevel : uint8_t { kMinute = 0, kHour = 1, kDay = 2 };

// Aggregate over a time range, from merged rollups. Latency figures are over
// successful checks (a timed-out check has no meaningful latency).
struct RangeSummary {
  uint64_t count = 0;
  uint64_t failures = 0;
  uint32_t min_us = 0;
  uint32_t max_us = 0;
  double mean_us = 0;
  uint32_t p50_us = 0;
  uint32_t p95_us = 0;
  uint32_t p99_us = 0;
};

struct StoreStats {
  uint64_t raw_rows = 0;
  uint64_t file_bytes = 0;  // database file plus its WAL
};

class Store {
 public:
  virtual ~Store() = default;

  // Registers or updates monitors by name, returning their ids in order.
  // Monitors absent from `monitors` are left alone (see Retire).
  virtual Result<std::vector<MonitorId>> SyncMonitors(
      const std::vector<MonitorRecord>& monitors) = 0;
  virtual Result<std::vector<MonitorRecord>> ListMonitors() = 0;

  // Writes results, their rollups and the latest state per monitor, in one
  // transaction: all or nothing.
  virtual Status WriteBatch(std::span<const StoredResult> results) = 0;

  // Deletes raw results (and minute rollups) older than before_ms, working
  // through the monitors a slice at a time: about max_rows rows or a
  // thousand monitors per call. Returns how many results went; call it
  // periodically.
  virtual Result<size_t> DeleteExpired(int64_t before_ms, size_t max_rows) = 0;

  virtual Result<std::vector<StoredResult>> QueryResults(MonitorId monitor, int64_t from_ms,
                                                         int64_t to_ms, size_t limit) = 0;
  // Summary of [from_s, to_s), using the coarsest rollups that fit.
  virtual Result<RangeSummary> Summarize(MonitorId monitor, int64_t from_s, int64_t to_s) = 0;
  virtual Result<std::vector<LatestState>> LoadLatest() = 0;
  virtual Result<StoreStats> Stats() = 0;
};

struct SqliteOptions {
  std::string path;                // the database file; created if missing
  int64_t cache_bytes = 64 << 20;  // page cache of the writer connection
};

// Opens (creating and migrating as needed) an SQLite store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace tocsin::store
