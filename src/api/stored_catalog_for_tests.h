// For tests of the API: the app's monitor catalog without a scheduler. It
// stores through the real store and lists what it stored; a URL that is not
// http(s) is refused by field, as the app's probe-backed validation does.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/monitors.h"
#include "api/views.h"
#include "store/store.h"

namespace tocsin::api {

class StoredCatalog final : public MonitorCatalog {
 public:
  explicit StoredCatalog(store::Store& store) : store_(store) {}
  MonitorList Snapshot() const override {
    auto list = std::make_shared<std::vector<model::Monitor>>();
    auto all = store_.monitors().ListMonitors();
    for (const auto& r : *all) {
      model::Monitor m{r.id, r.workspace, r.name, r.owner, r.url, r.interval, 0, r.enabled};
      const nlohmann::json settings = nlohmann::json::parse(r.settings_json, nullptr, false);
      if (settings.is_object()) m.tags = TagsOf(settings);
      m.depends_on = DependsOn(settings);
      list->push_back(std::move(m));
    }
    return list;
  }
  Result<store::MonitorRecord> Create(store::MonitorRecord record) override {
    if (Status s = Validate(record); !s.ok()) return s.error();
    return store_.monitors().CreateMonitor(std::move(record));
  }
  Result<store::MonitorRecord> Update(store::MonitorRecord record) override {
    if (Status s = Validate(record); !s.ok()) return s.error();
    if (Status s = store_.monitors().UpdateMonitor(record); !s.ok()) return s.error();
    return record;
  }
  Status Delete(model::MonitorId id) override { return store_.monitors().DeleteMonitor(id); }
  nlohmann::json DisplayOptions(const store::MonitorRecord& record) const override {
    auto j = nlohmann::json::parse(record.options_json);
    j.erase("url");
    return j;
  }
  Status SettingsChanged() override {
    ++settings_changes;
    return {};
  }
  Status Send(store::OutboxRow row) override {
    return store_.alerts().Apply({}, std::span<const store::OutboxRow>(&row, 1));
  }

  // No probe here (api/ never sees it): a validated record "answers" a
  // fixed result, enough to see the route's validation and its answer.
  Result<model::CheckRecord> CheckNow(const store::MonitorRecord& record) override {
    if (Status s = Validate(record); !s.ok()) return s.error();
    model::CheckRecord r;
    r.ts_ms = 1;
    r.status = 200;
    r.ip = "192.0.2.7";
    r.total_us = 1'234;
    return r;
  }

  int settings_changes = 0;

 private:
  // The app checks URLs with the probe's parser; enough here to see the
  // error reach the caller.
  static Status Validate(const store::MonitorRecord& r) {
    if (!r.url.starts_with("http://") && !r.url.starts_with("https://")) {
      return InvalidField("url", "not an http(s) URL");
    }
    return {};
  }
  store::Store& store_;
};

}  // namespace tocsin::api
