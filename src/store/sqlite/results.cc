#include "store/sqlite/results.h"

#include <sys/stat.h>

#include "store/rollup.h"
#include "store/sqlite/monitors.h"

namespace tocsin::store::sqlite {
namespace {

// Bits of results.flags.
constexpr int64_t kFlagMaintenance = 1;
// Monitors visited by one DeleteExpired call, whatever it finds.
constexpr size_t kExpiryMonitorsPerCall = 1'000;

// A rollup row's columns, in the order ReadRollup takes them.
constexpr std::string_view kRollupColumns =
    "count, failures, min_us, max_us, sum_us, sketch, phased, dns_sum_us, connect_sum_us, "
    "tls_sum_us, ttfb_sum_us, download_sum_us, response_sketch";
constexpr int kRollupColumnCount = 13;

std::string WithRollupColumns(std::string_view before, std::string_view after) {
  return std::string(before) + std::string(kRollupColumns) + std::string(after);
}

Result<RollupRow> ReadRollup(const Stmt& q) {
  auto row = RollupRow::FromColumns(q.Int(0), q.Int(1), q.Int(2), q.Int(3), q.Int(4), q.Blob(5));
  if (!row.ok()) return row;
  row->phased = static_cast<uint64_t>(q.Int(6));
  for (size_t i = 0; i < kPhaseCount; ++i) {
    row->phase_sum_us[i] = static_cast<uint64_t>(q.Int(static_cast<int>(7 + i)));
  }
  if (const std::string_view blob = q.Blob(12); !blob.empty()) {
    auto response = stats::LatencySketch::Deserialize(blob);
    if (!response.ok()) return Internal("corrupt rollup sketch: " + response.error().message);
    row->response_sketch = std::move(*response);
  }
  return row;
}

}  // namespace

Result<std::unique_ptr<SqliteResults>> SqliteResults::Create(Database& db) {
  std::unique_ptr<SqliteResults> results(new SqliteResults(db));
  if (Status s = results->PrepareWriterStatements(); !s.ok()) return s.error();
  return results;
}

Status SqliteResults::PrepareWriterStatements() {
  struct Item {
    Stmt* stmt;
    std::string sql;
  };
  const Item items[] = {
      {&insert_result_,
       "INSERT OR REPLACE INTO results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
       "?12, ?13, ?14)"},
      {&insert_detail_, "INSERT OR REPLACE INTO result_details VALUES (?1, ?2, ?3, ?4)"},
      {&select_rollup_,
       WithRollupColumns("SELECT ",
                         " FROM rollups WHERE monitor_id = ?1 AND level = ?2 AND bucket = ?3")},
      {&write_rollup_,
       WithRollupColumns("INSERT OR REPLACE INTO rollups (monitor_id, level, bucket, ",
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                         "?14, ?15, ?16)")},
      {&upsert_state_,
       "INSERT INTO monitor_state VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(monitor_id) "
       "DO UPDATE SET ts = ?2, outcome = ?3, status = ?4, total_us = ?5, detail = ?6 "
       "WHERE ?2 >= ts"},
      {&select_ip_, "SELECT id FROM addresses WHERE ip = ?1"},
      {&insert_ip_, "INSERT INTO addresses (ip) VALUES (?1)"},
      {&delete_results_, "DELETE FROM results WHERE monitor_id = ?1 AND ts < ?2"},
      {&delete_details_, "DELETE FROM result_details WHERE monitor_id = ?1 AND ts < ?2"},
      {&delete_minutes_, "DELETE FROM rollups WHERE monitor_id = ?1 AND level = 0 AND bucket < ?2"},
  };
  for (const Item& item : items) {
    auto stmt = Stmt::Prepare(db_.writer.get(), item.sql);
    if (!stmt.ok()) return stmt.error();
    *item.stmt = std::move(*stmt);
  }
  return {};
}

Status SqliteResults::WriteBatch(std::span<const model::CheckRecord> results) {
  if (results.empty()) return {};
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = WriteInTransaction(results);
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) {
    Rollback(db);
    ip_ids_.clear();  // ids interned in the rolled-back transaction are gone
  }
  return s;
}

