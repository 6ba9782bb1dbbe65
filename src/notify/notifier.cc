#include "notify/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/text.h"
#include "notify/ack_token.h"
#include "notify/email/maildir.h"
#include "notify/email/mime.h"
#include "notify/provider.h"

namespace tocsin::notify {
namespace {

// How long a claimed row waits before another pass may take it again: the
// request timeout and a margin (a process killed mid-delivery resends then).
constexpr int64_t kClaimMarginMs = 15'000;
// The outbox is read at least this often, whatever the wake-ups say.
constexpr int64_t kLookEveryMs = 5'000;
constexpr int64_t kMaxRetryAfterS = 3'600;
const std::vector<double> kLatencyBuckets = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                             2.5,  5,     10,   30,  60,   300, 3600};

int64_t NowMs() {
  return UnixMicros() / 1000;
}

bool Groupable(const store::OutboxRow& row) {
  // Warnings of a certificate or of flapping stand alone; outages, their
  // reminders and recoveries group.
  return row.event == model::NoticeEvent::kOpened || row.event == model::NoticeEvent::kResolved ||
         row.event == model::NoticeEvent::kReminder || row.event == model::NoticeEvent::kEscalated;
}

}  // namespace

// One delivery in flight: its rows, its request, what came back.
struct Notifier::Transfer {
  std::vector<store::OutboxRow> rows;
  std::string channel;
  model::ChannelType type = model::ChannelType::kWebhook;
  std::string body;  // what the read callback sends (SMTP)
  size_t sent = 0;
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  int64_t started_us = 0;
  const net::AddressPolicy* policy = nullptr;  // webhooks only
  std::string blocked;                         // why the policy refused to connect
  ~Transfer() {
    curl_slist_free_all(headers);
    curl_slist_free_all(recipients);
  }
};

