// The alerting model: how a monitor's problems turn into notifications
// (AlertPolicy), where they go (Channel), and when they are held
// (MaintenanceWindow). One model whatever the source: the YAML file today,
// each user's settings through the API next.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "model/ids.h"

namespace tocsin::model {

// Which problems notify: confirmed outages only; outages and degradations
// (slow, certificate expiring within the warning window); or everything,
// including each certificate warning (14, 7, 3, 1 days before expiry).
enum class AlertLevel : uint8_t { kDown = 0, kDegraded = 1, kAll = 2 };
std::string_view AlertLevelName(AlertLevel level);

inline constexpr Micros kMinute = 60'000'000;

// Every field is a key of alert/policy_keys.cc's table: the YAML file and
// the API set them through it, and the catalog shares equal policies by
// their keys' values. A field outside the table would be merged away.
struct AlertPolicy {
  int failure_threshold = 2;  // consecutive failed checks before "down"
  int success_threshold = 2;  // consecutive good checks before "recovered"
  AlertLevel level = AlertLevel::kDown;
  Micros remind_every = 0;          // 0: never; else a reminder this often while unacknowledged
  bool recovery = true;             // send a message when the problem ends
  std::vector<std::string> notify;  // channel names
  Micros escalate_after = 0;        // 0: never; else notify escalate_to when unacknowledged
  std::vector<std::string> escalate_to;
  // Flapping: more than flap_changes health changes within flap_window.
  int flap_changes = 5;
  Micros flap_window = 30 * kMinute;
  // Days before a certificate's expiry at which a warning goes out (level
  // all); the first is also the start of "degraded".
  std::vector<int> cert_warning_days = {14, 7, 3, 1};
  // Locations that must agree before "down" (of those reporting): 0 means a
  // majority.
  int quorum = 0;
  // How soon a failing (or recovering) check is confirmed by an extra run.
  Micros recheck_after = 5'000'000;
};

// A policy shared by the monitors that use the same one (most use their
// workspace's or the file's defaults): 100,000 monitors need not hold
// 100,000 copies of its lists. Read through -> and *; Mutable() copies it
// first when others share it.
class SharedPolicy {
 public:
  SharedPolicy() : p_(std::make_shared<const AlertPolicy>()) {}
  SharedPolicy(AlertPolicy policy)  // NOLINT(google-explicit-constructor): a policy is one
      : p_(std::make_shared<const AlertPolicy>(std::move(policy))) {}
  explicit SharedPolicy(std::shared_ptr<const AlertPolicy> p) : p_(std::move(p)) {}

  const AlertPolicy* operator->() const { return p_.get(); }
  const AlertPolicy& operator*() const { return *p_; }
  AlertPolicy& Mutable() {
    auto copy = std::make_shared<AlertPolicy>(*p_);
    AlertPolicy& out = *copy;
    p_ = std::move(copy);
    return out;
  }
  bool SameAs(const SharedPolicy& other) const { return p_ == other.p_; }

 private:
  std::shared_ptr<const AlertPolicy> p_;
};

enum class ChannelType : uint8_t {
  kEmail,
  kWebhook,
  kSlack,
  kDiscord,
  kTeams,
  kPagerDuty,
  kNtfy,
  kTelegram,
};
std::string_view ChannelTypeName(ChannelType type);
bool ChannelTypeFromName(std::string_view name, ChannelType* type);

// A notification channel, named once and referred to by name. Which fields
// a type uses (and requires) is the notify module's business.
// The channel that mails a user's alerts to their address is named this,
// then the user's id; config files cannot take these names.
inline constexpr std::string_view kUserChannelPrefix = "user:";
// Channels users make through the API are named to the notifier this, then
// the channel's id (their own names are unique only in their workspace).
inline constexpr std::string_view kWorkspaceChannelPrefix = "channel:";

struct Channel {
  std::string name;
  ChannelType type = ChannelType::kEmail;
  std::vector<std::string> to;  // email: recipients
  std::string url;              // webhook, slack, discord, teams, ntfy (topic URL); pagerduty and
                                // telegram: their API base, to point them at a proxy
  std::string secret;           // webhook: the Standard Webhooks signing secret ("whsec_...")
  std::string routing_key;      // pagerduty
  std::string token;            // telegram: bot token; ntfy: access token
  std::string chat_id;          // telegram
};

// When alerts are held: checks go on, results are marked, notifications wait.
struct MaintenanceWindow {
  enum class Repeat : uint8_t { kOnce, kWeekly, kMonthly };
  std::string name;
  std::vector<MonitorId> monitors;  // empty: every monitor
  Repeat repeat = Repeat::kOnce;
  std::string time_zone = "UTC";  // IANA name, e.g. "Europe/Paris"
  // kOnce: the local start date and time. kWeekly/kMonthly: the local time of
  // day the window opens on each matching day.
  int64_t start_local_s = 0;  // kOnce: local seconds since the epoch; else seconds of day
  Micros duration = 0;
  uint8_t weekdays = 0;     // kWeekly: bit 0 = Monday ... bit 6 = Sunday
  uint32_t month_days = 0;  // kMonthly: bit d = day d of the month (1..31)
};

}  // namespace tocsin::model
