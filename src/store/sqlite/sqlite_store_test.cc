// Tests of the SQLite store against a real database file in a temporary
// directory; fault injection (a failing statement, a held lock, a full disk)
// is done for real, from outside the store.
#include "store/sqlite/store_test_support.h"

namespace tocsin::store {
namespace {

// --- Opening and migrations ---

TEST_F(SqliteStoreTest, OpenCreatesSchemaInWalMode) {
  RawDb raw(db_path_);
  const auto tables =
      raw.Column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  EXPECT_EQ(tables, (std::vector<std::string>{"addresses",
                                              "api_tokens",
                                              "channel_state",
                                              "channels",
                                              "delivery_attempts",
                                              "incidents",
                                              "links",
                                              "maintenance_windows",
                                              "members",
                                              "monitor_state",
                                              "monitors",
                                              "outbox",
                                              "result_details",
                                              "results",
                                              "rollups",
                                              "schema_migrations",
                                              "secrets",
                                              "sessions",
                                              "settings",
                                              "sqlite_sequence",
                                              "status_pages",
                                              "status_posts",
                                              "status_subscribers",
                                              "status_updates",
                                              "users",
                                              "workspace_policies",
                                              "workspaces"}));
  EXPECT_EQ(raw.Column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(raw.Int("SELECT max(version) FROM schema_migrations"),
            sqlite::Migrations().back().version);
}

TEST_F(SqliteStoreTest, ReopeningAppliesNoMigrationTwiceAndKeepsData) {
  const model::MonitorId id = Register("kept");
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 42'000)}));
  Close();
  Open();
  Close();
  Open();

  RawDb raw(db_path_);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::Migrations().size()));
  EXPECT_EQ(raw.Int("SELECT count(DISTINCT version) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::Migrations().size()));
  const auto monitors = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(monitors.size(), 1u);
  EXPECT_EQ(monitors[0].id, id);
  const auto results = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 10));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].total_us, 42'000u);
}

// --- Monitors ---

MonitorRecord Monitor(const std::string& name, const std::string& url) {
  MonitorRecord m;
  m.name = name;
  m.url = url;
  m.options_json = R"({"timeout":"10s"})";
  m.interval = 30'000'000;
  return m;
}

TEST_F(SqliteStoreTest, AVersion2DatabaseKeepsItsMonitorsAndResultsInTheFilesWorkspace) {
  Close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path_ + suffix);
  sqlite3* file = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &file), SQLITE_OK);
  sqlite3_close(file);
  {
    // The schema as version 2 left it, with a monitor and a result.
    RawDb raw(db_path_);
    raw.Exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER "
        "NOT NULL)");
    for (const auto& m : sqlite::Migrations()) {
      if (m.version > 2) break;
      raw.Exec(m.sql);
      raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 0)");
    }
    raw.Exec(
        "INSERT INTO monitors (id, name, owner, url, options_json, interval_us, enabled, "
        "created_at, updated_at) VALUES (7, 'old', 0, 'https://old.example/', '{}', "
        "60000000, 1, 0, 0)");
  }
  Open();
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(7, kBaseMs, 42'000)}));
  const auto monitors = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(monitors.size(), 1u);
  EXPECT_EQ(monitors[0].id, 7u);
  EXPECT_EQ(monitors[0].name, "old");
  EXPECT_EQ(monitors[0].workspace, model::kFileWorkspace);
  // The file still finds it by name, under the same id.
  const auto ids = ValueOrThrow(store_->monitors().SyncMonitors({Monitor("old", "https://x/")}));
  EXPECT_EQ(ids, std::vector<model::MonitorId>{7});
  // Ids are never reused: a new monitor after a deletion gets a new one.
  MonitorRecord api = Monitor("api", "https://api.example/");
  api.workspace = 5;
  const MonitorRecord created = ValueOrThrow(store_->monitors().CreateMonitor(api));
  EXPECT_GT(created.id, 7u);
  OkOrThrow(store_->monitors().DeleteMonitor(created.id));
  EXPECT_GT(ValueOrThrow(store_->monitors().CreateMonitor(api)).id, created.id);
}

