#include "store/sqlite/status_pages.h"

#include <algorithm>

namespace tocsin::store::sqlite {
namespace {

constexpr const char* kPageColumns =
    "id, workspace_id, slug, coalesce(host, ''), settings_json, created_at";
constexpr const char* kSubscriberColumns =
    "id, page_id, email, token_hash, confirmed_at, created_at";

StatusPageRecord ReadPage(const Stmt& q) {
  return StatusPageRecord{q.Int(0),  static_cast<model::WorkspaceId>(q.Int(1)),
                          q.Text(2), q.Text(3),
                          q.Text(4), q.Int(5)};
}

SubscriberRecord ReadSubscriber(const Stmt& q) {
  return SubscriberRecord{q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.Int(4), q.Int(5)};
}

// Binds a host name, NULL when empty (NULLs never collide in the unique index).
void BindHost(Stmt& q, int i, const std::string& host) {
  if (host.empty()) {
    sqlite3_bind_null(q.get(), i);
  } else {
    q.Bind(i, host);
  }
}

Error PageConflict(sqlite3* db, const StatusPageRecord& r) {
  const std::string message = sqlite3_errmsg(db);
  if (message.find("host") != std::string::npos) {
    return InvalidField("host", "another status page answers at " + r.host);
  }
  return InvalidField("slug", "the address /status/" + r.slug + " is taken");
}

Status InsertUpdate(sqlite3* db, StatusUpdateRecord& u) {
  auto q = Stmt::Prepare(db,
                         "INSERT INTO status_updates (post_id, state, message, created_at) "
                         "VALUES (?1, ?2, ?3, ?4) RETURNING id");
  if (!q.ok()) return q.error();
  q->Bind(1, u.post);
  q->Bind(2, u.state);
  q->Bind(3, u.message);
  q->Bind(4, u.created_ms);
  if (q->Step() != SQLITE_ROW) return SqliteError(db, "adding a status update");
  u.id = q->Int(0);
  return {};
}

}  // namespace

Result<std::vector<StatusPageRecord>> SqliteStatusPages::Pages(
    const std::vector<model::WorkspaceId>& workspaces) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kPageColumns +
                                 " FROM status_pages WHERE workspace_id = ?1 ORDER BY id");
  if (!q.ok()) return q.error();
  std::vector<StatusPageRecord> out;
  for (model::WorkspaceId w : workspaces) {
    q->Bind(1, w);
    int rc;
    while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadPage(*q));
    q->Reset();
    if (rc != SQLITE_DONE) return SqliteError(db, "reading status pages");
  }
  std::sort(out.begin(), out.end(),
            [](const StatusPageRecord& a, const StatusPageRecord& b) { return a.id < b.id; });
  return out;
}

Result<std::optional<StatusPageRecord>> SqliteStatusPages::FindOne(const std::string& where,
                                                                   int64_t id,
                                                                   const std::string& text) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(
      db, std::string("SELECT ") + kPageColumns + " FROM status_pages WHERE " + where);
  if (!q.ok()) return q.error();
  if (text.empty()) {
    q->Bind(1, id);
  } else {
    q->Bind(1, text);
  }
  const int rc = q->Step();
  if (rc == SQLITE_DONE) return std::optional<StatusPageRecord>();
  if (rc != SQLITE_ROW) return SqliteError(db, "reading a status page");
  return std::optional<StatusPageRecord>(ReadPage(*q));
}

Result<std::optional<StatusPageRecord>> SqliteStatusPages::GetPage(int64_t id) {
  return FindOne("id = ?1", id, "");
}

Result<std::optional<StatusPageRecord>> SqliteStatusPages::FindBySlug(const std::string& slug) {
  if (slug.empty()) return std::optional<StatusPageRecord>();
  return FindOne("slug = ?1", 0, slug);
}

Result<std::optional<StatusPageRecord>> SqliteStatusPages::FindByHost(const std::string& host) {
  if (host.empty()) return std::optional<StatusPageRecord>();
  return FindOne("host = ?1", 0, host);
}

Result<StatusPageRecord> SqliteStatusPages::CreatePage(StatusPageRecord r) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db,
                         "INSERT INTO status_pages (workspace_id, slug, host, settings_json, "
                         "created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!q.ok()) return q.error();
  q->Bind(1, r.workspace);
  q->Bind(2, r.slug);
  BindHost(*q, 3, r.host);
  q->Bind(4, r.settings_json);
  q->Bind(5, r.created_ms);
  if (q->Step() != SQLITE_ROW) {
    if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) return PageConflict(db, r);
    return SqliteError(db, "creating a status page");
  }
  r.id = q->Int(0);
  return r;
}

Status SqliteStatusPages::UpdatePage(const StatusPageRecord& r) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(
      db, "UPDATE status_pages SET slug = ?2, host = ?3, settings_json = ?4 WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, r.id);
  q->Bind(2, r.slug);
  BindHost(*q, 3, r.host);
  q->Bind(4, r.settings_json);
  if (q->Step() != SQLITE_DONE) {
    if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) return PageConflict(db, r);
    return SqliteError(db, "updating a status page");
  }
  if (sqlite3_changes(db) == 0) return NotFound("no such status page");
  return {};
}

