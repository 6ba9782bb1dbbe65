#include "store/sqlite/alerts.h"

#include "core/crypto.h"

namespace tocsin::store::sqlite {
namespace {

constexpr const char* kIncidentColumns =
    "id, monitor_id, kind, started_at, confirmed_at, coalesce(ended_at, 0), cause, "
    "confirmations, coalesce(acked_at, 0), acked_by, held, announced, reminders, escalated";
constexpr const char* kOutboxColumns =
    "id, dedup_key, channel, coalesce(incident_id, 0), monitor_id, event, payload, created_at, "
    "next_attempt_at, expires_at, attempts, state, coalesce(delivered_at, 0), last_error, "
    "recipient";
constexpr size_t kSecretBytes = 32;

Result<model::Incident> ReadIncident(const Stmt& q) {
  model::Incident inc;
  inc.id = q.Int(0);
  inc.monitor = static_cast<model::MonitorId>(q.Int(1));
  inc.kind = static_cast<model::IncidentKind>(q.Int(2));
  inc.started_ms = q.Int(3);
  inc.confirmed_ms = q.Int(4);
  inc.ended_ms = q.Int(5);
  std::string_view cause = q.Blob(6);
  auto record = model::ReadRecord(cause);
  if (!record.ok()) return Internal("corrupt incident " + std::to_string(inc.id) + " cause");
  inc.cause = std::move(*record);
  auto confirmations = model::ParseRecords(q.Blob(7));
  if (!confirmations.ok()) {
    return Internal("corrupt incident " + std::to_string(inc.id) + " confirmations");
  }
  inc.confirmations = std::move(*confirmations);
  inc.acked_ms = q.Int(8);
  inc.acked_by = q.Text(9);
  inc.held = q.Int(10) != 0;
  inc.announced = q.Int(11) != 0;
  inc.reminders = static_cast<int>(q.Int(12));
  inc.escalated = q.Int(13) != 0;
  return inc;
}

OutboxRow ReadOutbox(const Stmt& q) {
  OutboxRow r;
  r.id = q.Int(0);
  r.dedup_key = q.Text(1);
  r.channel = q.Text(2);
  r.incident_id = q.Int(3);
  r.monitor = static_cast<model::MonitorId>(q.Int(4));
  r.event = static_cast<model::NoticeEvent>(q.Int(5));
  r.payload = q.Text(6);
  r.created_ms = q.Int(7);
  r.next_attempt_ms = q.Int(8);
  r.expires_ms = q.Int(9);
  r.attempts = static_cast<int>(q.Int(10));
  r.state = static_cast<OutboxRow::State>(q.Int(11));
  r.delivered_ms = q.Int(12);
  r.last_error = q.Text(13);
  r.recipient = q.Text(14);
  return r;
}

}  // namespace

Status SqliteAlerts::Apply(std::span<const model::Incident> incidents,
                           std::span<const OutboxRow> rows) {
  if (incidents.empty() && rows.empty()) return {};
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto upsert = Stmt::Prepare(db, R"sql(
    INSERT OR REPLACE INTO incidents (id, monitor_id, kind, started_at, confirmed_at, ended_at,
      cause, confirmations, acked_at, acked_by, held, announced, reminders, escalated)
    VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, nullif(?9, 0), ?10, ?11, ?12, ?13, ?14))sql");
  if (!upsert.ok()) return upsert.error();
  auto insert = Stmt::Prepare(db, R"sql(
    INSERT OR IGNORE INTO outbox (dedup_key, channel, incident_id, monitor_id, event, payload,
      created_at, next_attempt_at, expires_at, recipient)
    VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql");
  if (!insert.ok()) return insert.error();
  return InTransaction(db, [&]() -> Status {
    for (const model::Incident& inc : incidents) {
      Stmt& u = *upsert;
      u.Bind(1, inc.id);
      u.Bind(2, inc.monitor);
      u.Bind(3, static_cast<int64_t>(inc.kind));
      u.Bind(4, inc.started_ms);
      u.Bind(5, inc.confirmed_ms);
      u.Bind(6, inc.ended_ms);
      std::string cause;
      model::AppendRecord(inc.cause, cause);
      u.BindBlob(7, cause);
      u.BindBlob(8, model::SerializeRecords(inc.confirmations));
      u.Bind(9, inc.acked_ms);
      u.Bind(10, inc.acked_by);
      u.Bind(11, inc.held ? 1 : 0);
      u.Bind(12, inc.announced ? 1 : 0);
      u.Bind(13, inc.reminders);
      u.Bind(14, inc.escalated ? 1 : 0);
      if (Status s = StepDone(db, u, "writing an incident"); !s.ok()) return s;
    }
    for (const OutboxRow& r : rows) {
      Stmt& i = *insert;
      i.Bind(1, r.dedup_key);
      i.Bind(2, r.channel);
      i.Bind(3, r.incident_id);
      i.Bind(4, r.monitor);
      i.Bind(5, static_cast<int64_t>(r.event));
      i.Bind(6, r.payload);
      i.Bind(7, r.created_ms);
      i.Bind(8, r.next_attempt_ms);
      i.Bind(9, r.expires_ms);
      i.Bind(10, r.recipient);
      if (Status s = StepDone(db, i, "queueing a notification"); !s.ok()) return s;
    }
    return Status();
  });
}

Result<std::vector<model::Incident>> SqliteAlerts::QueryIncidents(const std::string& where,
                                                                  int64_t arg, size_t limit) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  const std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE " +
                          where + " ORDER BY id DESC LIMIT ?2";
  auto q = Stmt::Prepare(db, sql);
  if (!q.ok()) return q.error();
  q->Bind(1, arg);
  q->Bind(2, static_cast<int64_t>(limit));
  std::vector<model::Incident> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) {
    auto inc = ReadIncident(*q);
    if (!inc.ok()) return inc.error();
    out.push_back(std::move(*inc));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "reading incidents");
  return out;
}