TEST_F(SqliteStoreTest, SyncMonitorsKeepsIdsStableByName) {
  const auto first = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("a", "https://a.example/"), Monitor("b", "https://b.example/")}));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_NE(first[0], first[1]);
  const auto again = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("b", "https://b.example/"), Monitor("a", "https://a.example/")}));
  EXPECT_EQ(again, (std::vector<model::MonitorId>{first[1], first[0]}));
}

TEST_F(SqliteStoreTest, SyncMonitorsUpdatesChangedUrlUnderTheSameId) {
  const auto first =
      ValueOrThrow(store_->monitors().SyncMonitors({Monitor("a", "https://a.example/")}));
  MonitorRecord changed = Monitor("a", "https://a.example/health");
  changed.owner = 7;
  changed.options_json = R"({"timeout":"5s"})";
  changed.interval = 120'000'000;
  changed.enabled = false;
  const auto second = ValueOrThrow(store_->monitors().SyncMonitors({changed}));
  EXPECT_EQ(second, first);

  const auto listed = ValueOrThrow(store_->monitors().ListMonitors());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, first[0]);
  EXPECT_EQ(listed[0].name, "a");
  EXPECT_EQ(listed[0].url, "https://a.example/health");
  EXPECT_EQ(listed[0].owner, 7u);
  EXPECT_EQ(listed[0].options_json, R"({"timeout":"5s"})");
  EXPECT_EQ(listed[0].interval, 120'000'000);
  EXPECT_FALSE(listed[0].enabled);
}

TEST_F(SqliteStoreTest, SyncMonitorsGivesANewNameANewId) {
  const auto first =
      ValueOrThrow(store_->monitors().SyncMonitors({Monitor("a", "https://a.example/")}));
  const auto second = ValueOrThrow(store_->monitors().SyncMonitors(
      {Monitor("a", "https://a.example/"), Monitor("c", "https://c/")}));
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0], first[0]);
  EXPECT_NE(second[1], first[0]);
  EXPECT_EQ(ValueOrThrow(store_->monitors().ListMonitors()).size(), 2u);
}

// The server registers monitors (start, SIGHUP reload) on its own thread
// while the Recorder's thread writes batches and runs retention: the two must
// not interleave on the writer connection.
TEST_F(SqliteStoreTest, SyncMonitorsWhileAnotherThreadWritesBatches) {
  const model::MonitorId id = Register("busy");
  constexpr int kBatches = 300;
  std::vector<std::string> errors;
  std::thread writer([&] {
    for (int i = 0; i < kBatches; ++i) {
      std::vector<model::CheckRecord> batch;
      for (int k = 0; k < 20; ++k) batch.push_back(OkResult(id, kBaseMs + i * 1'000 + k, 500));
      if (Status s = store_->results().WriteBatch(batch); !s.ok())
        errors.push_back(s.error().message);
      if (auto d = store_->results().DeleteExpired(kBaseMs, 100); !d.ok()) {
        errors.push_back(d.error().message);
      }
    }
  });
  std::vector<model::MonitorId> ids;
  for (int i = 0; i < kBatches; ++i) {
    auto synced =
        store_->monitors().SyncMonitors({Monitor("busy", "https://busy.example/"),
                                         Monitor("other", "https://other/" + std::to_string(i))});
    if (synced.ok()) {
      ids = *synced;
    } else {
      ADD_FAILURE() << synced.error().message;
    }
  }
  writer.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();
  EXPECT_EQ(ids.at(0), id);
  EXPECT_EQ(RawRows(), uint64_t{kBatches} * 20);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + kDay)).count,
            uint64_t{kBatches} * 20);
}

// --- Writing and reading results ---