Status SqliteStatusPages::DeletePage(int64_t id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  return InTransaction(db, [&]() -> Status {
    const std::string page = std::to_string(id);
    for (const std::string& sql :
         {"DELETE FROM status_updates WHERE post_id IN (SELECT id FROM status_posts WHERE "
          "page_id = " +
              page + ")",
          "DELETE FROM status_posts WHERE page_id = " + page,
          "DELETE FROM status_subscribers WHERE page_id = " + page,
          "DELETE FROM status_pages WHERE id = " + page}) {
      if (Status s = Exec(db, sql.c_str()); !s.ok()) return s;
    }
    return Status();
  });
}

Result<StatusPostRecord> SqliteStatusPages::CreatePost(StatusPostRecord post) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  Status s = InTransaction(db, [&]() -> Status {
    auto q = Stmt::Prepare(
        db,
        "INSERT INTO status_posts (page_id, title, created_at) VALUES (?1, ?2, ?3) RETURNING id");
    if (!q.ok()) return q.error();
    q->Bind(1, post.page);
    q->Bind(2, post.title);
    q->Bind(3, post.created_ms);
    if (q->Step() != SQLITE_ROW) return SqliteError(db, "creating a status post");
    post.id = q->Int(0);
    for (StatusUpdateRecord& u : post.updates) {
      u.post = post.id;
      if (Status st = InsertUpdate(db, u); !st.ok()) return st;
    }
    return Status();
  });
  if (!s.ok()) return s.error();
  return post;
}

Result<StatusUpdateRecord> SqliteStatusPages::AddUpdate(StatusUpdateRecord update) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  if (Status s = InsertUpdate(db, update); !s.ok()) return s.error();
  return update;
}

Result<std::vector<StatusPostRecord>> SqliteStatusPages::Posts(int64_t page, int64_t since_ms,
                                                               size_t limit) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db,
                         "SELECT id, page_id, title, created_at FROM status_posts WHERE page_id "
                         "= ?1 AND created_at >= ?2 ORDER BY created_at DESC, id DESC LIMIT ?3");
  if (!q.ok()) return q.error();
  q->Bind(1, page);
  q->Bind(2, since_ms);
  q->Bind(3, static_cast<int64_t>(limit));
  std::vector<StatusPostRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    out.push_back(StatusPostRecord{q->Int(0), q->Int(1), q->Text(2), q->Int(3), {}});
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading status posts");
  auto u = Stmt::Prepare(db,
                         "SELECT id, post_id, state, message, created_at FROM status_updates "
                         "WHERE post_id = ?1 ORDER BY id");
  if (!u.ok()) return u.error();
  for (StatusPostRecord& post : out) {
    u->Bind(1, post.id);
    while ((rc = u->Step()) == SQLITE_ROW) {
      post.updates.push_back({u->Int(0), u->Int(1), u->Text(2), u->Text(3), u->Int(4)});
    }
    u->Reset();
    if (rc != SQLITE_DONE) return SqliteError(db, "reading status updates");
  }
  return out;
}

Result<SubscriberRecord> SqliteStatusPages::PutSubscriber(SubscriberRecord r) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, std::string(R"sql(
    INSERT INTO status_subscribers (page_id, email, token_hash, created_at)
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (page_id, email) DO UPDATE SET token_hash = ?3
    RETURNING )sql") + kSubscriberColumns);
  if (!q.ok()) return q.error();
  q->Bind(1, r.page);
  q->Bind(2, r.email);
  q->Bind(3, r.token_hash);
  q->Bind(4, r.created_ms);
  if (q->Step() != SQLITE_ROW) return SqliteError(db, "adding a subscriber");
  return ReadSubscriber(*q);
}

Result<std::optional<SubscriberRecord>> SqliteStatusPages::FindSubscriber(
    const std::string& token_hash) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kSubscriberColumns +
                                 " FROM status_subscribers WHERE token_hash = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, token_hash);
  const int rc = q->Step();
  if (rc == SQLITE_DONE) return std::optional<SubscriberRecord>();
  if (rc != SQLITE_ROW) return SqliteError(db, "reading a subscriber");
  return std::optional<SubscriberRecord>(ReadSubscriber(*q));
}

Status SqliteStatusPages::ConfirmSubscriber(int64_t id, int64_t now_ms) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db,
                         "UPDATE status_subscribers SET confirmed_at = ?2 WHERE id = ?1 AND "
                         "confirmed_at = 0");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  q->Bind(2, now_ms);
  return StepDone(db, *q, "confirming a subscriber");
}

Status SqliteStatusPages::DeleteSubscriber(int64_t id) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, "DELETE FROM status_subscribers WHERE id = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, id);
  return StepDone(db, *q, "removing a subscriber");
}

Result<std::vector<SubscriberRecord>> SqliteStatusPages::Subscribers(int64_t page) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(db, std::string("SELECT ") + kSubscriberColumns +
                                 " FROM status_subscribers WHERE page_id = ?1 AND confirmed_at "
                                 "> 0 ORDER BY id");
  if (!q.ok()) return q.error();
  q->Bind(1, page);
  std::vector<SubscriberRecord> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadSubscriber(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading subscribers");
  return out;
}

}  // namespace tocsin::store::sqlite
