// The embedded SQLite back end: WAL mode, one writer connection used by the
// Recorder's thread, one reader connection for queries.
#include <sys/stat.h>

#include <mutex>
#include <unordered_map>

#include "store/rollup.h"
#include "store/sqlite_migrations.h"
#include "store/sqlite_util.h"
#include "store/store.h"

namespace tocsin::store {
namespace {

using sqlite::Db;
using sqlite::Exec;
using sqlite::SqliteError;
using sqlite::StepDone;
using sqlite::Stmt;

// How long a connection waits for a lock held by the other before failing.
constexpr int kBusyTimeoutMs = 5'000;
// Monitors visited by one DeleteExpired call, whatever it finds.
constexpr size_t kExpiryMonitorsPerCall = 1'000;

Result<Db> OpenConnection(const std::string& path, int64_t cache_bytes) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Unavailable("cannot open database " + path + ": " +
                       (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_extended_result_codes(db.get(), 1);
  // WAL: readers never block the writer; synchronous=NORMAL keeps every
  // committed transaction across a process crash (kill -9), losing at most
  // the last ones on power loss.
  const std::string pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
      std::to_string(cache_bytes / 1024) + ";";
  if (Status s = Exec(db.get(), pragmas.c_str()); !s.ok()) return s.error();
  return db;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}

  Status Open() {
    auto writer = OpenConnection(options_.path, options_.cache_bytes);
    if (!writer.ok()) return writer.error();
    writer_ = std::move(*writer);
    if (Status s = Migrate(); !s.ok()) return s;
    auto reader = OpenConnection(options_.path, 8 << 20);
    if (!reader.ok()) return reader.error();
    reader_ = std::move(*reader);
    return PrepareWriterStatements();
  }

  Result<std::vector<MonitorId>> SyncMonitors(const std::vector<MonitorRecord>& monitors) override {
    // Taken before the statement, which is finalized on the connection at return.
    std::lock_guard lock(writer_mu_);
    auto upsert = Stmt::Prepare(writer_.get(), R"sql(
      INSERT INTO monitors (name, owner, url, options_json, interval_us, enabled,
                            created_at, updated_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
      ON CONFLICT(name) DO UPDATE SET owner = ?2, url = ?3, options_json = ?4,
        interval_us = ?5, enabled = ?6, updated_at = ?7
      RETURNING id)sql");
    if (!upsert.ok()) return upsert.error();
    if (Status s = Exec(writer_.get(), "BEGIN IMMEDIATE"); !s.ok()) return s.error();
    std::vector<MonitorId> ids;
    ids.reserve(monitors.size());
    const int64_t now = UnixMicros() / 1000;
    for (const MonitorRecord& m : monitors) {
      upsert->Bind(1, m.name);
      upsert->Bind(2, static_cast<int64_t>(m.owner));
      upsert->Bind(3, m.url);
      upsert->Bind(4, m.options_json);
      upsert->Bind(5, m.interval);
      upsert->Bind(6, m.enabled ? 1 : 0);
      upsert->Bind(7, now);
      if (upsert->Step() != SQLITE_ROW) {
        Error e = SqliteError(writer_.get(), "registering monitor " + m.name);
        upsert->Reset();
        sqlite::Rollback(writer_.get());
        return e;
      }
      ids.push_back(static_cast<MonitorId>(upsert->Int(0)));
      upsert->Reset();
    }
    if (Status s = Exec(writer_.get(), "COMMIT"); !s.ok()) {
      sqlite::Rollback(writer_.get());
      return s.error();
    }
    return ids;
  }

  Result<std::vector<MonitorRecord>> ListMonitors() override {
    std::lock_guard lock(reader_mu_);
    auto q = Stmt::Prepare(reader_.get(),
                           "SELECT id, name, owner, url, options_json, interval_us, enabled "
                           "FROM monitors ORDER BY id");
    if (!q.ok()) return q.error();
    std::vector<MonitorRecord> out;
    int rc;
    while ((rc = q->Step()) == SQLITE_ROW) {
      out.push_back(MonitorRecord{static_cast<MonitorId>(q->Int(0)), q->Text(1),
                                  static_cast<uint64_t>(q->Int(2)), q->Text(3), q->Text(4),
                                  q->Int(5), q->Int(6) != 0});
    }
    if (rc != SQLITE_DONE) return SqliteError(reader_.get(), "listing monitors");
    return out;
  }

  Status WriteBatch(std::span<const StoredResult> results) override {
    if (results.empty()) return {};
    std::lock_guard lock(writer_mu_);
    if (Status s = Exec(writer_.get(), "BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = WriteInTransaction(results);
    if (s.ok()) s = Exec(writer_.get(), "COMMIT");
    if (!s.ok()) {
      sqlite::Rollback(writer_.get());
      ip_ids_.clear();  // ids interned in the rolled-back transaction are gone
    }
    return s;
  }

  Result<size_t> DeleteExpired(int64_t before_ms, size_t max_rows) override {
    std::lock_guard lock(writer_mu_);
    if (expiry_cursor_ >= expiry_ids_.size()) {
      auto q = Stmt::Prepare(writer_.get(), "SELECT id FROM monitors ORDER BY id");
      if (!q.ok()) return q.error();
      expiry_ids_.clear();
      while (q->Step() == SQLITE_ROW) expiry_ids_.push_back(static_cast<MonitorId>(q->Int(0)));
      expiry_cursor_ = 0;
    }
    // Per monitor, so every delete is a range of the primary key; bounded
    // work per call, so the writer never stalls the batches for long.
    if (Status s = Exec(writer_.get(), "BEGIN IMMEDIATE"); !s.ok()) return s.error();
    // A minute rollup goes only when its whole minute is older than the
    // cut-off: the minute holding before_ms still has results that stay.
    const int64_t before_minute = BucketStart(RollupLevel::kMinute, before_ms / 1000);
    size_t deleted = 0;
    size_t visited = 0;
    while (deleted < max_rows && visited < kExpiryMonitorsPerCall &&
           expiry_cursor_ < expiry_ids_.size()) {
      const MonitorId id = expiry_ids_[expiry_cursor_++];
      ++visited;
      for (Stmt* stmt : {&delete_results_, &delete_details_, &delete_minutes_}) {
        stmt->Bind(1, id);
        stmt->Bind(2, stmt == &delete_minutes_ ? before_minute : before_ms);
        if (Status s = StepDone(writer_.get(), *stmt, "deleting expired results"); !s.ok()) {
          sqlite::Rollback(writer_.get());
          return s.error();
        }
        if (stmt == &delete_results_) {
          deleted += static_cast<size_t>(sqlite3_changes(writer_.get()));
        }
      }
    }
    if (Status s = Exec(writer_.get(), "COMMIT"); !s.ok()) {
      sqlite::Rollback(writer_.get());
      return s.error();
    }
    return deleted;
  }

  Result<std::vector<StoredResult>> QueryResults(MonitorId monitor, int64_t from_ms, int64_t to_ms,
                                                 size_t limit) override {
    std::lock_guard lock(reader_mu_);
    auto q = Stmt::Prepare(reader_.get(), R"sql(
      SELECT r.ts, r.location, r.outcome, r.status, a.ip, r.dns_us, r.connect_us, r.tls_us,
             r.ttfb_us, r.download_us, r.total_us, r.bytes, coalesce(d.detail, '')
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
    std::vector<StoredResult> out;
    int rc;
    while ((rc = q->Step()) == SQLITE_ROW) {
      StoredResult r;
      r.monitor = monitor;
      r.ts_ms = q->Int(0);
      r.location = static_cast<uint8_t>(q->Int(1));
      r.outcome = static_cast<uint8_t>(q->Int(2));
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
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return SqliteError(reader_.get(), "reading results");
    return out;
  }

  Result<RangeSummary> Summarize(MonitorId monitor, int64_t from_s, int64_t to_s) override {
    std::lock_guard lock(reader_mu_);
    auto q = Stmt::Prepare(reader_.get(), R"sql(
      SELECT count, failures, min_us, max_us, sum_us, sketch FROM rollups
      WHERE monitor_id = ?1 AND level = ?2 AND bucket >= ?3 AND bucket < ?4)sql");
    if (!q.ok()) return q.error();
    RollupRow merged;
    for (const auto& span : PlanRange(from_s, to_s).spans) {
      q->Bind(1, monitor);
      q->Bind(2, static_cast<int64_t>(span.level));
      q->Bind(3, span.from_s);
      q->Bind(4, span.to_s);
      int rc;
      while ((rc = q->Step()) == SQLITE_ROW) {
        auto row = ReadRollup(*q);
        if (!row.ok()) {
          q->Reset();
          return row.error();
        }
        merged.Merge(*row);
      }
      q->Reset();
      if (rc != SQLITE_DONE) return SqliteError(reader_.get(), "reading rollups");
    }
    return store::Summarize(merged);
  }

  Result<std::vector<LatestState>> LoadLatest() override {
    std::lock_guard lock(reader_mu_);
    auto q = Stmt::Prepare(
        reader_.get(),
        "SELECT monitor_id, ts, outcome, status, total_us, detail FROM monitor_state");
    if (!q.ok()) return q.error();
    std::vector<LatestState> out;
    int rc;
    while ((rc = q->Step()) == SQLITE_ROW) {
      out.push_back(LatestState{static_cast<MonitorId>(q->Int(0)), q->Int(1),
                                static_cast<uint8_t>(q->Int(2)), static_cast<uint16_t>(q->Int(3)),
                                static_cast<uint32_t>(q->Int(4)), q->Text(5)});
    }
    if (rc != SQLITE_DONE) return SqliteError(reader_.get(), "reading latest states");
    return out;
  }

  Result<StoreStats> Stats() override {
    std::lock_guard lock(reader_mu_);
    StoreStats stats;
    auto q = Stmt::Prepare(reader_.get(), "SELECT count(*) FROM results");
    if (!q.ok()) return q.error();
    if (q->Step() != SQLITE_ROW) return SqliteError(reader_.get(), "counting results");
    stats.raw_rows = static_cast<uint64_t>(q->Int(0));
    for (const std::string& file : {options_.path, options_.path + "-wal"}) {
      struct stat st {};
      if (stat(file.c_str(), &st) == 0) stats.file_bytes += static_cast<uint64_t>(st.st_size);
    }
    return stats;
  }

 private:
  Status Migrate() {
    if (Status s = Exec(writer_.get(),
                        "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        !s.ok()) {
      return s;
    }
    auto current =
        Stmt::Prepare(writer_.get(), "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!current.ok()) return current.error();
    if (current->Step() != SQLITE_ROW) return SqliteError(writer_.get(), "reading schema version");
    const int64_t version = current->Int(0);
    current->Reset();
    for (const auto& m : sqlite::Migrations()) {
      if (m.version <= version) continue;
      if (Status s = Exec(writer_.get(), "BEGIN IMMEDIATE"); !s.ok()) return s;
      Status s = Exec(writer_.get(), m.sql);
      if (s.ok()) {
        const std::string record = "INSERT INTO schema_migrations VALUES (" +
                                   std::to_string(m.version) + ", " +
                                   std::to_string(UnixMicros() / 1'000'000) + ")";
        s = Exec(writer_.get(), record.c_str());
      }
      if (s.ok()) s = Exec(writer_.get(), "COMMIT");
      if (!s.ok()) {
        sqlite::Rollback(writer_.get());
        return Error{s.error().code,
                     "migration " + std::to_string(m.version) + " failed: " + s.error().message};
      }
    }
    return {};
  }

  Status PrepareWriterStatements() {
    struct Item {
      Stmt* stmt;
      const char* sql;
    };
    const Item items[] = {
        {&insert_result_,
         "INSERT OR REPLACE INTO results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
         "?12, ?13)"},
        {&insert_detail_, "INSERT OR REPLACE INTO result_details VALUES (?1, ?2, ?3, ?4)"},
        {&select_rollup_,
         "SELECT count, failures, min_us, max_us, sum_us, sketch FROM rollups "
         "WHERE monitor_id = ?1 AND level = ?2 AND bucket = ?3"},
        {&write_rollup_,
         "INSERT OR REPLACE INTO rollups VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&upsert_state_,
         "INSERT INTO monitor_state VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(monitor_id) "
         "DO UPDATE SET ts = ?2, outcome = ?3, status = ?4, total_us = ?5, detail = ?6 "
         "WHERE ?2 >= ts"},
        {&select_ip_, "SELECT id FROM addresses WHERE ip = ?1"},
        {&insert_ip_, "INSERT INTO addresses (ip) VALUES (?1)"},
        {&delete_results_, "DELETE FROM results WHERE monitor_id = ?1 AND ts < ?2"},
        {&delete_details_, "DELETE FROM result_details WHERE monitor_id = ?1 AND ts < ?2"},
        {&delete_minutes_,
         "DELETE FROM rollups WHERE monitor_id = ?1 AND level = 0 AND bucket < ?2"},
    };
    for (const Item& item : items) {
      auto stmt = Stmt::Prepare(writer_.get(), item.sql);
      if (!stmt.ok()) return stmt.error();
      *item.stmt = std::move(*stmt);
    }
    return {};
  }

  Result<int64_t> InternIp(const std::string& ip) {
    if (auto it = ip_ids_.find(ip); it != ip_ids_.end()) return it->second;
    select_ip_.Bind(1, ip);
    int64_t id = 0;
    if (select_ip_.Step() == SQLITE_ROW) {
      id = select_ip_.Int(0);
      select_ip_.Reset();
    } else {
      select_ip_.Reset();
      insert_ip_.Bind(1, ip);
      if (Status s = StepDone(writer_.get(), insert_ip_, "interning an address"); !s.ok()) {
        return s.error();
      }
      id = sqlite3_last_insert_rowid(writer_.get());
    }
    ip_ids_.emplace(ip, id);
    return id;
  }

  static Result<RollupRow> ReadRollup(const Stmt& q) {
    RollupRow row;
    row.count = static_cast<uint64_t>(q.Int(0));
    row.failures = static_cast<uint64_t>(q.Int(1));
    row.min_us = static_cast<uint32_t>(q.Int(2));
    row.max_us = static_cast<uint32_t>(q.Int(3));
    row.sum_us = static_cast<uint64_t>(q.Int(4));
    auto sketch = report::LatencySketch::Deserialize(q.Blob(5));
    if (!sketch.ok()) return Internal("corrupt rollup sketch: " + sketch.error().message);
    row.sketch = std::move(*sketch);
    return row;
  }

  Status WriteInTransaction(std::span<const StoredResult> results) {
    sqlite3* db = writer_.get();
    std::unordered_map<MonitorId, const StoredResult*> latest;
    for (const StoredResult& r : results) {
      auto ip_id = InternIp(r.ip);
      if (!ip_id.ok()) return ip_id.error();
      Stmt& s = insert_result_;
      s.Bind(1, r.monitor);
      s.Bind(2, r.ts_ms);
      s.Bind(3, r.location);
      s.Bind(4, r.outcome);
      s.Bind(5, r.status);
      s.Bind(6, *ip_id);
      s.Bind(7, r.dns_us);
      s.Bind(8, r.connect_us);
      s.Bind(9, r.tls_us);
      s.Bind(10, r.ttfb_us);
      s.Bind(11, r.download_us);
      s.Bind(12, r.total_us);
      s.Bind(13, r.bytes);
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
    for (auto& [key, row] : AggregateBatch(results)) {
      select_rollup_.Bind(1, key.monitor);
      select_rollup_.Bind(2, static_cast<int64_t>(key.level));
      select_rollup_.Bind(3, key.bucket);
      const int rc = select_rollup_.Step();
      if (rc == SQLITE_ROW) {
        auto existing = ReadRollup(select_rollup_);
        if (!existing.ok()) {
          select_rollup_.Reset();
          return existing.error();
        }
        row.Merge(*existing);
      } else if (rc != SQLITE_DONE) {
        Error e = SqliteError(db, "reading a rollup");
        select_rollup_.Reset();
        return e;
      }
      select_rollup_.Reset();
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
      if (Status st = StepDone(db, w, "writing rollups"); !st.ok()) return st;
    }
    for (const auto& [monitor, r] : latest) {
      Stmt& u = upsert_state_;
      u.Bind(1, monitor);
      u.Bind(2, r->ts_ms);
      u.Bind(3, r->outcome);
      u.Bind(4, r->status);
      u.Bind(5, r->total_us);
      u.Bind(6, r->detail);
      if (Status st = StepDone(db, u, "updating latest state"); !st.ok()) return st;
    }
    return {};
  }

  SqliteOptions options_;
  // The writer connection is opened NOMUTEX and runs one transaction per
  // call: the Recorder's thread (WriteBatch, DeleteExpired) and the server's
  // (SyncMonitors, at start and on reload) take turns.
  std::mutex writer_mu_;
  Db writer_;
  Db reader_;
  std::mutex reader_mu_;
  Stmt insert_result_, insert_detail_, select_rollup_, write_rollup_, upsert_state_, select_ip_,
      insert_ip_, delete_results_, delete_details_, delete_minutes_;
  std::unordered_map<std::string, int64_t> ip_ids_;
  std::vector<MonitorId> expiry_ids_;
  size_t expiry_cursor_ = 0;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(options);
  if (Status s = store->Open(); !s.ok()) return s.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tocsin::store