Result<int64_t> SqliteResults::InternIp(const std::string& ip) {
  if (auto it = ip_ids_.find(ip); it != ip_ids_.end()) return it->second;
  select_ip_.Bind(1, ip);
  int64_t id = 0;
  if (select_ip_.Step() == SQLITE_ROW) {
    id = select_ip_.Int(0);
    select_ip_.Reset();
  } else {
    select_ip_.Reset();
    insert_ip_.Bind(1, ip);
    if (Status s = StepDone(db_.writer.get(), insert_ip_, "interning an address"); !s.ok()) {
      return s.error();
    }
    id = sqlite3_last_insert_rowid(db_.writer.get());
  }
  ip_ids_.emplace(ip, id);
  return id;
}

Status SqliteResults::WriteInTransaction(std::span<const model::CheckRecord> results) {
  sqlite3* db = db_.writer.get();
  std::unordered_map<model::MonitorId, const model::CheckRecord*> latest;
  for (const model::CheckRecord& r : results) {
    auto ip_id = InternIp(r.ip);
    if (!ip_id.ok()) return ip_id.error();
    Stmt& s = insert_result_;
    s.Bind(1, r.monitor);
    s.Bind(2, r.ts_ms);
    s.Bind(3, r.location);
    s.Bind(4, static_cast<int64_t>(r.outcome));
    s.Bind(5, r.status);
    s.Bind(6, *ip_id);
    s.Bind(7, r.dns_us);
    s.Bind(8, r.connect_us);
    s.Bind(9, r.tls_us);
    s.Bind(10, r.ttfb_us);
    s.Bind(11, r.download_us);
    s.Bind(12, r.total_us);
    s.Bind(13, r.bytes);
    s.Bind(14, r.in_maintenance ? kFlagMaintenance : 0);
    if (Status st = StepDone(db, s, "inserting results"); !st.ok()) return st;
    if (!r.detail.empty()) {
      insert_detail_.Bind(1, r.monitor);
      insert_detail_.Bind(2, r.ts_ms);
      insert_detail_.Bind(3, r.location);
      insert_detail_.Bind(4, r.detail);
      if (Status st = StepDone(db, insert_detail_, "inserting details"); !st.ok()) return st;
    }
    auto [it, inserted] = latest.try_emplace(r.monitor, &r);
    if (!inserted && it->second->ts_ms <= r.ts_ms) it->second = &r;
  }
  const auto read = [&](const RollupKey& key) -> Result<std::optional<RollupRow>> {
    Stmt& q = select_rollup_;
    q.Bind(1, key.monitor);
    q.Bind(2, static_cast<int64_t>(key.level));
    q.Bind(3, key.bucket);
    const int rc = q.Step();
    std::optional<RollupRow> row;
    if (rc == SQLITE_ROW) {
      auto existing = ReadRollup(q);
      if (!existing.ok()) {
        q.Reset();
        return existing.error();
      }
      row = std::move(*existing);
    } else if (rc != SQLITE_DONE) {
      Error e = SqliteError(db, "reading a rollup");
      q.Reset();
      return e;
    }
    q.Reset();
    return row;
  };
  const auto write = [&](const RollupKey& key, const RollupRow& row) -> Status {
    Stmt& w = write_rollup_;
    w.Bind(1, key.monitor);
    w.Bind(2, static_cast<int64_t>(key.level));
    w.Bind(3, key.bucket);
    w.Bind(4, static_cast<int64_t>(row.count));
    w.Bind(5, static_cast<int64_t>(row.failures));
    w.Bind(6, row.min_us);
    w.Bind(7, row.max_us);
    w.Bind(8, static_cast<int64_t>(row.sum_us));
    w.BindBlob(9, row.sketch.Serialize());
    // Phases and the response sketch live in hour and day rows only (see
    // RollupRow): a minute row writes zeros and nothing, which SQLite keeps
    // in a header byte each.
    const bool minute = key.level == RollupLevel::kMinute;
    w.Bind(10, minute ? 0 : static_cast<int64_t>(row.phased));
    for (size_t i = 0; i < kPhaseCount; ++i) {
      w.Bind(static_cast<int>(11 + i), minute ? 0 : static_cast<int64_t>(row.phase_sum_us[i]));
    }
    w.BindBlob(16, minute ? std::string() : row.response_sketch.Serialize());
    return StepDone(db, w, "writing rollups");
  };
  if (Status st = MergeIntoRollups(results, read, write); !st.ok()) return st;
  for (const auto& [monitor, r] : latest) {
    Stmt& u = upsert_state_;
    u.Bind(1, monitor);
    u.Bind(2, r->ts_ms);
    u.Bind(3, static_cast<int64_t>(r->outcome));
    u.Bind(4, r->status);
    u.Bind(5, r->total_us);
    u.Bind(6, r->detail);
    if (Status st = StepDone(db, u, "updating latest state"); !st.ok()) return st;
  }
  return {};
}

