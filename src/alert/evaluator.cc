#include "alert/evaluator.h"

#include <algorithm>
#include <climits>

namespace tocsin::alert {
namespace {

using model::Health;
using model::IncidentKind;
using model::NoticeEvent;

constexpr int64_t kDayMs = 86'400'000;
// Failing checks kept as an incident's confirmations, at most.
constexpr size_t kMaxStreak = 10;
// A location that has not reported for this many intervals no longer votes
// (it may be cut off itself), when there are others.
constexpr int64_t kStaleIntervals = 3;

std::optional<IncidentKind> KindOf(Health h) {
  if (h == Health::kDown) return IncidentKind::kDown;
  if (h == Health::kDegraded) return IncidentKind::kDegraded;
  return std::nullopt;
}

}  // namespace

Evaluator::Evaluator(IdSource next_id) : next_id_(std::move(next_id)) {}

const MonitorRules* Evaluator::RulesOf(model::MonitorId id) const {
  auto it = rules_.find(id);
  return it == rules_.end() ? nullptr : &it->second;
}

Effects Evaluator::SetRules(std::vector<MonitorRules> rules, int64_t now_ms) {
  rules_.clear();
  dependents_.clear();
  for (MonitorRules& r : rules) {
    if (r.depends_on != 0) dependents_[r.depends_on].push_back(r.id);
    const model::MonitorId id = r.id;
    rules_.emplace(id, std::move(r));
  }
  Effects out;
  for (auto it = states_.begin(); it != states_.end();) {
    auto rule = rules_.find(it->first);
    const bool gone = rule == rules_.end();
    if (gone || !rule->second.enabled) {
      // Removed or paused: its open incident ends quietly.
      MonitorState& s = it->second;
      if (s.incident) {
        s.incident->ended_ms = now_ms;
        out.incidents.push_back(*s.incident);
      }
      active_.erase(it->first);
      it = states_.erase(it);
      continue;
    }
    ++it;
  }
  return out;
}

void Evaluator::SetMaintenance(std::shared_ptr<const MaintenanceSchedule> schedule) {
  maintenance_ = std::move(schedule);
}

void Evaluator::Restore(std::vector<model::Incident> open) {
  for (model::Incident& incident : open) {
    MonitorState& s = states_[incident.monitor];
    s.health = incident.kind == IncidentKind::kDown ? Health::kDown : Health::kDegraded;
    // The local location still votes for the problem: recovery needs
    // success_threshold good checks, as before the restart.
    LocationState loc;
    loc.location = model::kLocalLocation;
    loc.down = incident.kind == IncidentKind::kDown;
    loc.slow = incident.kind == IncidentKind::kDegraded;
    s.locations = {loc};
    active_.insert(incident.monitor);
    s.incident = std::make_unique<model::Incident>(std::move(incident));
  }
}

const model::Incident* Evaluator::OpenIncident(int64_t incident_id) const {
  for (model::MonitorId id : active_) {
    const MonitorState& s = states_.at(id);
    if (s.incident && s.incident->id == incident_id) return &*s.incident;
  }
  return nullptr;
}

model::Health Evaluator::HealthOf(model::MonitorId id) const {
  auto it = states_.find(id);
  return it == states_.end() ? Health::kUnknown : it->second.health;
}

size_t Evaluator::open_incidents() const {
  size_t n = 0;
  for (model::MonitorId id : active_) {
    if (states_.at(id).incident) ++n;
  }
  return n;
}

Effects Evaluator::Observe(const model::CheckRecord& record, int64_t now_ms) {
  auto rule = rules_.find(record.monitor);
  if (rule == rules_.end() || !rule->second.enabled) return {};
  return Decide(rule->second, states_[record.monitor], record, now_ms);
}

Effects Evaluator::Decide(const MonitorRules& rules, MonitorState& s,
                          const model::CheckRecord& record, int64_t now_ms) {
  Effects out;
  const model::AlertPolicy& p = *rules.policy;

  // 1. This location's streaks and votes.
  auto loc_it = std::find_if(s.locations.begin(), s.locations.end(),
                             [&](const LocationState& l) { return l.location == record.location; });
  if (loc_it == s.locations.end()) {
    s.locations.push_back(LocationState{.location = record.location});
    loc_it = s.locations.end() - 1;
  }
  LocationState& loc = *loc_it;
  loc.last_ms = std::max(loc.last_ms, record.ts_ms);
  const bool ok = record.ok();
  const bool slow = ok && rules.slow_threshold > 0 && record.total_us > rules.slow_threshold;
  if (ok) {
    ++loc.oks;
    loc.fails = 0;
    if (slow) {
      ++loc.slows;
      loc.fasts = 0;
    } else {
      ++loc.fasts;
      loc.slows = 0;
    }
  } else {
    ++loc.fails;
    loc.oks = 0;
  }
  if (loc.fails >= p.failure_threshold) {
    loc.down = true;
  } else if (ok && (!loc.down.value_or(false) || loc.oks >= p.success_threshold)) {
    loc.down = false;
  }
  if (loc.slows >= p.failure_threshold) {
    loc.slow = true;
  } else if (loc.fasts >= p.success_threshold) {
    loc.slow = false;
  }
  if (!ok || slow) {
    if (s.streak.size() == kMaxStreak) s.streak.erase(s.streak.begin() + 1);  // keep the first
    s.streak.push_back(record);
  } else {
    s.streak.clear();
  }

  // 2. The certificate: a degradation of its own, and warnings at stages.
  CheckCertificate(rules, s, record, now_ms, out);

  // 3. The monitor's verdict from the locations that report.
  const int64_t stale_before = now_ms - kStaleIntervals * (rules.interval / 1000);
  int reporting = 0;
  int decided = 0;
  int down_votes = 0;
  int slow_votes = 0;
  for (const LocationState& l : s.locations) {
    if (s.locations.size() > 1 && l.last_ms < stale_before) continue;
    ++reporting;
    if (l.down.has_value()) ++decided;
    if (l.down.value_or(false)) ++down_votes;
    if (l.slow) ++slow_votes;
  }
  const int quorum = p.quorum > 0 ? std::min(p.quorum, reporting) : reporting / 2 + 1;
  Health next = s.health;
  if (down_votes >= quorum) {
    next = Health::kDown;
  } else if (decided > 0) {
    next = slow_votes >= quorum || s.cert_degraded ? Health::kDegraded : Health::kUp;
  }

  // 4. Confirm sooner: a failing check not yet confirmed, or a good one
  //    while a recovery is pending, asks for an early re-check.
  out.recheck = (!ok && loc.fails < p.failure_threshold) ||
                (ok && loc.down.value_or(false) && loc.oks < p.success_threshold);

  if (next != s.health) ChangeHealth(rules, s, next, record, now_ms, out);
  return out;
}

void Evaluator::CheckCertificate(const MonitorRules& rules, MonitorState& s,
                                 const model::CheckRecord& record, int64_t now_ms, Effects& out) {
  if (record.cert_not_after == 0) return;  // no certificate seen by this check
  const auto& stages = rules.policy->cert_warning_days;
  if (stages.empty()) return;
  if (record.cert_not_after != s.cert_not_after) {  // a new certificate
    s.cert_not_after = record.cert_not_after;
    s.cert_stage = INT_MAX;
  }
  const int64_t left_ms = record.cert_not_after * 1000 - now_ms;
  const int64_t days_left = left_ms >= 0 ? left_ms / kDayMs : -1;
  const int window = *std::max_element(stages.begin(), stages.end());
  s.cert_degraded = days_left < window;
  // The warning stage reached: the smallest stage at or above days_left.
  int stage = INT_MAX;
  for (int d : stages) {
    if (days_left <= d) stage = std::min(stage, d);
  }
  if (stage == INT_MAX || stage >= s.cert_stage) return;
  s.cert_stage = stage;
  if (rules.policy->level != model::AlertLevel::kAll) return;
  model::Notice n = MakeNotice(NoticeEvent::kCertWarning, rules, s, now_ms);
  n.check = record;
  n.sequence = stage;
  if (s.incident) n.incident_id = s.incident->id;
  out.notices.push_back(std::move(n));
}

bool Evaluator::LevelAllows(const MonitorRules& rules, IncidentKind kind) const {
  return kind == IncidentKind::kDown || rules.policy->level != model::AlertLevel::kDown;
}

bool Evaluator::HeldNow(const MonitorRules& rules, const MonitorState& s, int64_t now_ms) const {
  if (s.flapping) return true;
  if (maintenance_ && maintenance_->Covers(rules.id, now_ms)) return true;
  if (rules.depends_on != 0) {
    auto parent = states_.find(rules.depends_on);
    if (parent != states_.end()) {
      if (parent->second.health == Health::kDown) return true;
      // The parent failing but not yet confirmed: the same outage, most
      // likely; its verdict decides.
      for (const LocationState& l : parent->second.locations) {
        if (l.fails > 0) return true;
      }
    }
  }
  return false;
}

std::vector<model::MonitorId> Evaluator::HeldDependents(model::MonitorId parent) const {
  std::vector<model::MonitorId> out;
  auto it = dependents_.find(parent);
  if (it == dependents_.end()) return out;
  for (model::MonitorId child : it->second) {
    auto s = states_.find(child);
    if (s != states_.end() && s->second.incident && s->second.incident->held &&
        s->second.incident->kind == IncidentKind::kDown) {
      out.push_back(child);
    }
  }
  return out;
}

model::Notice Evaluator::MakeNotice(NoticeEvent event, const MonitorRules& rules,
                                    const MonitorState& s, int64_t now_ms) const {
  model::Notice n;
  n.event = event;
  n.monitor = rules.id;
  n.health = s.health;
  n.at_ms = now_ms;
  n.channels = rules.policy->notify;
  if (s.incident) {
    const model::Incident& inc = *s.incident;
    n.incident_id = inc.id;
    n.kind = inc.kind;
    n.since_ms = inc.started_ms;
    n.check = inc.cause;
    n.acked_by = inc.acked_by;
    if (inc.escalated) {
      for (const auto& c : rules.policy->escalate_to) {
        if (std::find(n.channels.begin(), n.channels.end(), c) == n.channels.end()) {
          n.channels.push_back(c);
        }
      }
    }
    if (inc.kind == IncidentKind::kDown) n.also_affected = HeldDependents(rules.id);
  }
  return n;
}

void Evaluator::ChangeHealth(const MonitorRules& rules, MonitorState& s, Health to,
                             const model::CheckRecord& record, int64_t now_ms, Effects& out) {
  const Health from = s.health;
  const model::AlertPolicy& p = *rules.policy;
  if (from != Health::kUnknown) {
    s.changes.push_back(now_ms);
    const int64_t since = now_ms - p.flap_window / 1000;
    s.changes.erase(s.changes.begin(), std::find_if(s.changes.begin(), s.changes.end(),
                                                    [since](int64_t t) { return t >= since; }));
    if (!s.flapping && static_cast<int>(s.changes.size()) > p.flap_changes) {
      s.flapping = true;
      active_.insert(rules.id);
      s.health = to;
      model::Notice n = MakeNotice(NoticeEvent::kFlapping, rules, s, now_ms);
      n.check = record;
      n.sequence = static_cast<int>(s.changes.size());
      out.notices.push_back(std::move(n));
    }
  }
  s.health = to;
  const std::optional<IncidentKind> kind = KindOf(to);

  if (s.incident && kind != s.incident->kind) {
    // Recovered, or changed kind: this incident ends. Going from degraded
    // to down says nothing of the degradation: the outage notice follows.
    const bool notify = s.incident->announced && p.recovery && to != Health::kDown && !s.flapping;
    Close(s, &record, now_ms, notify, rules, out);
  }
  if (kind && !s.incident) {
    model::Incident inc;
    inc.id = next_id_();
    inc.monitor = rules.id;
    inc.kind = *kind;
    inc.cause = s.streak.empty() ? record : s.streak.front();
    inc.started_ms = inc.cause.ts_ms;
    inc.confirmed_ms = record.ts_ms;
    const size_t n = std::min<size_t>(s.streak.size(), static_cast<size_t>(p.failure_threshold));
    inc.confirmations.assign(s.streak.end() - static_cast<ptrdiff_t>(n), s.streak.end());
    if (inc.confirmations.empty()) inc.confirmations.push_back(record);  // a certificate verdict
    inc.held = HeldNow(rules, s, now_ms);
    s.incident = std::make_unique<model::Incident>(inc);
    if (!inc.held && LevelAllows(rules, inc.kind)) {
      s.incident->announced = true;
      model::Notice notice = MakeNotice(NoticeEvent::kOpened, rules, s, now_ms);
      notice.check = record;
      out.notices.push_back(std::move(notice));
    }
    active_.insert(rules.id);
    out.incidents.push_back(*s.incident);
  }
  if (!s.incident && !s.flapping) active_.erase(rules.id);
}

void Evaluator::Close(MonitorState& s, const model::CheckRecord* record, int64_t now_ms,
                      bool notify, const MonitorRules& rules, Effects& out) {
  s.incident->ended_ms = record != nullptr ? record->ts_ms : now_ms;
  if (notify) {
    model::Notice n = MakeNotice(NoticeEvent::kResolved, rules, s, now_ms);
    if (record != nullptr) n.check = *record;
    out.notices.push_back(std::move(n));
  }
  out.incidents.push_back(*s.incident);
  s.incident.reset();
}

Effects Evaluator::Tick(int64_t now_ms) {
  Effects out;
  std::vector<model::MonitorId> done;
  for (model::MonitorId id : active_) {
    auto rule = rules_.find(id);
    MonitorState& s = states_[id];
    if (rule == rules_.end()) continue;
    const MonitorRules& rules = rule->second;
    const model::AlertPolicy& p = *rules.policy;

    if (s.flapping && (s.changes.empty() || s.changes.back() < now_ms - p.flap_window / 1000)) {
      s.flapping = false;
      s.changes.clear();
      model::Notice n = MakeNotice(NoticeEvent::kSettled, rules, s, now_ms);
      if (s.incident && !s.incident->held) s.incident->announced = true;  // this said it
      out.notices.push_back(std::move(n));
      if (s.incident) out.incidents.push_back(*s.incident);
    }
    if (!s.incident) {
      if (!s.flapping) done.push_back(id);
      continue;
    }
    model::Incident& inc = *s.incident;
    bool changed = false;
    const bool held = HeldNow(rules, s, now_ms);
    if (inc.held != held) {
      inc.held = held;
      changed = true;
      if (!held && !inc.announced && LevelAllows(rules, inc.kind)) {
        inc.announced = true;  // the hold lifted and the problem is still there
        out.notices.push_back(MakeNotice(NoticeEvent::kOpened, rules, s, now_ms));
      }
    }
    if (inc.announced && !inc.held && inc.acked_ms == 0) {
      if (p.remind_every > 0) {
        const int64_t every_ms = p.remind_every / 1000;
        const int due = static_cast<int>((now_ms - inc.confirmed_ms) / every_ms);
        if (due > inc.reminders) {
          // One reminder however many were missed (a server that was down
          // does not send a burst).
          inc.reminders = due;
          model::Notice n = MakeNotice(NoticeEvent::kReminder, rules, s, now_ms);
          n.sequence = due;
          out.notices.push_back(std::move(n));
          changed = true;
        }
      }
      if (p.escalate_after > 0 && !inc.escalated &&
          now_ms >= inc.confirmed_ms + p.escalate_after / 1000) {
        inc.escalated = true;
        out.notices.push_back(MakeNotice(NoticeEvent::kEscalated, rules, s, now_ms));
        changed = true;
      }
    }
    if (changed) out.incidents.push_back(inc);
  }
  for (model::MonitorId id : done) active_.erase(id);
  return out;
}

Result<Effects> Evaluator::Acknowledge(int64_t incident_id, std::string_view by, int64_t now_ms) {
  for (model::MonitorId id : active_) {
    MonitorState& s = states_[id];
    if (!s.incident || s.incident->id != incident_id) continue;
    Effects out;
    model::Incident& inc = *s.incident;
    if (inc.acked_ms != 0) return out;  // the first acknowledgement stands
    inc.acked_ms = now_ms;
    inc.acked_by = std::string(by);
    out.incidents.push_back(inc);
    auto rule = rules_.find(id);
    if (rule != rules_.end() && inc.announced) {
      out.notices.push_back(MakeNotice(NoticeEvent::kAcknowledged, rule->second, s, now_ms));
    }
    return out;
  }
  return NotFound("no open incident " + std::to_string(incident_id));
}

}  // namespace tocsin::alert