namespace {

size_t ReadBody(char* buffer, size_t size, size_t count, void* userp) {
  auto* t = static_cast<Notifier::Transfer*>(userp);
  const size_t n = std::min(size * count, t->body.size() - t->sent);
  std::memcpy(buffer, t->body.data() + t->sent, n);
  t->sent += n;
  return n;
}

size_t Discard(char*, size_t size, size_t count, void*) {
  return size * count;
}

curl_socket_t OpenSocket(void* userp, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Notifier::Transfer*>(userp);
  if (t->policy != nullptr) {
    const auto ip = net::IpAddress::FromSockaddr(&address->addr);
    if (!ip) {
      t->blocked = "an address of an unknown family";
      return CURL_SOCKET_BAD;
    }
    if (Status s = t->policy->Check(*ip); !s.ok()) {
      t->blocked = s.error().message;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace

Result<std::unique_ptr<Notifier>> Notifier::Start(store::AlertStore& store, NotifierOptions options,
                                                  core::Registry* metrics) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Internal("curl_global_init failed");
  }
  // Ready even with SMTP set: an administrator may unset it while the
  // server runs, and mail then lands here.
  if (!options.maildir.empty()) {
    if (Status s = PrepareMaildir(options.maildir); !s.ok()) return s.error();
  }
  std::unique_ptr<Notifier> n(new Notifier(store, std::move(options)));
  n->multi_ = curl_multi_init();
  if (n->multi_ == nullptr) return Internal("curl_multi_init failed");
  if (metrics != nullptr) n->RegisterMetrics(*metrics);
  n->thread_ = std::thread([p = n.get()] { p->Run(); });
  return n;
}

Notifier::Notifier(store::AlertStore& store, NotifierOptions options)
    : store_(store),
      options_(std::move(options)),
      policy_(options_.address_policy),
      mail_{options_.smtp, options_.mail_from} {}

Notifier::~Notifier() {
  Stop();
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

void Notifier::RegisterMetrics(core::Registry& metrics) {
  sent_by_kind_ = &metrics.AddCounter("tocsin_notifications_sent_total",
                                      "Notifications delivered, by channel kind.", {"kind"});
  failed_by_kind_ = &metrics.AddCounter(
      "tocsin_notification_failures_total",
      "Delivery attempts that failed (each is retried until the row's maximum age).", {"kind"});
  given_up_by_kind_ = &metrics.AddCounter("tocsin_notifications_given_up_total",
                                          "Notifications given up: too old, or the channel is "
                                          "gone (410).",
                                          {"kind"});
  latency_ = &metrics.AddHistogram("tocsin_notification_delivery_seconds",
                                   "From the notice to its delivery.", kLatencyBuckets);
  pending_by_kind_ =
      &metrics.AddGauge("tocsin_notifications_pending",
                        "Notifications waiting for delivery, by channel kind.", {"kind"});
  metrics.AddCallbackGauge("tocsin_outbox_oldest_seconds",
                           "Age of the oldest notification waiting for delivery.", [this] {
                             auto stats = store_.Stats();
                             if (!stats.ok() || stats->oldest_pending_ms == 0) return 0.0;
                             return static_cast<double>(NowMs() - stats->oldest_pending_ms) /
                                    1000.0;
                           });
  metrics.AddCallbackGauge("tocsin_outbox_pending", "Notifications waiting for delivery.", [this] {
    auto stats = store_.Stats();
    return stats.ok() ? static_cast<double>(stats->pending) : 0.0;
  });
}

void Notifier::SetChannels(std::vector<model::Channel> channels) {
  {
    std::lock_guard lock(mu_);
    pending_channels_ = std::move(channels);
  }
  Wake();
}

void Notifier::Wake() {
  woken_.store(true, std::memory_order_release);
  if (multi_ != nullptr) curl_multi_wakeup(multi_);
}

void Notifier::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  if (multi_ != nullptr) curl_multi_wakeup(multi_);
  if (thread_.joinable()) thread_.join();
}

Notifier::Stats Notifier::stats() const {
  return {sent_.load(), failed_.load(), given_up_.load(), in_flight_.load()};
}

void Notifier::SetMail(MailSettings mail) {
  {
    std::lock_guard lock(mu_);
    pending_mail_ = std::move(mail);
  }
  Wake();
}

void Notifier::ApplyMail() {
  std::lock_guard lock(mu_);
  if (!pending_mail_) return;
  mail_ = std::move(*pending_mail_);
  pending_mail_.reset();
}

void Notifier::ApplyChannels() {
  std::optional<std::vector<model::Channel>> fresh;
  {
    std::lock_guard lock(mu_);
    fresh.swap(pending_channels_);
  }
  if (!fresh) return;
  std::map<std::string, ChannelState> next;
  for (model::Channel& c : *fresh) {
    ChannelState state;
    state.fingerprint = ChannelFingerprint(c);
    if (auto old = channels_.find(c.name); old != channels_.end()) {
      state.group_until_ms = old->second.group_until_ms;
    }
    auto disabled = store_.DisabledFingerprint(c.name);
    state.disabled = disabled.ok() && *disabled == state.fingerprint;
    if (state.disabled) {
      spdlog::warn(
          "notify: channel '{}' stays disabled: its receiver answered 410 Gone; change "
          "its settings to enable it",
          c.name);
    }
    state.channel = std::move(c);
    next.emplace(state.channel.name, std::move(state));
  }
  channels_ = std::move(next);
}

void Notifier::Run() {
  while (true) {
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    ApplyChannels();
    ApplyMail();
    const int64_t now = NowMs();
    if (!stopping && (woken_.exchange(false, std::memory_order_acq_rel) || now >= next_look_ms_)) {
      Plan(now);
    }
    int running = 0;
    curl_multi_perform(multi_, &running);
    while (true) {
      int left = 0;
      CURLMsg* msg = curl_multi_info_read(multi_, &left);
      if (msg == nullptr) break;
      if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
    }
    if (stopping && transfers_.empty()) return;
    const int64_t wait = std::clamp<int64_t>(next_look_ms_ - NowMs(), 0, kLookEveryMs);
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(transfers_.empty() ? wait : 50), nullptr);
  }
}

void Notifier::Plan(int64_t now_ms) {
  const size_t room =
      options_.max_in_flight > transfers_.size() ? options_.max_in_flight - transfers_.size() : 0;
  if (room == 0) {
    next_look_ms_ = now_ms;  // look again as soon as a delivery ends
    return;
  }
  next_look_ms_ = now_ms + kLookEveryMs;
  auto due = store_.DueOutbox(now_ms, options_.batch);
  if (!due.ok()) {
    spdlog::error("notify: cannot read the outbox: {}", due.error().message);
    return;
  }
  // A full read means more is due than one read holds (a storm): what is
  // grouped now goes at once, and the rest follows without waiting for the
  // channel's window, which opens after the last of it.
  const bool more_due = due->size() >= options_.batch;
  // Per channel, in order: given up, held for a group, or sent.
  std::map<std::string, std::vector<store::OutboxRow>> by_channel;
  std::vector<store::AttemptResult> give_up;
  std::vector<store::OutboxRow> account_mail;
  for (store::OutboxRow& row : *due) {
    if (row.channel.empty() && !row.recipient.empty()) {
      account_mail.push_back(std::move(row));
      continue;
    }
    auto it = channels_.find(row.channel);
    std::string why;
    if (it == channels_.end()) {
      why = "no channel named '" + row.channel + "' is configured";
    } else if (it->second.disabled) {
      why = "channel '" + row.channel + "' is disabled: its receiver answered 410 Gone";
    } else if (row.expires_ms <= now_ms) {
      why = "not delivered before its maximum age";
    }
    if (!why.empty()) {
      give_up.push_back({row.id, now_ms, false, 0, why, 0, 0});
      given_up_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    by_channel[row.channel].push_back(std::move(row));
  }
  if (!give_up.empty()) {
    if (Status s = store_.RecordAttempts(give_up); !s.ok()) {
      spdlog::error("notify: cannot record given-up notifications: {}", s.error().message);
    }
  }
  size_t started = 0;
  for (store::OutboxRow& row : account_mail) {
    if (started >= room) break;
    if (row.expires_ms <= now_ms) {
      Record({row}, false, 0, "not delivered before its maximum age", 0, 0,
             model::ChannelType::kEmail);
      continue;
    }
    StartAccountMail(std::move(row), now_ms);
    ++started;
  }
  for (auto& [name, rows] : by_channel) {
    ChannelState& channel = channels_.at(name);
    const bool groups = ProviderFor(channel.channel.type).groups() && options_.group_window > 0;
    std::vector<store::OutboxRow> now_rows;
    std::vector<int64_t> held;
    for (store::OutboxRow& row : rows) {
      if (groups && Groupable(row) && now_ms < channel.group_until_ms) {
        held.push_back(row.id);
      } else {
        now_rows.push_back(std::move(row));
      }
    }
    if (!held.empty()) {
      if (Status s = store_.Reschedule(held, channel.group_until_ms); !s.ok()) {
        spdlog::error("notify: cannot hold notifications for grouping: {}", s.error().message);
      }
      next_look_ms_ = std::min(next_look_ms_, channel.group_until_ms);
    }
    if (now_rows.empty()) continue;
    if (groups) {
      // Everything groupable goes as one message, then the window opens.
      std::vector<store::OutboxRow> group;
      for (store::OutboxRow& row : now_rows) {
        if (Groupable(row)) {
          group.push_back(std::move(row));
        } else if (started < room) {
          StartDelivery(channel, {std::move(row)}, now_ms);
          ++started;
        }
      }
      if (!group.empty() && started < room) {
        channel.group_until_ms = more_due ? now_ms : now_ms + options_.group_window / 1000;
        StartDelivery(channel, std::move(group), now_ms);
        ++started;
      }
    } else {
      for (store::OutboxRow& row : now_rows) {
        if (started >= room) break;
        StartDelivery(channel, {std::move(row)}, now_ms);
        ++started;
      }
    }
  }
  if (started >= room || more_due) next_look_ms_ = now_ms;  // more is waiting
  auto next = store_.NextDue();
  if (next.ok() && *next > 0) next_look_ms_ = std::min(next_look_ms_, std::max(*next, now_ms + 1));
  UpdatePendingGauges(now_ms);
}

void Notifier::UpdatePendingGauges(int64_t now_ms) {
  if (pending_by_kind_ == nullptr || now_ms < next_gauges_ms_) return;
  next_gauges_ms_ = now_ms + 1'000;
  auto stats = store_.Stats();
  if (!stats.ok()) return;
  std::map<std::string, double> by_kind;
  for (int i = 0; i <= static_cast<int>(model::ChannelType::kTelegram); ++i) {
    by_kind[std::string(model::ChannelTypeName(static_cast<model::ChannelType>(i)))] = 0;
  }
  for (const auto& [channel, count] : stats->pending_by_channel) {
    auto it = channels_.find(channel);
    if (it != channels_.end()) {
      by_kind[std::string(model::ChannelTypeName(it->second.channel.type))] +=
          static_cast<double>(count);
    }
  }
  for (const auto& [kind, count] : by_kind) pending_by_kind_->WithLabels({kind}).Set(count);
}

void Notifier::StartDelivery(ChannelState& channel, std::vector<store::OutboxRow> rows,
                             int64_t now_ms) {
  const model::Channel& c = channel.channel;
  Delivery d;
  d.channel = c.name;
  d.at_ms = now_ms;
  std::vector<int64_t> ids;
  for (const store::OutboxRow& row : rows) {
    d.notices.push_back(nlohmann::json::parse(row.payload, nullptr, false));
    if (d.notices.back().is_discarded()) d.notices.back() = nlohmann::json::object();
    d.dedup_keys.push_back(row.dedup_key);
    ids.push_back(row.id);
  }
  if (d.dedup_keys.size() == 1) {
    d.id = d.dedup_keys[0];
  } else {
    std::string all;
    for (const auto& k : d.dedup_keys) all += k + "\n";
    d.id = "group-" + Hex(Sha256(all)).substr(0, 32);
  }
  // A very large group tells its first items in full and lists the rest.
  if (d.notices.size() > options_.max_group_items) {
    nlohmann::json titles = nlohmann::json::array();
    for (size_t i = options_.max_group_items; i < d.notices.size(); ++i) {
      titles.push_back(NoticeTitle(d.notices[i]));
    }
    const size_t count = titles.size();
    d.notices.resize(options_.max_group_items);
    d.notices.push_back({{"event", "more"}, {"count", count}, {"titles", std::move(titles)}});
  }
  Links links;
  links.public_url = options_.public_url;
  links.ack = [this, now_ms](int64_t incident_id) {
    if (options_.ack_key.empty()) return std::string();
    return options_.public_url + "/ack/" +
           MakeAckToken(options_.ack_key, incident_id, now_ms / 1000 + kAckTokenLifetimeS);
  };
  const Message message = Compose(d, links);
  BuildContext ctx{now_ms, mail_.from};
  auto request = ProviderFor(c.type).Build(c, d, message, ctx);
  if (!request.ok()) {
    Record(rows, false, 0, "cannot build the message: " + request.error().message, 0, 0, c.type);
    return;
  }
  Send(std::move(rows), std::move(*request), c.name, c.type, now_ms);
}

void Notifier::StartAccountMail(store::OutboxRow row, int64_t now_ms) {
  const nlohmann::json payload = nlohmann::json::parse(row.payload, nullptr, false);
  mime::Mail mail;
  mail.from = mail_.from;
  mail.to = {row.recipient};
  mail.subject = payload.is_object() ? payload.value("subject", "Tocsin") : "Tocsin";
  mail.text = payload.is_object() ? payload.value("text", "") : "";
  // The writer's own HTML (the weekly summary's), or the text as HTML.
  mail.html = payload.is_object() ? payload.value("html", "") : "";
  if (mail.html.empty()) {
    mail.html =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><pre "
        "style=\"font-family:sans-serif;white-space:pre-wrap\">" +
        HtmlEscape(mail.text) + "</pre></body></html>";
  }
  // Headers the writer asks for (List-Unsubscribe); Render keeps each
  // value inside its header.
  if (payload.is_object() && payload.contains("headers") && payload["headers"].is_object()) {
    for (const auto& [name, value] : payload["headers"].items()) {
      if (value.is_string()) mail.extra_headers.emplace_back(name, value.get<std::string>());
    }
  }
  const std::string from = mime::AddressOf(mail_.from);
  mail.message_id =
      Hex(Sha256(row.dedup_key)).substr(0, 32) + "@" + from.substr(from.rfind('@') + 1);
  mail.date_unix = now_ms / 1000;
  const std::string to = row.recipient;
  Send({std::move(row)}, Request(MailRequest{from, {to}, mime::Render(mail)}), "",
       model::ChannelType::kEmail, now_ms);
}

void Notifier::Send(std::vector<store::OutboxRow> rows, Request request, const std::string& channel,
                    model::ChannelType type, int64_t now_ms) {
  std::vector<int64_t> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  const auto started_us = MonotonicMicros();
  if (std::holds_alternative<std::monostate>(request)) {
    Record(rows, true, 0, "", 0, 0, type);  // nothing to say to this kind of channel
    return;
  }
  auto* mail = std::get_if<MailRequest>(&request);
  if (mail != nullptr && !mail_.smtp) {
    auto path = WriteToMaildir(options_.maildir, mail->data);
    Record(rows, path.ok(), 0, path.ok() ? "" : path.error().message,
           MonotonicMicros() - started_us, 0, type);
    return;
  }

  // Claimed: no other pass takes these rows while they are in flight.
  const int64_t claim_until = now_ms + options_.request_timeout / 1000 + kClaimMarginMs;
  if (Status s = store_.Reschedule(ids, claim_until); !s.ok()) {
    spdlog::error("notify: cannot claim notifications, will retry: {}", s.error().message);
    return;
  }
  auto t = std::make_unique<Transfer>();
  t->rows = std::move(rows);
  t->channel = channel;
  t->type = type;
  t->started_us = started_us;
  CURL* e = curl_easy_init();
  if (e == nullptr) {
    Record(t->rows, false, 0, "curl_easy_init failed", 0, 0, type);
    return;
  }
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout / 1000));
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  if (auto* http = std::get_if<HttpRequest>(&request)) {
    t->policy = &policy_;
    t->body = std::move(http->body);
    for (const auto& h : http->headers) t->headers = curl_slist_append(t->headers, h.c_str());
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_URL, http->url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Tocsin/0.1 (notifier)");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
  } else {
    const SmtpSettings& smtp = *mail_.smtp;
    const std::string scheme = smtp.tls == SmtpSettings::Tls::kImplicit ? "smtps://" : "smtp://";
    const std::string url =
        scheme + (smtp.host.find(':') != std::string::npos ? "[" + smtp.host + "]" : smtp.host) +
        ":" + std::to_string(smtp.port);
    t->body = std::move(mail->data);
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (smtp.tls == SmtpSettings::Tls::kStartTls) {
      curl_easy_setopt(e, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    }
    if (!smtp.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, smtp.ca_file.c_str());
    if (!smtp.username.empty()) {
      curl_easy_setopt(e, CURLOPT_USERNAME, smtp.username.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, smtp.password.c_str());
    }
    const std::string from = "<" + mail->from + ">";
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
    for (const auto& to : mail->to) {
      t->recipients = curl_slist_append(t->recipients, ("<" + to + ">").c_str());
    }
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, t->recipients);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(e, CURLOPT_READDATA, t.get());
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  }
  curl_multi_add_handle(multi_, e);
  transfers_.emplace(e, std::move(t));
  in_flight_.store(transfers_.size(), std::memory_order_relaxed);
}