Result<std::vector<model::Incident>> SqliteAlerts::OpenIncidents() {
  return QueryIncidents("ended_at IS NULL AND ?1 = ?1", 0, SIZE_MAX >> 1);
}

Result<std::vector<model::Incident>> SqliteAlerts::ListIncidents(model::MonitorId monitor,
                                                                 size_t limit) {
  return QueryIncidents("(?1 = 0 OR monitor_id = ?1)", monitor, limit);
}

Result<std::vector<model::Incident>> SqliteAlerts::WorkspaceIncidents(
    const std::vector<model::WorkspaceId>& workspaces, int64_t before_id, size_t limit) {
  if (workspaces.empty()) return std::vector<model::Incident>();
  // Whole numbers only, so written into the statement as they are.
  std::string in;
  for (model::WorkspaceId w : workspaces) {
    if (!in.empty()) in += ',';
    in += std::to_string(w);
  }
  return QueryIncidents(
      "(?1 = 0 OR id < ?1) AND monitor_id IN (SELECT id FROM monitors WHERE "
      "workspace_id IN (" +
          in + "))",
      before_id, limit);
}

Result<std::optional<model::Incident>> SqliteAlerts::GetIncident(int64_t id) {
  auto found = QueryIncidents("id = ?1", id, 1);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<model::Incident>();
  return std::optional<model::Incident>(std::move(found->front()));
}

Result<int64_t> SqliteAlerts::MaxIncidentId() {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), "SELECT coalesce(max(id), 0) FROM incidents");
  if (!q.ok()) return q.error();
  if (q->Step() != SQLITE_ROW) return SqliteError(db_.reader.get(), "reading incident ids");
  return q->Int(0);
}

Result<std::vector<OutboxRow>> SqliteAlerts::QueryOutbox(const char* where, int64_t arg,
                                                         size_t limit) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  const std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE " + where +
                          " ORDER BY id LIMIT ?2";
  auto q = Stmt::Prepare(db, sql);
  if (!q.ok()) return q.error();
  q->Bind(1, arg);
  q->Bind(2, static_cast<int64_t>(limit));
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = q->Step()) == SQLITE_ROW) out.push_back(ReadOutbox(*q));
  if (rc != SQLITE_DONE) return SqliteError(db, "reading the outbox");
  return out;
}

Result<std::vector<OutboxRow>> SqliteAlerts::DueOutbox(int64_t now_ms, size_t limit) {
  return QueryOutbox("state = 0 AND next_attempt_at <= ?1", now_ms, limit);
}

Result<std::vector<OutboxRow>> SqliteAlerts::NotificationsOf(int64_t incident_id) {
  return QueryOutbox("incident_id = ?1", incident_id, SIZE_MAX >> 1);
}

Result<std::optional<OutboxRow>> SqliteAlerts::FindNotification(const std::string& dedup_key) {
  std::lock_guard lock(db_.reader_mu);
  sqlite3* db = db_.reader.get();
  auto q = Stmt::Prepare(
      db, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE dedup_key = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, dedup_key);
  const int rc = q->Step();
  if (rc == SQLITE_DONE) return std::optional<OutboxRow>();
  if (rc != SQLITE_ROW) return SqliteError(db, "reading the outbox");
  return std::optional<OutboxRow>(ReadOutbox(*q));
}

Result<int64_t> SqliteAlerts::NextDue() {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(),
                         "SELECT coalesce(min(next_attempt_at), 0) FROM outbox WHERE state = 0");
  if (!q.ok()) return q.error();
  if (q->Step() != SQLITE_ROW) return SqliteError(db_.reader.get(), "reading the outbox");
  return q->Int(0);
}

Status SqliteAlerts::Reschedule(std::span<const int64_t> ids, int64_t next_attempt_ms) {
  if (ids.empty()) return {};
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto update =
      Stmt::Prepare(db, "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1 AND state = 0");
  if (!update.ok()) return update.error();
  return InTransaction(db, [&]() -> Status {
    for (int64_t id : ids) {
      update->Bind(1, id);
      update->Bind(2, next_attempt_ms);
      if (Status s = StepDone(db, *update, "rescheduling a notification"); !s.ok()) return s;
    }
    return Status();
  });
}

