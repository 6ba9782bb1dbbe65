// The notifier: delivers the outbox on a thread of its own, every channel
// at once (libcurl's multi interface: one slow SMTP server or hanging
// webhook delays nothing else), never touching the probe or the recorder.
//
// Delivery is at least once: a row is claimed (its next attempt moved past
// the request timeout) before it is sent and marked delivered after; a
// process killed in between sends it again after restart, with the same
// dedup key (webhook-id, Message-ID, PagerDuty dedup_key) so receivers can
// drop the repeat. Failures are retried with exponential backoff (and
// Retry-After) until the row's maximum age; every attempt is recorded. A
// channel whose receiver answers 410 Gone is disabled and says so.
//
// Grouping: the first notice for a person-read channel goes at once; what
// comes for that channel in the next group_window goes as one message.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "model/alerting.h"
#include "net/address_policy.h"
#include "notify/provider.h"
#include "store/alerts.h"

namespace tocsin::notify {

struct SmtpSettings {
  enum class Tls : uint8_t { kStartTls, kImplicit, kNone };
  std::string host;
  uint16_t port = 587;
  Tls tls = Tls::kStartTls;
  std::string username;
  std::string password;
  std::string ca_file;  // PEM CAs trusted instead of the system's
};

// Where mail goes and from whom: an SMTP server, or (none) the maildir.
struct MailSettings {
  std::optional<SmtpSettings> smtp;
  std::string from = "Tocsin <tocsin@localhost>";
};

struct NotifierOptions {
  std::optional<SmtpSettings> smtp;  // unset: mail goes to `maildir`
  std::string maildir;
  std::string mail_from = "Tocsin <tocsin@localhost>";
  std::string public_url = "http://127.0.0.1:8080";  // links in messages
  std::string ack_key;                               // signs acknowledgement links
  Micros group_window = 30'000'000;
  Micros request_timeout = 15'000'000;
  Micros first_retry = 5'000'000;
  Micros max_retry = 600'000'000;
  size_t max_in_flight = 64;
  size_t batch = 2'000;                      // rows read from the outbox at a time
  size_t max_group_items = 25;               // notices told in full in one grouped message
  net::AddressPolicyOptions address_policy;  // webhooks are user input too
};

class Notifier {
 public:
  static Result<std::unique_ptr<Notifier>> Start(store::AlertStore& store, NotifierOptions options,
                                                 core::Registry* metrics = nullptr);
  ~Notifier();  // stops
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // The channels rows are addressed to, by name. Thread-safe.
  void SetChannels(std::vector<model::Channel> channels);
  // Mail from now on goes this way (an administrator set SMTP while the
  // server runs). Thread-safe; deliveries in flight finish the old way.
  void SetMail(MailSettings mail);
  // New rows were committed: look now rather than at the next poll.
  void Wake();
  // Lets deliveries in flight finish (each bounded by the request timeout),
  // records them and joins. Idempotent.
  void Stop();

  struct Stats {
    uint64_t sent = 0;
    uint64_t failed_attempts = 0;
    uint64_t given_up = 0;
    size_t in_flight = 0;
  };
  Stats stats() const;

 public:
  struct Transfer;  // one delivery in flight (notifier.cc)

 private:
  struct ChannelState {
    model::Channel channel;
    std::string fingerprint;
    int64_t group_until_ms = 0;
    bool disabled = false;
  };

  explicit Notifier(store::AlertStore& store, NotifierOptions options);
  void RegisterMetrics(core::Registry& metrics);
  void Run();
  void Plan(int64_t now_ms);
  void StartDelivery(ChannelState& channel, std::vector<store::OutboxRow> rows, int64_t now_ms);
  // Mail about an account (confirmation, reset, ...): the row says to whom
  // and what.
  void StartAccountMail(store::OutboxRow row, int64_t now_ms);
  // Sends one request for `rows` (SMTP, the Maildir, or HTTP), or records
  // them delivered at once when the request is empty.
  void Send(std::vector<store::OutboxRow> rows, Request request, const std::string& channel,
            model::ChannelType type, int64_t now_ms);
  void Finish(CURL* easy, CURLcode code);
  void Record(const std::vector<store::OutboxRow>& rows, bool ok, int status,
              const std::string& error, int64_t duration_us, int64_t retry_after_s,
              model::ChannelType type);
  void ApplyChannels();
  void ApplyMail();
  void UpdatePendingGauges(int64_t now_ms);

  store::AlertStore& store_;
  const NotifierOptions options_;
  const net::AddressPolicy policy_;
  CURLM* multi_ = nullptr;

  std::mutex mu_;
  std::optional<std::vector<model::Channel>> pending_channels_;  // guarded by mu_
  std::optional<MailSettings> pending_mail_;                     // guarded by mu_
  bool stopping_ = false;                                        // guarded by mu_
  std::atomic<bool> woken_{true};

  // Notifier thread only.
  MailSettings mail_;
  std::map<std::string, ChannelState> channels_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  int64_t next_look_ms_ = 0;
  int64_t next_gauges_ms_ = 0;

  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> given_up_{0};
  std::atomic<size_t> in_flight_{0};
  core::CounterFamily* sent_by_kind_ = nullptr;
  core::CounterFamily* failed_by_kind_ = nullptr;
  core::CounterFamily* given_up_by_kind_ = nullptr;
  core::GaugeFamily* pending_by_kind_ = nullptr;
  core::Histogram* latency_ = nullptr;
  std::thread thread_;
};

}  // namespace tocsin::notify
