// The embedded SQLite back end: one database, one class per aggregate.
#include "store/sqlite/alerts.h"
#include "store/sqlite/database.h"
#include "store/sqlite/monitors.h"
#include "store/sqlite/results.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

class SqliteStore final : public Store {
 public:
  MonitorStore& monitors() override { return *monitors_; }
  ResultStore& results() override { return *results_; }
  AlertStore& alerts() override { return *alerts_; }

  static Result<std::unique_ptr<Store>> Open(const SqliteOptions& options) {
    std::unique_ptr<SqliteStore> store(new SqliteStore());
    auto db = sqlite::Database::Open(options.path, options.cache_bytes);
    if (!db.ok()) return db.error();
    store->db_ = std::move(*db);
    store->monitors_ = std::make_unique<sqlite::SqliteMonitors>(*store->db_);
    auto results = sqlite::SqliteResults::Create(*store->db_);
    if (!results.ok()) return results.error();
    store->results_ = std::move(*results);
    store->alerts_ = std::make_unique<sqlite::SqliteAlerts>(*store->db_);
    return std::unique_ptr<Store>(std::move(store));
  }

 private:
  SqliteStore() = default;
  // Declared first, destroyed last: the aggregates' statements finalize on it.
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<sqlite::SqliteMonitors> monitors_;
  std::unique_ptr<sqlite::SqliteResults> results_;
  std::unique_ptr<sqlite::SqliteAlerts> alerts_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  return SqliteStore::Open(options);
}

}  // namespace tocsin::store
