#include "store/sqlite/accounts.h"

#include "core/clock.h"
#include "store/sqlite/monitors.h"

namespace tocsin::store::sqlite {
namespace {

constexpr const char* kUserColumns =
    "id, email, name, password_hash, email_confirmed_at, created_at, admin, disabled, "
    "totp_secret, totp_enabled, totp_last_step, time_zone, weekly_summary, personal_workspace, "
    "password_changed_at, recovery_codes, weekly_day, weekly_hour";
constexpr const char* kSessionColumns =
    "id_hash, user_id, created_at, last_seen_at, expires_at, csrf, user_agent";
constexpr const char* kTokenColumns =
    "id, workspace_id, user_id, name, hash, read_only, created_at, expires_at, last_used_at, "
    "revoked_at";

model::User ReadUser(const Stmt& q) {
  model::User u;
  u.id = q.Int(0);
  u.email = q.Text(1);
  u.name = q.Text(2);
  u.password_hash = q.Text(3);
  u.email_confirmed_ms = q.Int(4);
  u.created_ms = q.Int(5);
  u.admin = q.Int(6) != 0;
  u.disabled = q.Int(7) != 0;
  u.totp_secret = std::string(q.Blob(8));
  u.totp_enabled = q.Int(9) != 0;
  u.totp_last_step = q.Int(10);
  u.time_zone = q.Text(11);
  u.weekly_summary = q.Int(12) != 0;
  u.personal_workspace = q.Int(13);
  u.password_changed_ms = q.Int(14);
  u.recovery_codes = q.Text(15);
  u.weekly_day = static_cast<int>(q.Int(16));
  u.weekly_hour = static_cast<int>(q.Int(17));
  return u;
}

model::Session ReadSession(const Stmt& q) {
  return model::Session{q.Text(0), q.Int(1), q.Int(2), q.Int(3), q.Int(4), q.Text(5), q.Text(6)};
}

model::ApiToken ReadToken(const Stmt& q) {
  model::ApiToken t;
  t.id = q.Int(0);
  t.workspace = q.Int(1);
  t.user = q.Int(2);
  t.name = q.Text(3);
  t.hash = q.Text(4);
  t.read_only = q.Int(5) != 0;
  t.created_ms = q.Int(6);
  t.expires_ms = q.Int(7);
  t.last_used_ms = q.Int(8);
  t.revoked_ms = q.Int(9);
  return t;
}

Status ExecStep(sqlite3* db, Stmt& q, std::string_view what) {
  return StepDone(db, q, what);
}

}  // namespace

// --- users

Result<model::User> SqliteAccounts::CreateUser(model::User u) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  u.created_ms = UnixMicros() / 1000;
  Status s = InTransaction(db, [&]() -> Status {
    auto ws = Stmt::Prepare(db,
                            "INSERT INTO workspaces (name, personal_of, created_at) "
                            "VALUES (?1, 0, ?2) RETURNING id");
    if (!ws.ok()) return ws.error();
    ws->Bind(1, u.name);
    ws->Bind(2, u.created_ms);
    if (ws->Step() != SQLITE_ROW) return SqliteError(db, "creating a workspace");
    u.personal_workspace = ws->Int(0);
    ws->Reset();
    auto insert = Stmt::Prepare(db, R"sql(
      INSERT INTO users (email, name, password_hash, email_confirmed_at, created_at, admin,
        disabled, totp_secret, totp_enabled, totp_last_step, time_zone, weekly_summary,
        personal_workspace, password_changed_at, weekly_day, weekly_hour)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
      RETURNING id)sql");
    if (!insert.ok()) return insert.error();
    Stmt& q = *insert;
    q.Bind(1, u.email);
    q.Bind(2, u.name);
    q.Bind(3, u.password_hash);
    q.Bind(4, u.email_confirmed_ms);
    q.Bind(5, u.created_ms);
    q.Bind(6, u.admin ? 1 : 0);
    q.Bind(7, u.disabled ? 1 : 0);
    q.BindBlob(8, u.totp_secret);
    q.Bind(9, u.totp_enabled ? 1 : 0);
    q.Bind(10, u.totp_last_step);
    q.Bind(11, u.time_zone);
    q.Bind(12, u.weekly_summary ? 1 : 0);
    q.Bind(13, u.personal_workspace);
    q.Bind(14, u.password_changed_ms);
    q.Bind(15, u.weekly_day);
    q.Bind(16, u.weekly_hour);
    if (q.Step() != SQLITE_ROW) {
      if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
        return InvalidField("email", "this email address is taken");
      }
      return SqliteError(db, "creating a user");
    }
    u.id = q.Int(0);
    q.Reset();
    const std::string link = "UPDATE workspaces SET personal_of = " + std::to_string(u.id) +
                             " WHERE id = " + std::to_string(u.personal_workspace) +
                             "; INSERT INTO members VALUES (" +
                             std::to_string(u.personal_workspace) + ", " + std::to_string(u.id) +
                             ", " + std::to_string(static_cast<int>(model::Role::kOwner)) + ")";
    return Exec(db, link.c_str());
  });
  if (!s.ok()) return s.error();
  return u;
}