void Notifier::Finish(CURL* easy, CURLcode code) {
  auto it = transfers_.find(easy);
  if (it == transfers_.end()) return;
  std::unique_ptr<Transfer> t = std::move(it->second);
  transfers_.erase(it);
  in_flight_.store(transfers_.size(), std::memory_order_relaxed);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  int64_t retry_after = 0;
  if (curl_header* h = nullptr;
      curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
    // Seconds, or an HTTP date: a date is taken as "a minute", the bound
    // below protects against both being absurd.
    char* end = nullptr;
    const long long v = std::strtoll(h->value, &end, 10);
    retry_after = end != h->value && *end == '\0' ? v : 60;
    retry_after = std::clamp<int64_t>(retry_after, 0, kMaxRetryAfterS);
  }
  curl_multi_remove_handle(multi_, easy);
  curl_easy_cleanup(easy);
  const int64_t duration = MonotonicMicros() - t->started_us;
  const bool mail = t->type == model::ChannelType::kEmail;
  if (code == CURLE_OK && (mail || (status >= 200 && status < 300))) {
    Record(t->rows, true, static_cast<int>(status), "", duration, 0, t->type);
    return;
  }
  std::string error;
  if (!t->blocked.empty()) {
    error = "refused by the address policy: " + t->blocked;
  } else if (code != CURLE_OK) {
    error = curl_easy_strerror(code);
  } else {
    error = "HTTP " + std::to_string(status);
  }
  if (status == 410 && !mail) {
    auto channel = channels_.find(t->channel);
    if (channel != channels_.end()) {
      channel->second.disabled = true;
      const std::string reason = "its receiver answered 410 Gone";
      if (Status s =
              store_.DisableChannel(t->channel, channel->second.fingerprint, reason, NowMs());
          !s.ok()) {
        spdlog::error("notify: cannot record that channel '{}' is disabled: {}", t->channel,
                      s.error().message);
      }
      spdlog::error(
          "notify: channel '{}' disabled: {}; its notifications are dropped until its "
          "settings change",
          t->channel, reason);
    }
    for (auto& row : t->rows) row.expires_ms = 0;  // given up
  }
  Record(t->rows, false, static_cast<int>(status), error, duration, retry_after, t->type);
}

