// The SQLite database behind every aggregate of the embedded store: one
// writer connection (WAL; writes take turns under writer_mu) and one reader
// connection, opened and migrated once and shared by the aggregates' classes.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "store/sqlite/util.h"

namespace tocsin::store::sqlite {

struct Database {
  std::string path;
  // The writer connection is opened NOMUTEX and runs one transaction per
  // call: the Recorder's thread and the server's take turns.
  std::mutex writer_mu;
  Db writer;
  std::mutex reader_mu;
  Db reader;

  // Opens (creating as needed) and migrates the database at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, int64_t cache_bytes);
};

}  // namespace tocsin::store::sqlite