Result<std::vector<model::User>> SqliteAccounts::QueryUsers(const char* where,
                                                            const std::string& text,
                                                            int64_t number) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(
      db, std::string("SELECT ") + kUserColumns + " FROM users WHERE " + where + " ORDER BY id");
  if (!q.ok()) return q.error();
  if (std::string_view(where).find("?1") != std::string_view::npos) q->Bind(1, text);
  if (std::string_view(where).find("?2") != std::string_view::npos) q->Bind(2, number);
  std::vector<model::User> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadUser(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading users");
  return out;
}

Result<std::optional<model::User>> SqliteAccounts::GetUser(model::UserId id) {
  auto users = QueryUsers("id = ?2", "", id);
  if (!users.ok()) return users.error();
  if (users->empty()) return std::optional<model::User>();
  return std::optional<model::User>(std::move(users->front()));
}

Result<std::optional<model::User>> SqliteAccounts::FindUserByEmail(const std::string& email) {
  auto users = QueryUsers("email = ?1", email, 0);
  if (!users.ok()) return users.error();
  if (users->empty()) return std::optional<model::User>();
  return std::optional<model::User>(std::move(users->front()));
}

Result<std::vector<model::User>> SqliteAccounts::ListUsers() {
  return QueryUsers("1 = 1", "", 0);
}

Result<uint64_t> SqliteAccounts::CountUsers() {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), "SELECT count(*) FROM users");
  if (!q.ok()) return q.error();
  if (q->Step() != SQLITE_ROW) return SqliteError(db_.reader.get(), "counting users");
  return static_cast<uint64_t>(q->Int(0));
}

Status SqliteAccounts::UpdateUser(const model::User& u) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, R"sql(
    UPDATE users SET email = ?2, name = ?3, password_hash = ?4, email_confirmed_at = ?5,
      admin = ?6, disabled = ?7, totp_secret = ?8, totp_enabled = ?9, totp_last_step = ?10,
      time_zone = ?11, weekly_summary = ?12, password_changed_at = ?13, recovery_codes = ?14,
      weekly_day = ?15, weekly_hour = ?16
    WHERE id = ?1)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, u.id);
  q->Bind(2, u.email);
  q->Bind(3, u.name);
  q->Bind(4, u.password_hash);
  q->Bind(5, u.email_confirmed_ms);
  q->Bind(6, u.admin ? 1 : 0);
  q->Bind(7, u.disabled ? 1 : 0);
  q->BindBlob(8, u.totp_secret);
  q->Bind(9, u.totp_enabled ? 1 : 0);
  q->Bind(10, u.totp_last_step);
  q->Bind(11, u.time_zone);
  q->Bind(12, u.weekly_summary ? 1 : 0);
  q->Bind(13, u.password_changed_ms);
  q->Bind(14, u.recovery_codes);
  q->Bind(15, u.weekly_day);
  q->Bind(16, u.weekly_hour);
  if (q->Step() != SQLITE_DONE) {
    if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
      return InvalidField("email", "this email address is taken");
    }
    return SqliteError(db, "updating a user");
  }
  if (sqlite3_changes(db) == 0) return NotFound("no user " + std::to_string(u.id));
  return {};
}