// A check in flight when its monitor was deleted (or its account
// terminated) delivers its result after the deletion; whatever it left is
// removed here, once per pass, so nothing of a deleted monitor stays. Such
// a result always writes its latest state, so monitor_state (one row per
// monitor) finds them cheaply.
Status SqliteResults::PurgeOrphans(sqlite3* db) {
  auto q = Stmt::Prepare(
      db, "SELECT monitor_id FROM monitor_state WHERE monitor_id NOT IN (SELECT id FROM monitors)");
  if (!q.ok()) return q.error();
  std::string ids;
  while (q->Step() == SQLITE_ROW) {
    if (!ids.empty()) ids += ',';
    ids += std::to_string(q->Int(0));
  }
  if (ids.empty()) return {};
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = PurgeMonitors(db, "monitor_id IN (" + ids + ")", "id IN (" + ids + ")");
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) Rollback(db);
  return s;
}

Result<size_t> SqliteResults::DeleteExpired(int64_t before_ms, size_t max_rows) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  if (expiry_cursor_ >= expiry_ids_.size()) {
    auto q = Stmt::Prepare(db, "SELECT id FROM monitors ORDER BY id");
    if (!q.ok()) return q.error();
    expiry_ids_.clear();
    while (q->Step() == SQLITE_ROW) expiry_ids_.push_back(static_cast<model::MonitorId>(q->Int(0)));
    expiry_cursor_ = 0;
    if (Status s = PurgeOrphans(db); !s.ok()) return s.error();
  }
  // Per monitor, so every delete is a range of the primary key; bounded
  // work per call, so the writer never stalls the batches for long.
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s.error();
  // A minute rollup goes only when its whole minute is older than the
  // cut-off: the minute holding before_ms still has results that stay.
  const int64_t before_minute = BucketStart(RollupLevel::kMinute, before_ms / 1000);
  size_t deleted = 0;
  size_t visited = 0;
  while (deleted < max_rows && visited < kExpiryMonitorsPerCall &&
         expiry_cursor_ < expiry_ids_.size()) {
    const model::MonitorId id = expiry_ids_[expiry_cursor_++];
    ++visited;
    for (Stmt* stmt : {&delete_results_, &delete_details_, &delete_minutes_}) {
      stmt->Bind(1, id);
      stmt->Bind(2, stmt == &delete_minutes_ ? before_minute : before_ms);
      if (Status s = StepDone(db, *stmt, "deleting expired results"); !s.ok()) {
        Rollback(db);
        return s.error();
      }
      if (stmt == &delete_results_) deleted += static_cast<size_t>(sqlite3_changes(db));
    }
  }
  if (Status s = Exec(db, "COMMIT"); !s.ok()) {
    Rollback(db);
    return s.error();
  }
  return deleted;
}

Result<std::vector<model::CheckRecord>> SqliteResults::QueryResults(model::MonitorId monitor,
                                                                    int64_t from_ms, int64_t to_ms,
                                                                    size_t limit) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, R"sql(
    SELECT r.ts, r.location, r.outcome, r.status, a.ip, r.dns_us, r.connect_us, r.tls_us,
           r.ttfb_us, r.download_us, r.total_us, r.bytes, coalesce(d.detail, ''), r.flags
    FROM results r JOIN addresses a ON a.id = r.ip_id
    LEFT JOIN result_details d
      ON d.monitor_id = r.monitor_id AND d.ts = r.ts AND d.location = r.location
    WHERE r.monitor_id = ?1 AND r.ts >= ?2 AND r.ts < ?3
    ORDER BY r.ts LIMIT ?4)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, monitor);
  q->Bind(2, from_ms);
  q->Bind(3, to_ms);
  q->Bind(4, static_cast<int64_t>(limit));
  std::vector<model::CheckRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    model::CheckRecord r;
    r.monitor = monitor;
    r.ts_ms = q->Int(0);
    r.location = static_cast<model::LocationId>(q->Int(1));
    const int64_t outcome = q->Int(2);
    if (outcome < 0 || outcome >= model::kOutcomeCount) {
      return Internal("corrupt result: outcome " + std::to_string(outcome));
    }
    r.outcome = static_cast<model::Outcome>(outcome);
    r.status = static_cast<uint16_t>(q->Int(3));
    r.ip = q->Text(4);
    r.dns_us = static_cast<uint32_t>(q->Int(5));
    r.connect_us = static_cast<uint32_t>(q->Int(6));
    r.tls_us = static_cast<uint32_t>(q->Int(7));
    r.ttfb_us = static_cast<uint32_t>(q->Int(8));
    r.download_us = static_cast<uint32_t>(q->Int(9));
    r.total_us = static_cast<uint32_t>(q->Int(10));
    r.bytes = static_cast<uint32_t>(q->Int(11));
    r.detail = q->Text(12);
    r.in_maintenance = (q->Int(13) & kFlagMaintenance) != 0;
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading results");
  return out;
}

