// The weekly summary job: every pass (every 20 s, on its own thread), each
// confirmed user who wants the summary and whose slot has come gets it
// queued in the outbox under the key "weekly:<user>:<ISO week>". The
// outbox keeps one row per key, so a week's summary is queued once however
// many passes, restarts, clock changes or server replicas see it due. A
// slot missed while the server was down is caught up within a day; older
// ones are skipped rather than sent stale.
//
// Also what the API needs: a preview, "send it to me now", and the
// one-click unsubscribe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "model/account.h"
#include "report/summary_mail.h"
#include "store/store.h"

namespace tocsin::report {

struct WeeklyJobOptions {
  std::string public_url;       // links in the mail: "https://tocsin.example"
  std::string unsubscribe_key;  // the secret that signs unsubscribe links
  std::function<void()> wake;   // tells the notifier a row is due
  int64_t pass_every_ms = 20'000;
  int64_t catch_up_ms = 86'400'000;       // a slot later than this is skipped
  int64_t mail_lifetime_ms = 86'400'000;  // undelivered by then: given up
};

class WeeklyJob {
 public:
  WeeklyJob(store::Store& store, WeeklyJobOptions options);
  ~WeeklyJob();  // stops the thread
  WeeklyJob(const WeeklyJob&) = delete;
  WeeklyJob& operator=(const WeeklyJob&) = delete;

  void Start();
  void Stop();

  // One pass at `now_ms`; returns how many summaries it queued.
  Result<size_t> Pass(int64_t now_ms);

  // The user's summary of their latest whole week, as it would be mailed.
  Result<SummaryMail> Preview(const model::User& user, int64_t now_ms);
  // Queues it to the user now (at most one a minute), apart from the
  // weekly one.
  Status SendNow(const model::User& user, int64_t now_ms);
  // Turns the summary off for the token's user; returns their address.
  Result<std::string> Unsubscribe(std::string_view token);

 private:
  // The user's monitors (the workspaces they belong to) from `all`.
  Result<std::vector<store::MonitorRecord>> MonitorsOf(
      const model::User& user, const std::vector<store::MonitorRecord>& all);
  Result<SummaryMail> Render(const model::User& user, const WeeklySlot& slot,
                             const std::vector<store::MonitorRecord>& all, RankCache& ranks);
  Status Queue(const model::User& user, const SummaryMail& mail, const std::string& key,
               int64_t now_ms);
  void Run();

  store::Store& store_;
  WeeklyJobOptions options_;
  std::map<model::UserId, std::string> queued_;  // user -> the last week known queued (Pass only)
  std::mutex pass_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tocsin::report