namespace {

// Deletes the workspaces listed in the temporary table `doomed` and
// everything in them. Runs inside the caller's transaction.
Status PurgeDoomedWorkspaces(sqlite3* db) {
  const std::string monitors =
      "SELECT id FROM monitors WHERE workspace_id IN (SELECT id FROM doomed)";
  if (Status s = PurgeMonitors(db, "monitor_id IN (" + monitors + ")", "id IN (" + monitors + ")");
      !s.ok()) {
    return s;
  }
  for (const char* sql : {
           "DELETE FROM channels WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM maintenance_windows WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM workspace_policies WHERE workspace_id IN (SELECT id FROM doomed)",
           // Status pages, their posts, updates and subscribers.
           "DELETE FROM status_updates WHERE post_id IN (SELECT p.id FROM status_posts p JOIN "
           "status_pages s ON s.id = p.page_id WHERE s.workspace_id IN (SELECT id FROM doomed))",
           "DELETE FROM status_posts WHERE page_id IN (SELECT id FROM status_pages WHERE "
           "workspace_id IN (SELECT id FROM doomed))",
           "DELETE FROM status_subscribers WHERE page_id IN (SELECT id FROM status_pages WHERE "
           "workspace_id IN (SELECT id FROM doomed))",
           "DELETE FROM status_pages WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM api_tokens WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM members WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM links WHERE workspace_id IN (SELECT id FROM doomed)",
           "DELETE FROM workspaces WHERE id IN (SELECT id FROM doomed)",
           "DELETE FROM doomed",
       }) {
    if (Status s = Exec(db, sql); !s.ok()) return s;
  }
  return {};
}

// Fills the temporary table `doomed` with the ids `select` reads.
Status MarkDoomed(sqlite3* db, const std::string& select) {
  const std::string make =
      "CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY); DELETE FROM doomed; "
      "INSERT INTO doomed " +
      select;
  return Exec(db, make.c_str());
}

}  // namespace

Status SqliteAccounts::PurgeUser(model::UserId id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  const std::string user = std::to_string(id);
  const std::string owner = std::to_string(static_cast<int>(model::Role::kOwner));
  // Workspaces that go: the personal one, and teams where this user is the
  // only owner. Materialised first: the statements below change what the
  // query reads.
  const std::string doomed =
      "SELECT id FROM workspaces WHERE personal_of = " + user +
      " UNION SELECT m.workspace_id FROM members m WHERE m.user_id = " + user +
      " AND m.role = " + owner +
      " AND NOT EXISTS (SELECT 1 FROM members o WHERE o.workspace_id = m.workspace_id AND "
      "o.role = " +
      owner + " AND o.user_id != " + user + ")";
  return InTransaction(db, [&]() -> Status {
    if (Status s = MarkDoomed(db, doomed); !s.ok()) return s;
    if (Status s = PurgeDoomedWorkspaces(db); !s.ok()) return s;
    const std::string statements[] = {
        "DELETE FROM api_tokens WHERE user_id = " + user,
        "DELETE FROM members WHERE user_id = " + user,
        "DELETE FROM links WHERE user_id = " + user,
        "DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE recipient "
        "IN (SELECT email FROM users WHERE id = " +
            user + "))",
        "DELETE FROM outbox WHERE recipient IN (SELECT email FROM users WHERE id = " + user + ")",
        "DELETE FROM sessions WHERE user_id = " + user,
        "DELETE FROM users WHERE id = " + user,
    };
    for (const std::string& sql : statements) {
      if (Status s = Exec(db, sql.c_str()); !s.ok()) return s;
    }
    return Status();
  });
}

Status SqliteAccounts::DeleteWorkspace(model::WorkspaceId id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  return InTransaction(db, [&]() -> Status {
    if (Status s = MarkDoomed(
            db, "SELECT id FROM workspaces WHERE personal_of = 0 AND id = " + std::to_string(id));
        !s.ok()) {
      return s;
    }
    return PurgeDoomedWorkspaces(db);
  });
}

