// The SQLite schema as numbered migrations, applied in order at start.
// Append only: a released migration is never edited.
#pragma once

#include <span>

namespace tocsin::store::sqlite {

struct Migration {
  int version;
  const char* sql;
};

std::span<const Migration> Migrations();

}  // namespace tocsin::store::sqlite