void Notifier::Record(const std::vector<store::OutboxRow>& rows, bool ok, int status,
                      const std::string& error, int64_t duration_us, int64_t retry_after_s,
                      model::ChannelType type) {
  const int64_t now = NowMs();
  const std::string kind(model::ChannelTypeName(type));
  std::vector<store::AttemptResult> results;
  for (const store::OutboxRow& row : rows) {
    store::AttemptResult a{row.id, now, ok, status, error, duration_us, 0};
    if (ok) {
      sent_.fetch_add(1, std::memory_order_relaxed);
      if (sent_by_kind_) sent_by_kind_->WithLabels({kind}).Increment();
      if (latency_) latency_->Observe(static_cast<double>(now - row.created_ms) / 1000.0);
    } else {
      failed_.fetch_add(1, std::memory_order_relaxed);
      if (failed_by_kind_) failed_by_kind_->WithLabels({kind}).Increment();
      // Exponential backoff from the attempts so far, with a little jitter
      // so that many rows failing together do not retry together.
      const int shift = std::min(row.attempts, 20);
      int64_t delay_ms =
          std::min<int64_t>(options_.max_retry / 1000, (options_.first_retry / 1000) << shift);
      delay_ms += static_cast<int64_t>(static_cast<uint8_t>(RandomBytes(1)[0])) * delay_ms / 1280;
      delay_ms = std::max(delay_ms, retry_after_s * 1000);
      const int64_t next = now + delay_ms;
      if (next < row.expires_ms) {
        a.next_attempt_ms = next;
        next_look_ms_ = std::min(next_look_ms_, next);
      } else {
        given_up_.fetch_add(1, std::memory_order_relaxed);
        if (given_up_by_kind_) given_up_by_kind_->WithLabels({kind}).Increment();
        spdlog::error("notify: gave up on notification {} to '{}' after {} attempts: {}",
                      row.dedup_key, row.channel, row.attempts + 1, error);
      }
    }
    results.push_back(std::move(a));
  }
  if (!ok && !rows.empty()) {
    spdlog::warn("notify: delivery to '{}' failed ({} notification{}): {}", rows[0].channel,
                 rows.size(), rows.size() == 1 ? "" : "s", error);
  }
  if (Status s = store_.RecordAttempts(results); !s.ok()) {
    // The rows stay claimed until their claim runs out, then go again.
    spdlog::error("notify: cannot record delivery attempts: {}", s.error().message);
  }
}

}  // namespace tocsin::notify
