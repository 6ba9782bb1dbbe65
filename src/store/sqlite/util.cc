#include "store/sqlite/util.h"

namespace tocsin::store::sqlite {

Error SqliteError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  const int primary = code & 0xff;
  std::string message =
      "sqlite: " + std::string(sqlite3_errmsg(db)) + " (" + std::string(what) + ")";
  const bool transient = primary == SQLITE_FULL || primary == SQLITE_IOERR ||
                         primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
                         primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY;
  return Error{transient ? ErrorCode::kUnavailable : ErrorCode::kInternal, std::move(message)};
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Error e = SqliteError(db, sql);
    sqlite3_free(err);
    return e;
  }
  return {};
}

Result<Stmt> Stmt::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &s, nullptr) != SQLITE_OK) {
    return SqliteError(db, sql);
  }
  return Stmt(s);
}

Status StepDone(sqlite3* db, Stmt& stmt, std::string_view what) {
  const int rc = stmt.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Error e = SqliteError(db, what);
    stmt.Reset();
    return e;
  }
  stmt.Reset();
  return {};
}

}  // namespace tocsin::store::sqlite