TEST_F(SqliteStoreTest, WriteBatchThenQueryResultsRoundTripsEveryField) {
  const model::MonitorId id = Register("round-trip");
  model::CheckRecord ok = OkResult(id, kBaseMs + 1'250, 123'456);
  ok.location = 3;
  ok.status = 204;
  ok.ip = "203.0.113.77";
  ok.dns_us = 1'001;
  ok.connect_us = 2'002;
  ok.tls_us = 3'003;
  ok.ttfb_us = 4'004;
  ok.download_us = 5'005;
  ok.bytes = 4'000'000'000u;
  model::CheckRecord failed = FailedResult(id, kBaseMs + 61'000, "TLS: certificate has expired");
  failed.outcome = model::Outcome::kTlsError;
  failed.location = 255;
  failed.status = 0;
  failed.ip = "2001:db8::1";
  model::CheckRecord extreme =
      OkResult(id, kBaseMs + 122'000, std::numeric_limits<uint32_t>::max());
  extreme.status = 65'535;
  extreme.ip = "";
  OkOrThrow(store_->results().WriteBatch(std::vector{failed, ok, extreme}));

  const auto got = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 100));
  ASSERT_EQ(got.size(), 3u);
  ExpectSameResult(got[0], ok);  // in time order
  ExpectSameResult(got[1], failed);
  ExpectSameResult(got[2], extreme);
}

