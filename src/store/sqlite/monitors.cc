#include "store/sqlite/monitors.h"

#include "core/clock.h"

namespace tocsin::store::sqlite {

Result<std::vector<model::MonitorId>> SqliteMonitors::SyncMonitors(
    const std::vector<MonitorRecord>& monitors) {
  // Taken before the statement, which is finalized on the connection at return.
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto upsert = Stmt::Prepare(db, R"sql(
    INSERT INTO monitors (name, owner, url, options_json, interval_us, enabled,
                          created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
    ON CONFLICT(name) DO UPDATE SET owner = ?2, url = ?3, options_json = ?4,
      interval_us = ?5, enabled = ?6, updated_at = ?7
    RETURNING id)sql");
  if (!upsert.ok()) return upsert.error();
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s.error();
  std::vector<model::MonitorId> ids;
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
      Error e = SqliteError(db, "registering monitor " + m.name);
      upsert->Reset();
      Rollback(db);
      return e;
    }
    ids.push_back(static_cast<model::MonitorId>(upsert->Int(0)));
    upsert->Reset();
  }
  if (Status s = Exec(db, "COMMIT"); !s.ok()) {
    Rollback(db);
    return s.error();
  }
  return ids;
}

Result<std::vector<MonitorRecord>> SqliteMonitors::ListMonitors() {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db,
                         "SELECT id, name, owner, url, options_json, interval_us, enabled "
                         "FROM monitors ORDER BY id");
  if (!q.ok()) return q.error();
  std::vector<MonitorRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.push_back(MonitorRecord{static_cast<model::MonitorId>(q->Int(0)), q->Text(1),
                                static_cast<uint64_t>(q->Int(2)), q->Text(3), q->Text(4), q->Int(5),
                                q->Int(6) != 0});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "listing monitors");
  return out;
}

}  // namespace tocsin::store::sqlite