// --- workspaces

Result<model::Workspace> SqliteAccounts::CreateWorkspace(const std::string& name,
                                                         model::UserId owner) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  model::Workspace w;
  w.name = name;
  w.created_ms = UnixMicros() / 1000;
  Status s = InTransaction(db, [&]() -> Status {
    auto q = Stmt::Prepare(db,
                           "INSERT INTO workspaces (name, personal_of, created_at) "
                           "VALUES (?1, 0, ?2) RETURNING id");
    if (!q.ok()) return q.error();
    q->Bind(1, name);
    q->Bind(2, w.created_ms);
    if (q->Step() != SQLITE_ROW) return SqliteError(db, "creating a workspace");
    w.id = q->Int(0);
    q->Reset();
    auto m = Stmt::Prepare(db, "INSERT INTO members VALUES (?1, ?2, ?3)");
    if (!m.ok()) return m.error();
    m->Bind(1, w.id);
    m->Bind(2, owner);
    m->Bind(3, static_cast<int64_t>(model::Role::kOwner));
    return ExecStep(db, *m, "adding the owner");
  });
  if (!s.ok()) return s.error();
  return w;
}

Result<std::optional<model::Workspace>> SqliteAccounts::GetWorkspace(model::WorkspaceId id) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(),
                         "SELECT id, name, personal_of, created_at FROM workspaces WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  if (q->Step() != SQLITE_ROW) return std::optional<model::Workspace>();
  return std::optional<model::Workspace>(
      model::Workspace{q->Int(0), q->Text(1), q->Int(2), q->Int(3)});
}

Result<std::vector<std::pair<model::Workspace, model::Role>>> SqliteAccounts::WorkspacesOf(
    model::UserId user) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, R"sql(
    SELECT w.id, w.name, w.personal_of, w.created_at, m.role
    FROM members m JOIN workspaces w ON w.id = m.workspace_id
    WHERE m.user_id = ?1 ORDER BY w.id)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, user);
  std::vector<std::pair<model::Workspace, model::Role>> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.emplace_back(model::Workspace{q->Int(0), q->Text(1), q->Int(2), q->Int(3)},
                     static_cast<model::Role>(q->Int(4)));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading workspaces");
  return out;
}

Result<std::optional<model::Role>> SqliteAccounts::RoleOf(model::UserId user,
                                                          model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(),
                         "SELECT role FROM members WHERE workspace_id = ?1 AND user_id = ?2");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  q->Bind(2, user);
  if (q->Step() != SQLITE_ROW) return std::optional<model::Role>();
  return std::optional<model::Role>(static_cast<model::Role>(q->Int(0)));
}

Status SqliteAccounts::SetMember(model::WorkspaceId workspace, model::UserId user,
                                 model::Role role) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(), "INSERT OR REPLACE INTO members VALUES (?1, ?2, ?3)");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  q->Bind(2, user);
  q->Bind(3, static_cast<int64_t>(role));
  return StepDone(db_.writer.get(), *q, "setting a member");
}

Status SqliteAccounts::RemoveMember(model::WorkspaceId workspace, model::UserId user) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(),
                         "DELETE FROM members WHERE workspace_id = ?1 AND user_id = ?2");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  q->Bind(2, user);
  return StepDone(db_.writer.get(), *q, "removing a member");
}

Result<std::vector<Member>> SqliteAccounts::Members(model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, R"sql(
    SELECT u.id, u.email, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id
    WHERE m.workspace_id = ?1 ORDER BY u.id)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  std::vector<Member> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.push_back(Member{q->Int(0), q->Text(1), q->Text(2), static_cast<model::Role>(q->Int(3))});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading members");
  return out;
}

// --- sessions