TEST_F(SqliteStoreTest, QueryResultsHonoursHalfOpenRangeMonitorAndLimit) {
  const model::MonitorId a = Register("a");
  const model::MonitorId b = Register("b");
  std::vector<model::CheckRecord> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(OkResult(a, kBaseMs + i * 1'000, 1'000 + i));
  batch.push_back(OkResult(b, kBaseMs + 2'000, 9));
  OkOrThrow(store_->results().WriteBatch(batch));

  const auto range =
      ValueOrThrow(store_->results().QueryResults(a, kBaseMs + 2'000, kBaseMs + 5'000, 100));
  ASSERT_EQ(range.size(), 3u);
  EXPECT_EQ(range[0].ts_ms, kBaseMs + 2'000);
  EXPECT_EQ(range[2].ts_ms, kBaseMs + 4'000);
  EXPECT_EQ(range[0].monitor, a);
  const auto limited = ValueOrThrow(store_->results().QueryResults(a, 0, kForeverMs, 4));
  ASSERT_EQ(limited.size(), 4u);
  EXPECT_EQ(limited[3].ts_ms, kBaseMs + 3'000);
}

// The second half of a batch fails (a trigger of another connection aborts
// it): nothing of the batch may remain, and the next batch must work,
// including an address first interned in the failed one.
TEST_F(SqliteStoreTest, WriteBatchIsAllOrNothing) {
  const model::MonitorId id = Register("atomic");
  std::vector<model::CheckRecord> batch;
  for (int i = 0; i < 10; ++i) {
    model::CheckRecord r = i % 3 == 0 ? FailedResult(id, kBaseMs + i * 60'000, "refused")
                                      : OkResult(id, kBaseMs + i * 60'000, 50'000);
    r.ip = "198.51.100." + std::to_string(i);
    batch.push_back(r);
  }
  RawDb raw(db_path_);
  raw.Exec("CREATE TRIGGER fail_second_half BEFORE INSERT ON results WHEN NEW.ts >= " +
           std::to_string(kBaseMs + 5 * 60'000) +
           " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

  const Status failed = store_->results().WriteBatch(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("injected failure"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(RawRows(), 0u);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM result_details"), 0);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM rollups"), 0);
  EXPECT_EQ(raw.Int("SELECT count(*) FROM addresses"), 0);
  EXPECT_TRUE(ValueOrThrow(store_->results().LoadLatest()).empty());

  raw.Exec("DROP TRIGGER fail_second_half");
  OkOrThrow(store_->results().WriteBatch(batch));
  const auto got = ValueOrThrow(store_->results().QueryResults(id, 0, kForeverMs, 100));
  ASSERT_EQ(got.size(), batch.size());
  for (size_t i = 0; i < got.size(); ++i) ExpectSameResult(got[i], batch[i]);
  EXPECT_EQ(ValueOrThrow(store_->results().Summarize(id, kBaseS, kBaseS + kDay)).count,
            batch.size());
}

// Another process holding the write lock: the batch fails as unavailable
// (retryable) after the busy timeout, writes nothing, and the next succeeds.
TEST_F(SqliteStoreTest, WriteBatchIsUnavailableWhileAnotherConnectionHoldsTheWriteLock) {
  const model::MonitorId id = Register("locked");
  RawDb other(db_path_);
  other.Exec("BEGIN IMMEDIATE");
  const Status busy = store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 1'000)});
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable) << busy.error().message;
  other.Exec("ROLLBACK");
  EXPECT_EQ(RawRows(), 0u);

  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs, 1'000)}));
  EXPECT_EQ(RawRows(), 1u);
}

// --- Latest state ---

TEST_F(SqliteStoreTest, LatestStateIsTheNewestResultEvenWhenAnOlderOneArrivesLater) {
  const model::MonitorId id = Register("latest");
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(id, kBaseMs + 2'000, 77'000)}));
  OkOrThrow(store_->results().WriteBatch(std::vector{FailedResult(id, kBaseMs + 1'000, "late")}));

  const auto latest = ValueOrThrow(store_->results().LoadLatest());
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].monitor, id);
  EXPECT_EQ(latest[0].ts_ms, kBaseMs + 2'000);
  EXPECT_EQ(latest[0].outcome, kOk);
  EXPECT_EQ(latest[0].status, 200u);
  EXPECT_EQ(latest[0].total_us, 77'000u);
  EXPECT_EQ(latest[0].detail, "");
}

TEST_F(SqliteStoreTest, LatestStateIsTheNewestResultOfABatchWhateverItsPosition) {
  const model::MonitorId a = Register("a");
  const model::MonitorId b = Register("b");
  OkOrThrow(store_->results().WriteBatch(std::vector{
      FailedResult(a, kBaseMs + 5'000, "connection refused"), OkResult(b, kBaseMs + 1'000, 10),
      OkResult(a, kBaseMs + 3'000, 20), OkResult(b, kBaseMs + 9'000, 30)}));
  OkOrThrow(store_->results().WriteBatch(std::vector{OkResult(b, kBaseMs + 10'000, 40)}));

  auto latest = ValueOrThrow(store_->results().LoadLatest());
  std::sort(latest.begin(), latest.end(),
            [](const model::LatestState& x, const model::LatestState& y) {
              return x.monitor < y.monitor;
            });
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].ts_ms, kBaseMs + 5'000);
  EXPECT_EQ(latest[0].outcome, kTimeout);
  EXPECT_EQ(latest[0].detail, "connection refused");
  EXPECT_EQ(latest[1].ts_ms, kBaseMs + 10'000);
  EXPECT_EQ(latest[1].total_us, 40u);
}

// --- Stats and size ---

TEST_F(SqliteStoreTest, StatsCountsRawRowsAndFileBytes) {
  const model::MonitorId id = Register("stats");
  EXPECT_EQ(RawRows(), 0u);
  WriteInBatches(SyntheticResults(id, kBaseS, 7, 6), 3);
  const StoreStats stats = ValueOrThrow(store_->results().Stats());
  EXPECT_EQ(stats.raw_rows, 7u);
  struct stat st {};
  ASSERT_EQ(stat(db_path_.c_str(), &st), 0);
  EXPECT_GE(stats.file_bytes, static_cast<uint64_t>(st.st_size));
}

// 100,000 ok results of 100 monitors, a minute apart, with realistic timings,
// written as the Recorder would (in time order, batches of 2,000). Prints the
// file size per raw row (rollups and addresses included); the target is 64.
TEST_F(SqliteStoreTest, BytesPerRawRowOfRealisticResults) {
  constexpr int kMonitors = 100;
  constexpr int kRounds = 1'000;
  std::vector<MonitorRecord> records;
  for (int m = 0; m < kMonitors; ++m) {
    records.push_back(Monitor("site-" + std::to_string(m), "https://site" + std::to_string(m)));
  }
  const auto ids = ValueOrThrow(store_->monitors().SyncMonitors(records));

  std::mt19937_64 rng(99);
  auto uniform = [&rng](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  std::vector<model::CheckRecord> batch;
  for (int round = 0; round < kRounds; ++round) {
    for (int m = 0; m < kMonitors; ++m) {
      model::CheckRecord r;
      r.monitor = ids[static_cast<size_t>(m)];
      r.ts_ms = kBaseMs + round * 60'000 + m * 600 + uniform(0, 50);  // spread over the minute
      r.outcome = kOk;
      r.status = 200;
      r.ip = "198.51.100." + std::to_string(m);
      r.dns_us = uniform(0, 4) == 0 ? uniform(2'000, 40'000) : uniform(20, 200);  // mostly cached
      r.connect_us = uniform(1'000, 60'000);
      r.tls_us = uniform(5'000, 120'000);
      r.ttfb_us = uniform(20'000, 600'000);
      r.download_us = uniform(100, 50'000);
      r.total_us = r.dns_us + r.connect_us + r.tls_us + r.ttfb_us + r.download_us;
      r.bytes = uniform(500, 200'000);
      batch.push_back(std::move(r));
      if (batch.size() == 2'000) {
        OkOrThrow(store_->results().WriteBatch(batch));
        batch.clear();
      }
    }
  }
  constexpr uint64_t kRows = uint64_t{kMonitors} * kRounds;
  ASSERT_EQ(RawRows(), kRows);
  const StoreStats open_stats = ValueOrThrow(store_->results().Stats());
  {
    RawDb raw(db_path_);
    for (const std::string& line :
         raw.Column("SELECT name || ': ' || sum(pgsize) || ' bytes, ' || "
                    "printf('%.1f', sum(pgsize) * 1.0 / 100000) || ' per raw row' "
                    "FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC")) {
      std::printf("  %s\n", line.c_str());
    }
  }
  Close();  // checkpoints and removes the WAL
  struct stat st {};
  ASSERT_EQ(stat(db_path_.c_str(), &st), 0);
  const double per_row = static_cast<double>(st.st_size) / static_cast<double>(kRows);
  std::printf(
      "database: %lld bytes for %llu raw rows = %.1f bytes/row (with WAL while open: %.1f)\n",
      static_cast<long long>(st.st_size), static_cast<unsigned long long>(kRows), per_row,
      static_cast<double>(open_stats.file_bytes) / static_cast<double>(kRows));
  RecordProperty("bytes_per_raw_row", std::to_string(per_row));
  EXPECT_LT(per_row, 120.0);
}

// --- Disk full ---

// Runs `body` in a forked child and returns its exit code (or -signal). The
// child reports its own findings on stderr; it must not use gtest.
int RunInChild(const std::function<int()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return -1000;
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: exception: %s\n", e.what());
      code = 2;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(code);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1001;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

constexpr int kChildSkipped = 77;

int ChildFail(int code, const std::string& why) {
  std::fprintf(stderr, "child: %s\n", why.c_str());
  return code;
}

// Fills the store until a batch fails, then calls `make_room`, checks that
// the failure was a clean, retryable one and that the store works again.
int FillUntilFullThenRecover(const std::string& db_path, const std::function<void()>& make_room) {
  auto opened = OpenSqliteStore({.path = db_path});
  if (!opened.ok()) return ChildFail(10, "open: " + opened.error().message);
  Store& store = **opened;
  std::vector<MonitorRecord> records;
  for (int m = 0; m < 20; ++m) records.push_back(Monitor("m" + std::to_string(m), "https://m/"));
  auto ids = store.monitors().SyncMonitors(records);
  if (!ids.ok()) return ChildFail(11, "sync: " + ids.error().message);

  uint64_t committed = 0;
  std::vector<model::CheckRecord> batch;
  Status failure;
  for (int round = 0; round < 100'000 && failure.ok(); ++round) {
    batch.clear();
    for (size_t m = 0; m < ids->size(); ++m) {
      for (int k = 0; k < 25; ++k) {
        const int64_t ts = kBaseMs + (int64_t{round} * 25 + k) * 60'000;
        batch.push_back(FailedResult(
            (*ids)[m], ts,
            "a failure detail that takes some room, #" + std::to_string(round * 25 + k)));
      }
    }
    failure = store.results().WriteBatch(batch);
    if (failure.ok()) committed += batch.size();
  }
  make_room();
  if (failure.ok()) return ChildFail(12, "the store never filled up");
  std::fprintf(stderr, "child: after %llu results, WriteBatch failed: code %d, \"%s\"\n",
               static_cast<unsigned long long>(committed), static_cast<int>(failure.error().code),
               failure.error().message.c_str());
  if (failure.error().code != ErrorCode::kUnavailable) return ChildFail(13, "not kUnavailable");
  const std::string& message = failure.error().message;
  if (message.find("disk") == std::string::npos && message.find("full") == std::string::npos) {
    return ChildFail(14, "the message names neither disk nor full");
  }
  auto stats = store.results().Stats();
  if (!stats.ok() || stats->raw_rows != committed) {
    return ChildFail(15, "the failed batch left rows behind, or Stats failed");
  }
  if (Status s = store.results().WriteBatch(batch); !s.ok()) {
    return ChildFail(16, "WriteBatch after making room: " + s.error().message);
  }
  stats = store.results().Stats();
  if (!stats.ok() || stats->raw_rows != committed + batch.size()) {
    return ChildFail(17, "the retried batch is not all there");
  }
  RawDb raw(db_path);
  const auto check = raw.Column("PRAGMA integrity_check");
  if (check != std::vector<std::string>{"ok"}) {
    return ChildFail(18, "integrity_check: " + (check.empty() ? "" : check[0]));
  }
  return 0;
}

// A real full disk: a 1 MiB tmpfs mounted over the test's directory in a
// private mount namespace of a child process. Needs CAP_SYS_ADMIN (root in
// most containers); skipped without it.
TEST_F(SqliteStoreTest, FullDiskFailsTheBatchAsUnavailableAndTheStoreRecovers) {
  Close();
  TempDir mount_point{"tocsin-store-test"};
  const std::string dir = mount_point.path();
  const int code = RunInChild([&dir]() -> int {
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=1m") != 0) {
      return kChildSkipped;
    }
    return FillUntilFullThenRecover(dir + "/tocsin.db", [&dir] {
      if (mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT, "size=64m") != 0) {
        std::fprintf(stderr, "child: remount failed\n");
      }
    });
  });
  if (code == kChildSkipped) GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(code, 0) << "see the child's message above";
}

// The same through RLIMIT_FSIZE, which works without privileges: the files
// cannot grow past the limit (EFBIG, SIGXFSZ ignored).
TEST_F(SqliteStoreTest, FileSizeLimitFailsTheBatchAsUnavailableAndTheStoreRecovers) {
  Close();
  const std::string path = dir_.path() + "/limited.db";
  const int code = RunInChild([&path]() -> int {
    rlimit original{};
    if (getrlimit(RLIMIT_FSIZE, &original) != 0) return ChildFail(20, "getrlimit");
    signal(SIGXFSZ, SIG_IGN);
    rlimit low = original;
    low.rlim_cur = 1 << 20;
    if (setrlimit(RLIMIT_FSIZE, &low) != 0) return ChildFail(21, "setrlimit");
    // The limit is lifted before anything is printed: stderr may be a file.
    return FillUntilFullThenRecover(path, [&original] { setrlimit(RLIMIT_FSIZE, &original); });
  });
  EXPECT_EQ(code, 0) << "see the child's message above";
}

}  // namespace
}  // namespace tocsin::store
