#include "store/sqlite/monitors.h"

#include <string>

#include "core/clock.h"

namespace tocsin::store::sqlite {

Result<std::vector<model::MonitorId>> SqliteMonitors::SyncMonitors(
    const std::vector<MonitorRecord>& monitors) {
  // Taken before the statement, which is finalized on the connection at return.
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto upsert = Stmt::Prepare(db, R"sql(
    INSERT INTO monitors (workspace_id, name, owner, url, options_json, interval_us, enabled,
                          created_at, updated_at)
    VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
    ON CONFLICT(workspace_id, name) DO UPDATE SET owner = ?2, url = ?3, options_json = ?4,
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

namespace {

constexpr const char* kColumns =
    "id, workspace_id, name, owner, url, options_json, interval_us, enabled, settings_json, "
    "created_at, updated_at";

MonitorRecord ReadMonitor(const Stmt& q) {
  MonitorRecord m;
  m.id = static_cast<model::MonitorId>(q.Int(0));
  m.workspace = q.Int(1);
  m.name = q.Text(2);
  m.owner = static_cast<uint64_t>(q.Int(3));
  m.url = q.Text(4);
  m.options_json = q.Text(5);
  m.interval = q.Int(6);
  m.enabled = q.Int(7) != 0;
  m.settings_json = q.Text(8);
  m.created_ms = q.Int(9);
  m.updated_ms = q.Int(10);
  return m;
}

bool IsUniqueViolation(sqlite3* db) {
  return sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE;
}

}  // namespace

Result<std::vector<MonitorRecord>> SqliteMonitors::ListMonitors() {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kColumns + " FROM monitors ORDER BY id");
  if (!q.ok()) return q.error();
  std::vector<MonitorRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadMonitor(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "listing monitors");
  return out;
}

Result<std::optional<MonitorRecord>> SqliteMonitors::GetMonitor(model::MonitorId id) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kColumns + " FROM monitors WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  const int rc = q->Step();
  if (rc == SQLITE_ROW) return std::optional<MonitorRecord>(ReadMonitor(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading a monitor");
  return std::optional<MonitorRecord>();
}

Result<MonitorRecord> SqliteMonitors::CreateMonitor(MonitorRecord m) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, R"sql(
    INSERT INTO monitors (workspace_id, name, owner, url, options_json, interval_us, enabled,
                          settings_json, created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id)sql");
  if (!q.ok()) return q.error();
  m.created_ms = m.updated_ms = UnixMicros() / 1000;
  q->Bind(1, m.workspace);
  q->Bind(2, m.name);
  q->Bind(3, static_cast<int64_t>(m.owner));
  q->Bind(4, m.url);
  q->Bind(5, m.options_json);
  q->Bind(6, m.interval);
  q->Bind(7, m.enabled ? 1 : 0);
  q->Bind(8, m.settings_json);
  q->Bind(9, m.created_ms);
  if (q->Step() != SQLITE_ROW) {
    if (IsUniqueViolation(db)) {
      return Error{ErrorCode::kConflict,
                   "this workspace already has a monitor named '" + m.name + "'", "name"};
    }
    return SqliteError(db, "creating a monitor");
  }
  m.id = static_cast<model::MonitorId>(q->Int(0));
  return m;
}

Status SqliteMonitors::UpdateMonitor(const MonitorRecord& m) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, R"sql(
    UPDATE monitors SET name = ?2, url = ?3, options_json = ?4, interval_us = ?5, enabled = ?6,
      settings_json = ?7, updated_at = ?8
    WHERE id = ?1)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, m.id);
  q->Bind(2, m.name);
  q->Bind(3, m.url);
  q->Bind(4, m.options_json);
  q->Bind(5, m.interval);
  q->Bind(6, m.enabled ? 1 : 0);
  q->Bind(7, m.settings_json);
  q->Bind(8, UnixMicros() / 1000);
  const int rc = q->Step();
  if (rc != SQLITE_DONE) {
    if (IsUniqueViolation(db)) {
      return Error{ErrorCode::kConflict,
                   "this workspace already has a monitor named '" + m.name + "'", "name"};
    }
    return SqliteError(db, "updating a monitor");
  }
  if (sqlite3_changes(db) == 0) return NotFound("no monitor " + std::to_string(m.id));
  return {};
}

Status SqliteMonitors::DeleteMonitor(model::MonitorId id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = PurgeMonitors(db, "monitor_id = " + std::to_string(id), "id = " + std::to_string(id));
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) Rollback(db);
  return s;
}

Status PurgeMonitors(sqlite3* db, const std::string& where_monitor_id,
                     const std::string& where_id) {
  const std::string statements[] = {
      "DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE " +
          where_monitor_id + ")",
      "DELETE FROM outbox WHERE " + where_monitor_id,
      "DELETE FROM incidents WHERE " + where_monitor_id,
      "DELETE FROM results WHERE " + where_monitor_id,
      "DELETE FROM result_details WHERE " + where_monitor_id,
      "DELETE FROM rollups WHERE " + where_monitor_id,
      "DELETE FROM monitor_state WHERE " + where_monitor_id,
      "DELETE FROM monitors WHERE " + where_id,
  };
  for (const std::string& sql : statements) {
    if (Status s = Exec(db, sql.c_str()); !s.ok()) return s;
  }
  return {};
}

}  // namespace tocsin::store::sqlite
