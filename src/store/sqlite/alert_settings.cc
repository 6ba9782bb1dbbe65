#include "store/sqlite/alert_settings.h"

namespace tocsin::store::sqlite {
namespace {

ChannelRecord ReadChannel(const Stmt& q) {
  return ChannelRecord{q.Int(0), static_cast<model::WorkspaceId>(q.Int(1)), q.Text(2), q.Text(3)};
}

// "" or " WHERE workspace_id = ?1": workspace 0 reads them all.
std::string OfWorkspace(model::WorkspaceId workspace) {
  return workspace == 0 ? "" : " WHERE workspace_id = ?1";
}

}  // namespace

Result<std::vector<ChannelRecord>> SqliteAlertSettings::Channels(model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, "SELECT id, workspace_id, name, settings_json FROM channels" +
                                 OfWorkspace(workspace) + " ORDER BY id");
  if (!q.ok()) return q.error();
  if (workspace != 0) q->Bind(1, workspace);
  std::vector<ChannelRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadChannel(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading channels");
  return out;
}

Result<std::optional<ChannelRecord>> SqliteAlertSettings::GetChannel(int64_t id) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q =
      Stmt::Prepare(db, "SELECT id, workspace_id, name, settings_json FROM channels WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  const int rc = q->Step();
  if (rc == SQLITE_DONE) return std::optional<ChannelRecord>();
  if (rc != SQLITE_ROW) return SqliteError(db, "reading a channel");
  return std::optional<ChannelRecord>(ReadChannel(*q));
}

Result<ChannelRecord> SqliteAlertSettings::CreateChannel(ChannelRecord record) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db,
                         "INSERT INTO channels (workspace_id, name, settings_json) VALUES (?1, ?2, "
                         "?3) RETURNING id");
  if (!q.ok()) return q.error();
  q->Bind(1, record.workspace);
  q->Bind(2, record.name);
  q->Bind(3, record.settings_json);
  if (q->Step() != SQLITE_ROW) {
    if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
      return InvalidField("name", "this workspace has a channel named '" + record.name + "'");
    }
    return SqliteError(db, "creating a channel");
  }
  record.id = q->Int(0);
  return record;
}

Status SqliteAlertSettings::UpdateChannel(const ChannelRecord& record) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, "UPDATE channels SET settings_json = ?2 WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, record.id);
  q->Bind(2, record.settings_json);
  if (Status s = StepDone(db, *q, "updating a channel"); !s.ok()) return s;
  if (sqlite3_changes(db) == 0) return NotFound("no such channel");
  return {};
}

Status SqliteAlertSettings::DeleteChannel(int64_t id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, "DELETE FROM channels WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  if (Status s = StepDone(db, *q, "deleting a channel"); !s.ok()) return s;
  if (sqlite3_changes(db) == 0) return NotFound("no such channel");
  return {};
}

Result<std::string> SqliteAlertSettings::Policy(model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, "SELECT policy_json FROM workspace_policies WHERE workspace_id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  const int rc = q->Step();
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return SqliteError(db, "reading a policy");
  return q->Text(0);
}

Result<std::vector<std::pair<model::WorkspaceId, std::string>>> SqliteAlertSettings::Policies() {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, "SELECT workspace_id, policy_json FROM workspace_policies");
  if (!q.ok()) return q.error();
  std::vector<std::pair<model::WorkspaceId, std::string>> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.emplace_back(static_cast<model::WorkspaceId>(q->Int(0)), q->Text(1));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading policies");
  return out;
}

Status SqliteAlertSettings::SetPolicy(model::WorkspaceId workspace,
                                      const std::string& policy_json) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db,
                         "INSERT INTO workspace_policies (workspace_id, policy_json) VALUES (?1, "
                         "?2) ON CONFLICT (workspace_id) DO UPDATE SET policy_json = ?2");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  q->Bind(2, policy_json);
  return StepDone(db, *q, "setting a policy");
}

Result<std::vector<WindowRecord>> SqliteAlertSettings::Windows(model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, "SELECT id, workspace_id, window_json FROM maintenance_windows" +
                                 OfWorkspace(workspace) + " ORDER BY id");
  if (!q.ok()) return q.error();
  if (workspace != 0) q->Bind(1, workspace);
  std::vector<WindowRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.push_back({q->Int(0), static_cast<model::WorkspaceId>(q->Int(1)), q->Text(2)});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading maintenance windows");
  return out;
}

Result<WindowRecord> SqliteAlertSettings::CreateWindow(WindowRecord record) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(
      db,
      "INSERT INTO maintenance_windows (workspace_id, window_json) VALUES (?1, ?2) RETURNING id");
  if (!q.ok()) return q.error();
  q->Bind(1, record.workspace);
  q->Bind(2, record.window_json);
  if (q->Step() != SQLITE_ROW) return SqliteError(db, "creating a maintenance window");
  record.id = q->Int(0);
  return record;
}

Status SqliteAlertSettings::DeleteWindow(int64_t id, model::WorkspaceId workspace) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, "DELETE FROM maintenance_windows WHERE id = ?1 AND workspace_id = ?2");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  q->Bind(2, workspace);
  if (Status s = StepDone(db, *q, "deleting a maintenance window"); !s.ok()) return s;
  if (sqlite3_changes(db) == 0) return NotFound("no such maintenance window");
  return {};
}

}  // namespace tocsin::store::sqlite