Status SqliteAccounts::CreateSession(const model::Session& s) {
  std::lock_guard lock(db_.writer_mu);
  auto q =
      Stmt::Prepare(db_.writer.get(), "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!q.ok()) return q.error();
  q->Bind(1, s.id_hash);
  q->Bind(2, s.user);
  q->Bind(3, s.created_ms);
  q->Bind(4, s.last_seen_ms);
  q->Bind(5, s.expires_ms);
  q->Bind(6, s.csrf);
  q->Bind(7, s.user_agent);
  return StepDone(db_.writer.get(), *q, "creating a session");
}

Result<std::optional<model::Session>> SqliteAccounts::GetSession(const std::string& id_hash) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), std::string("SELECT ") + kSessionColumns +
                                               " FROM sessions WHERE id_hash = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id_hash);
  if (q->Step() != SQLITE_ROW) return std::optional<model::Session>();
  return std::optional<model::Session>(ReadSession(*q));
}

Status SqliteAccounts::TouchSession(const std::string& id_hash, int64_t now_ms,
                                    int64_t expires_ms) {
  std::lock_guard lock(db_.writer_mu);
  auto q =
      Stmt::Prepare(db_.writer.get(),
                    "UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id_hash = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id_hash);
  q->Bind(2, now_ms);
  q->Bind(3, expires_ms);
  return StepDone(db_.writer.get(), *q, "touching a session");
}

Status SqliteAccounts::DeleteSession(const std::string& id_hash) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(), "DELETE FROM sessions WHERE id_hash = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id_hash);
  return StepDone(db_.writer.get(), *q, "deleting a session");
}

Status SqliteAccounts::DeleteSessionsOf(model::UserId user, const std::string& keep) {
  std::lock_guard lock(db_.writer_mu);
  auto q =
      Stmt::Prepare(db_.writer.get(), "DELETE FROM sessions WHERE user_id = ?1 AND id_hash != ?2");
  if (!q.ok()) return q.error();
  q->Bind(1, user);
  q->Bind(2, keep);
  return StepDone(db_.writer.get(), *q, "ending sessions");
}

Status SqliteAccounts::DeleteExpired(int64_t now_ms) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  return InTransaction(db, [&]() -> Status {
    for (const char* sql :
         {"DELETE FROM sessions WHERE expires_at <= ?1",
          "DELETE FROM links WHERE expires_at <= ?1 - 86400000 OR (used_at != 0 AND used_at <= ?1 "
          "- 86400000)"}) {
      auto q = Stmt::Prepare(db, sql);
      if (!q.ok()) return q.error();
      q->Bind(1, now_ms);
      if (Status s = StepDone(db, *q, "removing what expired"); !s.ok()) return s;
    }
    return Status();
  });
}

Result<std::vector<model::Session>> SqliteAccounts::SessionsOf(model::UserId user) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kSessionColumns +
                                 " FROM sessions WHERE user_id = ?1 ORDER BY created_at");
  if (!q.ok()) return q.error();
  q->Bind(1, user);
  std::vector<model::Session> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadSession(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading sessions");
  return out;
}

// --- API tokens

Result<model::ApiToken> SqliteAccounts::CreateToken(model::ApiToken t) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, R"sql(
    INSERT INTO api_tokens (workspace_id, user_id, name, hash, read_only, created_at, expires_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, t.workspace);
  q->Bind(2, t.user);
  q->Bind(3, t.name);
  q->Bind(4, t.hash);
  q->Bind(5, t.read_only ? 1 : 0);
  q->Bind(6, t.created_ms);
  q->Bind(7, t.expires_ms);
  if (q->Step() != SQLITE_ROW) return SqliteError(db, "creating a token");
  t.id = q->Int(0);
  return t;
}

Result<std::optional<model::ApiToken>> SqliteAccounts::FindToken(const std::string& hash) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), std::string("SELECT ") + kTokenColumns +
                                               " FROM api_tokens WHERE hash = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, hash);
  if (q->Step() != SQLITE_ROW) return std::optional<model::ApiToken>();
  return std::optional<model::ApiToken>(ReadToken(*q));
}

Result<std::vector<model::ApiToken>> SqliteAccounts::TokensOf(model::WorkspaceId workspace) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kTokenColumns +
                                 " FROM api_tokens WHERE workspace_id = ?1 ORDER BY id");
  if (!q.ok()) return q.error();
  q->Bind(1, workspace);
  std::vector<model::ApiToken> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadToken(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading tokens");
  return out;
}