Status SqliteAlerts::RecordAttempts(std::span<const AttemptResult> attempts) {
  if (attempts.empty()) return {};
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto log = Stmt::Prepare(db, "INSERT INTO delivery_attempts VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!log.ok()) return log.error();
  auto update = Stmt::Prepare(db, R"sql(
    UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
      state = CASE WHEN ?3 THEN 1 WHEN ?4 = 0 THEN 2 ELSE 0 END,
      delivered_at = CASE WHEN ?3 THEN ?5 ELSE delivered_at END,
      next_attempt_at = CASE WHEN ?4 = 0 THEN next_attempt_at ELSE ?4 END,
      -- Account mail holds links (a password reset) and an address: once
      -- sent or given up, only that it happened is kept.
      payload = CASE WHEN event = 8 AND (?3 OR ?4 = 0) THEN '' ELSE payload END,
      recipient = CASE WHEN event = 8 AND (?3 OR ?4 = 0) THEN '' ELSE recipient END
    WHERE id = ?1)sql");
  if (!update.ok()) return update.error();
  return InTransaction(db, [&]() -> Status {
    for (const AttemptResult& a : attempts) {
      Stmt& l = *log;
      l.Bind(1, a.outbox_id);
      l.Bind(2, a.at_ms);
      l.Bind(3, a.ok ? 1 : 0);
      l.Bind(4, a.status);
      l.Bind(5, a.error);
      l.Bind(6, a.duration_us);
      if (Status s = StepDone(db, l, "recording a delivery attempt"); !s.ok()) return s;
      Stmt& u = *update;
      u.Bind(1, a.outbox_id);
      u.Bind(2, a.error);
      u.Bind(3, a.ok ? 1 : 0);
      u.Bind(4, a.ok ? 0 : a.next_attempt_ms);
      u.Bind(5, a.at_ms);
      if (Status s = StepDone(db, u, "updating the outbox"); !s.ok()) return s;
    }
    return Status();
  });
}

Result<OutboxStats> SqliteAlerts::Stats() {
  std::lock_guard lock(db_.reader_mu);
  auto q =
      Stmt::Prepare(db_.reader.get(),
                    "SELECT count(*), coalesce(min(created_at), 0) FROM outbox WHERE state = 0");
  if (!q.ok()) return q.error();
  if (q->Step() != SQLITE_ROW) return SqliteError(db_.reader.get(), "counting the outbox");
  OutboxStats stats{static_cast<uint64_t>(q->Int(0)), q->Int(1), {}};
  auto by = Stmt::Prepare(db_.reader.get(),
                          "SELECT channel, count(*) FROM outbox WHERE state = 0 GROUP BY channel");
  if (!by.ok()) return by.error();
  while (by->Step() == SQLITE_ROW) {
    stats.pending_by_channel.emplace_back(by->Text(0), static_cast<uint64_t>(by->Int(1)));
  }
  return stats;
}

Status SqliteAlerts::DisableChannel(const std::string& name, const std::string& fingerprint,
                                    const std::string& reason, int64_t at_ms) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto q = Stmt::Prepare(db, "INSERT OR REPLACE INTO channel_state VALUES (?1, ?2, ?3, ?4)");
  if (!q.ok()) return q.error();
  q->Bind(1, name);
  q->Bind(2, fingerprint);
  q->Bind(3, at_ms);
  q->Bind(4, reason);
  return StepDone(db, *q, "disabling a channel");
}

Result<std::string> SqliteAlerts::DisabledFingerprint(const std::string& name) {
  std::lock_guard lock(db_.reader_mu);
  auto q = Stmt::Prepare(db_.reader.get(), "SELECT fingerprint FROM channel_state WHERE name = ?1");
  if (!q.ok()) return q.error();
  q->Bind(1, name);
  const int rc = q->Step();
  if (rc == SQLITE_ROW) return q->Text(0);
  if (rc != SQLITE_DONE) return SqliteError(db_.reader.get(), "reading channel state");
  return std::string();
}

Result<std::string> SqliteAlerts::Secret(const std::string& name) {
  std::lock_guard lock(db_.writer_mu);
  sqlite3* db = db_.writer.get();
  auto select = Stmt::Prepare(db, "SELECT value FROM secrets WHERE name = ?1");
  if (!select.ok()) return select.error();
  select->Bind(1, name);
  if (select->Step() == SQLITE_ROW) return std::string(select->Blob(0));
  const std::string value = RandomBytes(kSecretBytes);
  auto insert = Stmt::Prepare(db, "INSERT INTO secrets VALUES (?1, ?2)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, name);
  insert->BindBlob(2, value);
  if (Status s = StepDone(db, *insert, "keeping a secret"); !s.ok()) return s.error();
  return value;
}

}  // namespace tocsin::store::sqlite
