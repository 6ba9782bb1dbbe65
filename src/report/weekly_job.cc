#include "report/weekly_job.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <set>

#include "report/unsubscribe_token.h"

namespace tocsin::report {
namespace {

constexpr int64_t kMinuteMs = 60'000;

bool Wants(const model::User& u) {
  return u.weekly_summary && !u.disabled && u.email_confirmed_ms != 0;
}

}  // namespace

WeeklyJob::WeeklyJob(store::Store& store, WeeklyJobOptions options)
    : store_(store), options_(std::move(options)) {}

WeeklyJob::~WeeklyJob() {
  Stop();
}

void WeeklyJob::Start() {
  thread_ = std::thread([this] { Run(); });
}

void WeeklyJob::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WeeklyJob::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto queued = Pass(UnixMicros() / 1000);
    if (!queued.ok()) {
      spdlog::warn("weekly summaries: {} (next pass in {} s)", queued.error().message,
                   options_.pass_every_ms / 1000);
    } else if (*queued > 0) {
      spdlog::info("weekly summaries: {} queued", *queued);
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.pass_every_ms), [this] { return stop_; });
  }
}

Result<size_t> WeeklyJob::Pass(int64_t now_ms) {
  std::lock_guard pass(pass_mu_);
  auto users = store_.accounts().ListUsers();
  if (!users.ok()) return users.error();
  std::optional<std::vector<store::MonitorRecord>> all;  // read once, when a summary is due
  std::optional<RankCache> ranks;
  size_t queued = 0;
  for (const model::User& user : *users) {
    if (!Wants(user)) continue;
    auto slot = LatestSlot(user.time_zone, user.weekly_day, user.weekly_hour, now_ms);
    if (!slot.ok()) continue;  // a zone this build does not know: nothing is due
    if (now_ms - slot->at_ms > options_.catch_up_ms || user.email_confirmed_ms > slot->at_ms) {
      continue;
    }
    auto known = queued_.find(user.id);
    if (known != queued_.end() && known->second == slot->week) continue;
    const std::string key = "weekly:" + std::to_string(user.id) + ":" + slot->week;
    auto existing = store_.alerts().FindNotification(key);
    if (!existing.ok()) return existing.error();
    if (*existing) {
      queued_[user.id] = slot->week;
      continue;
    }
    if (!all) {
      auto monitors = store_.monitors().ListMonitors();
      if (!monitors.ok()) return monitors.error();
      all = std::move(*monitors);
      ranks.emplace(store_.results(), *all);
    }
    auto mail = Render(user, *slot, *all, *ranks);
    if (!mail.ok()) return mail.error();
    if (mail->text.empty()) {  // no URL: nothing to say this week
      queued_[user.id] = slot->week;
      continue;
    }
    if (Status s = Queue(user, *mail, key, now_ms); !s.ok()) return s.error();
    queued_[user.id] = slot->week;
    ++queued;
  }
  if (queued > 0 && options_.wake) options_.wake();
  return queued;
}

Result<std::vector<store::MonitorRecord>> WeeklyJob::MonitorsOf(
    const model::User& user, const std::vector<store::MonitorRecord>& all) {
  auto workspaces = store_.accounts().WorkspacesOf(user.id);
  if (!workspaces.ok()) return workspaces.error();
  std::set<model::WorkspaceId> ids;
  for (const auto& [w, role] : *workspaces) ids.insert(w.id);
  if (user.admin) ids.insert(model::kFileWorkspace);  // as the console shows them
  std::vector<store::MonitorRecord> mine;
  for (const auto& m : all) {
    if (ids.contains(m.workspace)) mine.push_back(m);
  }
  return mine;
}

Result<SummaryMail> WeeklyJob::Render(const model::User& user, const WeeklySlot& slot,
                                      const std::vector<store::MonitorRecord>& all,
                                      RankCache& ranks) {
  auto mine = MonitorsOf(user, all);
  if (!mine.ok()) return mine.error();
  if (mine->empty()) return SummaryMail{};
  auto summary = BuildWeeklySummary(store_, user, *mine, slot, ranks);
  if (!summary.ok()) return summary.error();
  MailLinks links;
  links.console = options_.public_url;
  links.unsubscribe = options_.public_url + "/unsubscribe/" +
                      MakeUnsubscribeToken(options_.unsubscribe_key, user.id);
  return RenderSummaryMail(*summary, links, user.weekly_day, user.weekly_hour);
}

Status WeeklyJob::Queue(const model::User& user, const SummaryMail& mail, const std::string& key,
                        int64_t now_ms) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : mail.headers) headers[name] = value;
  store::OutboxRow row;
  row.dedup_key = key;
  row.recipient = user.email;
  row.event = model::NoticeEvent::kAccountMail;
  row.payload = nlohmann::json{
      {"subject", mail.subject},
      {"text", mail.text},
      {"html", mail.html},
      {"headers",
       headers}}.dump();
  row.created_ms = now_ms;
  row.next_attempt_ms = now_ms;
  row.expires_ms = now_ms + options_.mail_lifetime_ms;
  return store_.alerts().Apply({}, std::span(&row, 1));
}

Result<SummaryMail> WeeklyJob::Preview(const model::User& user, int64_t now_ms) {
  auto slot = LatestSlot(user.time_zone, user.weekly_day, user.weekly_hour, now_ms);
  if (!slot.ok()) return slot.error();
  auto all = store_.monitors().ListMonitors();
  if (!all.ok()) return all.error();
  RankCache ranks(store_.results(), *all);
  auto mail = Render(user, *slot, *all, ranks);
  if (!mail.ok()) return mail.error();
  if (mail->text.empty()) return Conflict("you have no monitor to summarise yet");
  return mail;
}

Status WeeklyJob::SendNow(const model::User& user, int64_t now_ms) {
  auto mail = Preview(user, now_ms);
  if (!mail.ok()) return mail.error();
  const std::string key =
      "weekly-now:" + std::to_string(user.id) + ":" + std::to_string(now_ms / kMinuteMs);
  if (Status s = Queue(user, *mail, key, now_ms); !s.ok()) return s;
  if (options_.wake) options_.wake();
  return {};
}

Result<std::string> WeeklyJob::Unsubscribe(std::string_view token) {
  auto id = VerifyUnsubscribeToken(options_.unsubscribe_key, token);
  if (!id.ok()) return id.error();
  auto user = store_.accounts().GetUser(*id);
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("this account no longer exists");
  model::User u = **user;
  if (u.weekly_summary) {
    u.weekly_summary = false;
    if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s.error();
  }
  return u.email;
}

}  // namespace tocsin::report
