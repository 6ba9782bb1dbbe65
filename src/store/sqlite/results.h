// The results aggregate on SQLite: raw rows clustered by (monitor, time),
// interned addresses, failure details apart, rollups, latest state.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "store/results.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteResults final : public ResultStore {
 public:
  // REQUIRES: `db` open and migrated; it outlives this object.
  static Result<std::unique_ptr<SqliteResults>> Create(Database& db);

  Status WriteBatch(std::span<const model::CheckRecord> results) override;
  Result<size_t> DeleteExpired(int64_t before_ms, size_t max_rows) override;
  Result<std::vector<model::CheckRecord>> QueryResults(model::MonitorId monitor, int64_t from_ms,
                                                       int64_t to_ms, size_t limit) override;
  Result<RangeSummary> Summarize(model::MonitorId monitor, int64_t from_s, int64_t to_s) override;
  Result<std::vector<BucketSummary>> Series(model::MonitorId monitor, RollupLevel level,
                                            int64_t from_s, int64_t to_s) override;
  Result<std::vector<model::LatestState>> LoadLatest() override;
  Result<StoreStats> Stats() override;

 private:
  explicit SqliteResults(Database& db) : db_(db) {}
  Status PurgeOrphans(sqlite3* db);
  Status PrepareWriterStatements();
  Result<int64_t> InternIp(const std::string& ip);
  Status WriteInTransaction(std::span<const model::CheckRecord> results);

  Database& db_;
  // Writer statements, used under db_.writer_mu.
  Stmt insert_result_, insert_detail_, select_rollup_, write_rollup_, upsert_state_, select_ip_,
      insert_ip_, delete_results_, delete_details_, delete_minutes_;
  std::unordered_map<std::string, int64_t> ip_ids_;
  std::vector<model::MonitorId> expiry_ids_;
  size_t expiry_cursor_ = 0;
};

}  // namespace tocsin::store::sqlite
