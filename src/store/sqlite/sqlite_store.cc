// The embedded SQLite back end: one database, one class per aggregate.
#include <filesystem>

#include "store/sqlite/accounts.h"
#include "store/sqlite/alert_settings.h"
#include "store/sqlite/alerts.h"
#include "store/sqlite/database.h"
#include "store/sqlite/monitors.h"
#include "store/sqlite/results.h"
#include "store/sqlite/status_pages.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

class SqliteStore final : public Store {
 public:
  MonitorStore& monitors() override { return *monitors_; }
  ResultStore& results() override { return *results_; }
  AlertStore& alerts() override { return *alerts_; }
  AccountStore& accounts() override { return *accounts_; }
  AlertSettingsStore& alert_settings() override { return *alert_settings_; }
  StatusPageStore& status_pages() override { return *status_pages_; }

  Status Backup(const std::string& path) override {
    if (std::filesystem::exists(path)) {
      return InvalidArgument("backup: " + path + " exists; name a new file");
    }
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      const std::string why = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
      sqlite3_close(raw);
      return Unavailable("backup: cannot create " + path + ": " + why);
    }
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> target(raw, sqlite3_close);
    // A connection of its own: the writer goes on committing results and
    // the API's reader goes on answering while the copy is taken (WAL).
    raw = nullptr;
    const int opened = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> source(raw, sqlite3_close);
    if (opened != SQLITE_OK) return Unavailable("backup: cannot open the store");
    sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
    if (backup == nullptr)
      return Unavailable("backup: " + std::string(sqlite3_errmsg(target.get())));
    int rc = SQLITE_OK;
    for (int busy = 0; busy < kMaxBusyWaits;) {
      rc = sqlite3_backup_step(backup, -1);  // all at once: one consistent read transaction
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      ++busy;
      sqlite3_sleep(20);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      return Unavailable("backup: " + std::string(sqlite3_errstr(rc)));
    }
    return {};
  }

  static Result<std::unique_ptr<Store>> Open(const SqliteOptions& options) {
    std::unique_ptr<SqliteStore> store(new SqliteStore());
    auto db = sqlite::Database::Open(options.path, options.cache_bytes);
    if (!db.ok()) return db.error();
    store->db_ = std::move(*db);
    store->path_ = options.path;
    store->monitors_ = std::make_unique<sqlite::SqliteMonitors>(*store->db_);
    auto results = sqlite::SqliteResults::Create(*store->db_);
    if (!results.ok()) return results.error();
    store->results_ = std::move(*results);
    store->alerts_ = std::make_unique<sqlite::SqliteAlerts>(*store->db_);
    store->accounts_ = std::make_unique<sqlite::SqliteAccounts>(*store->db_);
    store->alert_settings_ = std::make_unique<sqlite::SqliteAlertSettings>(*store->db_);
    store->status_pages_ = std::make_unique<sqlite::SqliteStatusPages>(*store->db_);
    return std::unique_ptr<Store>(std::move(store));
  }

 private:
  SqliteStore() = default;
  static constexpr int kMaxBusyWaits = 500;  // 10 s of waiting for a lock
  std::string path_;
  // Declared first, destroyed last: the aggregates' statements finalize on it.
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<sqlite::SqliteMonitors> monitors_;
  std::unique_ptr<sqlite::SqliteResults> results_;
  std::unique_ptr<sqlite::SqliteAlerts> alerts_;
  std::unique_ptr<sqlite::SqliteAccounts> accounts_;
  std::unique_ptr<sqlite::SqliteAlertSettings> alert_settings_;
  std::unique_ptr<sqlite::SqliteStatusPages> status_pages_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  return SqliteStore::Open(options);
}

}  // namespace tocsin::store
