#include "store/sqlite/database.h"

#include "core/clock.h"
#include "store/sqlite/migrations.h"

namespace tocsin::store::sqlite {
namespace {

// How long a connection waits for a lock held by the other before failing.
constexpr int kBusyTimeoutMs = 5'000;
constexpr int64_t kReaderCacheBytes = 8 << 20;

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

Status Migrate(sqlite3* db) {
  if (Status s = Exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !s.ok()) {
    return s;
  }
  auto current = Stmt::Prepare(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!current.ok()) return current.error();
  if (current->Step() != SQLITE_ROW) return SqliteError(db, "reading schema version");
  const int64_t version = current->Int(0);
  current->Reset();
  for (const auto& m : Migrations()) {
    if (m.version <= version) continue;
    if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = Exec(db, m.sql);
    if (s.ok()) {
      const std::string record = "INSERT INTO schema_migrations VALUES (" +
                                 std::to_string(m.version) + ", " +
                                 std::to_string(UnixMicros() / 1'000'000) + ")";
      s = Exec(db, record.c_str());
    }
    if (s.ok()) s = Exec(db, "COMMIT");
    if (!s.ok()) {
      Rollback(db);
      return Error{s.error().code,
                   "migration " + std::to_string(m.version) + " failed: " + s.error().message};
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, int64_t cache_bytes) {
  auto db = std::make_unique<Database>();
  db->path = path;
  auto writer = OpenConnection(path, cache_bytes);
  if (!writer.ok()) return writer.error();
  db->writer = std::move(*writer);
  if (Status s = Migrate(db->writer.get()); !s.ok()) return s.error();
  auto reader = OpenConnection(path, kReaderCacheBytes);
  if (!reader.ok()) return reader.error();
  db->reader = std::move(*reader);
  return db;
}

}  // namespace tocsin::store::sqlite