Result<RangeSummary> SqliteResults::Summarize(model::MonitorId monitor, int64_t from_s,
                                              int64_t to_s) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, WithRollupColumns("SELECT ",
                                               " FROM rollups WHERE monitor_id = ?1 AND level = ?2 "
                                               "AND bucket >= ?3 AND bucket < ?4"));
  if (!q.ok()) return q.error();
  return SummarizeRange(from_s, to_s,
                        [&](RollupLevel level, int64_t from, int64_t to, RollupRow& merged) {
                          q->Bind(1, monitor);
                          q->Bind(2, static_cast<int64_t>(level));
                          q->Bind(3, from);
                          q->Bind(4, to);
                          int rc;
                          while ((rc = q->Step()) == SQLITE_ROW) {
                            auto row = ReadRollup(*q);
                            if (!row.ok()) {
                              q->Reset();
                              return Status(row.error());
                            }
                            merged.Merge(*row);
                          }
                          q->Reset();
                          if (rc != SQLITE_DONE) return Status(SqliteError(db, "reading rollups"));
                          return Status();
                        });
}

Result<std::vector<BucketSummary>> SqliteResults::Series(model::MonitorId monitor,
                                                         RollupLevel level, int64_t from_s,
                                                         int64_t to_s) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(
      db, WithRollupColumns("SELECT ",
                            ", bucket FROM rollups WHERE monitor_id = ?1 AND level = ?2 "
                            "AND bucket >= ?3 AND bucket < ?4 ORDER BY bucket"));
  if (!q.ok()) return q.error();
  q->Bind(1, monitor);
  q->Bind(2, static_cast<int64_t>(level));
  q->Bind(3, from_s);
  q->Bind(4, to_s);
  std::vector<BucketSummary> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    auto row = ReadRollup(*q);
    if (!row.ok()) return row.error();
    out.push_back({q->Int(kRollupColumnCount), store::Summarize(*row)});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading rollups");
  return out;
}

Result<std::vector<model::LatestState>> SqliteResults::LoadLatest() {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(
      db, "SELECT monitor_id, ts, outcome, status, total_us, detail FROM monitor_state");
  if (!q.ok()) return q.error();
  std::vector<model::LatestState> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    const int64_t outcome = q->Int(2);
    if (outcome < 0 || outcome >= model::kOutcomeCount) continue;  // written by a newer version
    out.push_back(model::LatestState{
        static_cast<model::MonitorId>(q->Int(0)), q->Int(1), static_cast<model::Outcome>(outcome),
        static_cast<uint16_t>(q->Int(3)), static_cast<uint32_t>(q->Int(4)), q->Text(5)});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading latest states");
  return out;
}

Result<StoreStats> SqliteResults::Stats() {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  StoreStats stats;
  auto q = Stmt::Prepare(db, "SELECT count(*) FROM results");
  if (!q.ok()) return q.error();
  if (q->Step() != SQLITE_ROW) return SqliteError(db, "counting results");
  stats.raw_rows = static_cast<uint64_t>(q->Int(0));
  for (const std::string& file : {db_.path, db_.path + "-wal"}) {
    struct stat st {};
    if (stat(file.c_str(), &st) == 0) stats.file_bytes += static_cast<uint64_t>(st.st_size);
  }
  return stats;
}

}  // namespace tocsin::store::sqlite