Status SqliteAccounts::RevokeToken(int64_t id, model::WorkspaceId workspace, int64_t now_ms) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db,
                         "UPDATE api_tokens SET revoked_at = ?3 "
                         "WHERE id = ?1 AND workspace_id = ?2 AND revoked_at = 0");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  q->Bind(2, workspace);
  q->Bind(3, now_ms);
  if (q->Step() != SQLITE_DONE) return SqliteError(db, "revoking a token");
  if (sqlite3_changes(db) == 0) return NotFound("no such token");
  return {};
}

Status SqliteAccounts::TouchToken(int64_t id, int64_t now_ms) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(), "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  q->Bind(2, now_ms);
  return StepDone(db_.writer.get(), *q, "touching a token");
}

// --- one-time links

Status SqliteAccounts::PutLink(const model::OneTimeLink& l) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(),
                         "INSERT INTO links VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)");
  if (!q.ok()) return q.error();
  q->Bind(1, l.hash);
  q->Bind(2, static_cast<int64_t>(l.kind));
  q->Bind(3, l.user);
  q->Bind(4, l.workspace);
  q->Bind(5, l.email);
  q->Bind(6, static_cast<int64_t>(l.role));
  q->Bind(7, l.created_ms);
  q->Bind(8, l.expires_ms);
  return StepDone(db_.writer.get(), *q, "storing a link");
}

Result<model::OneTimeLink> SqliteAccounts::UseLink(const std::string& hash, model::LinkKind kind,
                                                   int64_t now_ms) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, R"sql(
    UPDATE links SET used_at = ?3
    WHERE hash = ?1 AND kind = ?2 AND used_at = 0 AND expires_at > ?3
    RETURNING hash, kind, user_id, workspace_id, email, role, created_at, expires_at, used_at)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, hash);
  q->Bind(2, static_cast<int64_t>(kind));
  q->Bind(3, now_ms);
  const int rc = q->Step();
  if (rc == SQLITE_ROW) {
    model::OneTimeLink l{q->Text(0), static_cast<model::LinkKind>(q->Int(1)), q->Int(2), q->Int(3),
                         q->Text(4), static_cast<model::Role>(q->Int(5)),     q->Int(6), q->Int(7),
                         q->Int(8)};
    q->Reset();
    return l;
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "using a link");
  return NotFound("this link is not valid: it is unknown, used or expired");
}

Result<model::OneTimeLink> SqliteAccounts::PeekLink(const std::string& hash, model::LinkKind kind,
                                                    int64_t now_ms) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, R"sql(
    SELECT hash, kind, user_id, workspace_id, email, role, created_at, expires_at, used_at
    FROM links WHERE hash = ?1 AND kind = ?2 AND used_at = 0 AND expires_at > ?3)sql");
  if (!q.ok()) return q.error();
  q->Bind(1, hash);
  q->Bind(2, static_cast<int64_t>(kind));
  q->Bind(3, now_ms);
  const int rc = q->Step();
  if (rc == SQLITE_ROW) {
    return model::OneTimeLink{
        q->Text(0), static_cast<model::LinkKind>(q->Int(1)), q->Int(2), q->Int(3),
        q->Text(4), static_cast<model::Role>(q->Int(5)),     q->Int(6), q->Int(7),
        q->Int(8)};
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading a link");
  return NotFound("this link is not valid: it is unknown, used or expired");
}

// --- settings

Result<std::string> SqliteAccounts::GetSetting(const std::string& key,
                                               const std::string& fallback) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), "SELECT value FROM settings WHERE key = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, key);
  if (q->Step() == SQLITE_ROW) return q->Text(0);
  return fallback;
}

Status SqliteAccounts::SetSetting(const std::string& key, const std::string& value) {
  std::lock_guard lock(db_.writer_mu);
  auto q = Stmt::Prepare(db_.writer.get(), "INSERT OR REPLACE INTO settings VALUES (?1, ?2)");
  if (!q.ok()) return q.error();
  q->Bind(1, key);
  q->Bind(2, value);
  return StepDone(db_.writer.get(), *q, "saving a setting");
}

}  // namespace tocsin::store::sqlite
