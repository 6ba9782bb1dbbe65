// The Store: everything Tocsin keeps, one interface per aggregate (monitors,
// results, alerts, accounts, users' alert settings, status pages), so the embedded SQLite back end
// and PostgreSQL are interchangeable and no SQL leaks into other modules.
//
// Thread-safety: any call may come from any thread. Writes take turns, one
// transaction each: results come from the one writer thread (the Recorder),
// monitor changes from the server's thread (start, reload).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/accounts.h"
#include "store/alert_settings.h"
#include "store/alerts.h"
#include "store/monitors.h"
#include "store/results.h"
#include "store/status_pages.h"

namespace tocsin::store {

class Store {
 public:
  virtual ~Store() = default;
  virtual MonitorStore& monitors() = 0;
  virtual ResultStore& results() = 0;
  virtual AlertStore& alerts() = 0;
  virtual AccountStore& accounts() = 0;
  virtual AlertSettingsStore& alert_settings() = 0;
  virtual StatusPageStore& status_pages() = 0;
  // A consistent copy of everything to `path` (a new file), taken while
  // the store runs: SQLite's online backup.
  virtual Status Backup(const std::string& path) = 0;
};

struct SqliteOptions {
  std::string path;                // the database file; created if missing
  int64_t cache_bytes = 64 << 20;  // page cache of the writer connection
};

// Opens (creating and migrating as needed) the embedded SQLite store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace tocsin::store
