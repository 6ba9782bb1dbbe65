// The status pages aggregate: public pages users publish for a chosen group
// of their monitors, the incident posts and updates they write on them,
// and the visitors who subscribe by email. A page's settings are JSON in
// the API's own format (title, monitors, what to show); the store keeps
// slugs and host names unique and knows nothing else of what they mean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/ids.h"

namespace tocsin::store {

struct StatusPageRecord {
  int64_t id = 0;
  model::WorkspaceId workspace = 0;
  std::string slug;  // unique: /status/{slug}
  std::string host;  // "" or unique: the page answers at this host name's /
  std::string settings_json = "{}";
  int64_t created_ms = 0;
};

struct StatusUpdateRecord {
  int64_t id = 0;
  int64_t post = 0;
  std::string state;  // investigating, identified, monitoring, resolved
  std::string message;
  int64_t created_ms = 0;
};

struct StatusPostRecord {
  int64_t id = 0;
  int64_t page = 0;
  std::string title;
  int64_t created_ms = 0;
  std::vector<StatusUpdateRecord> updates;  // oldest first
};

struct SubscriberRecord {
  int64_t id = 0;
  int64_t page = 0;
  std::string email;
  std::string token_hash;    // SHA-256 hex of the secret in its links
  int64_t confirmed_ms = 0;  // 0 until the address confirmed (double opt-in)
  int64_t created_ms = 0;
};

class StatusPageStore {
 public:
  virtual ~StatusPageStore() = default;

  // Pages of these workspaces, by id.
  virtual Result<std::vector<StatusPageRecord>> Pages(
      const std::vector<model::WorkspaceId>& workspaces) = 0;
  virtual Result<std::optional<StatusPageRecord>> GetPage(int64_t id) = 0;
  virtual Result<std::optional<StatusPageRecord>> FindBySlug(const std::string& slug) = 0;
  virtual Result<std::optional<StatusPageRecord>> FindByHost(const std::string& host) = 0;
  // InvalidField("slug") or ("host") when another page has it.
  virtual Result<StatusPageRecord> CreatePage(StatusPageRecord record) = 0;
  virtual Status UpdatePage(const StatusPageRecord& record) = 0;
  // The page with its posts, updates and subscribers.
  virtual Status DeletePage(int64_t id) = 0;

  // A post and its first update, in one transaction.
  virtual Result<StatusPostRecord> CreatePost(StatusPostRecord post) = 0;
  virtual Result<StatusUpdateRecord> AddUpdate(StatusUpdateRecord update) = 0;
  // The page's posts created at or after since_ms, newest first, with
  // their updates.
  virtual Result<std::vector<StatusPostRecord>> Posts(int64_t page, int64_t since_ms,
                                                      size_t limit) = 0;

  // A subscriber (pending); an address already subscribed keeps its row
  // and gets the new token (a second request re-sends the confirmation).
  virtual Result<SubscriberRecord> PutSubscriber(SubscriberRecord record) = 0;
  virtual Result<std::optional<SubscriberRecord>> FindSubscriber(const std::string& token_hash) = 0;
  virtual Status ConfirmSubscriber(int64_t id, int64_t now_ms) = 0;
  virtual Status DeleteSubscriber(int64_t id) = 0;
  // Confirmed subscribers of a page.
  virtual Result<std::vector<SubscriberRecord>> Subscribers(int64_t page) = 0;
};

}  // namespace tocsin::store
