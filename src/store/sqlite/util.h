// Small RAII helpers over the SQLite C API, shared by the SQLite store's
// files: a connection, prepared statements, and errors as Status values.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tocsin::store::sqlite {

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbDeleter>;

// An error from the connection's last call. Disk full and I/O errors are
// kUnavailable (the caller may retry later); the rest kInternal.
Error SqliteError(sqlite3* db, std::string_view what);

Status Exec(sqlite3* db, const char* sql);

// Ends the open transaction after a failure. Its own failure changes
// nothing for the caller (SQLite rolls back on its own when it must), so it
// returns nothing.
inline void Rollback(sqlite3* db) {
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

class Stmt {
 public:
  Stmt() = default;
  static Result<Stmt> Prepare(sqlite3* db, std::string_view sql);
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }

  sqlite3_stmt* get() const { return stmt_; }
  // Binds by 1-based index.
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  std::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }

 private:
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer, rolling back
// on any failure. REQUIRES: the database's writer_mu held.
template <typename Body>
Status InTransaction(sqlite3* db, Body&& body) {
  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = body();
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) Rollback(db);
  return s;
}

// Runs a statement to completion (no rows expected), then resets it.
Status StepDone(sqlite3* db, Stmt& stmt, std::string_view what);

}  // namespace tocsin::store::sqlite
