// StatusPageStore over the SQLite database (status_pages, status_posts,
// status_updates, status_subscribers tables).
#pragma once

#include "store/sqlite/database.h"
#include "store/status_pages.h"

namespace tocsin::store::sqlite {

class SqliteStatusPages final : public StatusPageStore {
 public:
  explicit SqliteStatusPages(Database& db) : db_(db) {}

  Result<std::vector<StatusPageRecord>> Pages(
      const std::vector<model::WorkspaceId>& workspaces) override;
  Result<std::optional<StatusPageRecord>> GetPage(int64_t id) override;
  Result<std::optional<StatusPageRecord>> FindBySlug(const std::string& slug) override;
  Result<std::optional<StatusPageRecord>> FindByHost(const std::string& host) override;
  Result<StatusPageRecord> CreatePage(StatusPageRecord record) override;
  Status UpdatePage(const StatusPageRecord& record) override;
  Status DeletePage(int64_t id) override;

  Result<StatusPostRecord> CreatePost(StatusPostRecord post) override;
  Result<StatusUpdateRecord> AddUpdate(StatusUpdateRecord update) override;
  Result<std::vector<StatusPostRecord>> Posts(int64_t page, int64_t since_ms,
                                              size_t limit) override;

  Result<SubscriberRecord> PutSubscriber(SubscriberRecord record) override;
  Result<std::optional<SubscriberRecord>> FindSubscriber(const std::string& token_hash) override;
  Status ConfirmSubscriber(int64_t id, int64_t now_ms) override;
  Status DeleteSubscriber(int64_t id) override;
  Result<std::vector<SubscriberRecord>> Subscribers(int64_t page) override;

 private:
  Result<std::optional<StatusPageRecord>> FindOne(const std::string& where, int64_t id,
                                                  const std::string& text);
  Database& db_;
};

}  // namespace tocsin::store::sqlite
