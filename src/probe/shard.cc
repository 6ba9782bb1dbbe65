#include "probe/shard.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/duration.h"

namespace tocsin::probe {
namespace {

constexpr int kMaxEventsPerWait = 512;
// Upper bound on one epoll wait, so a lost wake-up costs at most this.
constexpr int kMaxWaitMs = 1000;

uint64_t PackEpollData(uint32_t tag, int fd) {
  return (uint64_t{tag} << 32) | static_cast<uint32_t>(fd);
}

net::Family FamilyFor(IpVersion v) {
  switch (v) {
    case IpVersion::kV4:
      return net::Family::kV4;
    case IpVersion::kV6:
      return net::Family::kV6;
    case IpVersion::kAuto:
      break;
  }
  return net::Family::kAny;
}

}  // namespace

Shard::Shard(const EngineOptions& options, ResultSink sink)
    : options_(options), policy_(options.address_policy), sink_(std::move(sink)) {}

Result<std::unique_ptr<Shard>> Shard::Create(const EngineOptions& options, ResultSink sink) {
  std::unique_ptr<Shard> shard(new Shard(options, std::move(sink)));
  if (Status s = shard->Init(); !s.ok()) return s.error();
  shard->thread_ = std::thread([s = shard.get()] { s->Run(); });
  return shard;
}

Status Shard::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  Watch(kWakeTag, wake_fd_, EPOLLIN);

  if (Status s = GlobalInitCurl(); !s.ok()) return s;
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return Internal("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Shard::CurlSocketCallback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Shard::CurlTimerCallback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);

  auto resolver = net::Resolver::Create(
      options_.resolver,
      [this](int fd, bool readable, bool writable) {
        if (!readable && !writable) {
          Unwatch(fd);
        } else {
          Watch(kAresTag, fd, (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u));
        }
      },
      [this](uint64_t id, const net::DnsAnswer& answer) { OnResolved(id, answer); });
  if (!resolver.ok()) return resolver.error();
  resolver_ = std::move(*resolver);
  return {};
}

Shard::~Shard() {
  Stop();
  for (auto& [id, t] : transfers_) {
    if (t->easy != nullptr) {
      curl_multi_remove_handle(multi_, t->easy);
      curl_easy_cleanup(t->easy);
    }
  }
  transfers_.clear();
  for (CURL* e : easy_pool_) curl_easy_cleanup(e);
  resolver_.reset();  // before the epoll fd: c-ares reports its sockets closing
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool Shard::Submit(std::shared_ptr<const PreparedCheck> check, model::JobId job) {
  bool wake = false;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_.load(std::memory_order_relaxed) ||
        queue_.size() >= options_.queue_capacity_per_shard) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    wake = queue_.empty();
    queue_.push_back(Job{std::move(check), job});
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
  submitted_.fetch_add(1, std::memory_order_relaxed);
  if (wake) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  }
  return true;
}

void Shard::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_.store(true);
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

void Shard::AddStats(EngineStats* s) const {
  s->submitted += submitted_.load(std::memory_order_relaxed);
  s->rejected += rejected_.load(std::memory_order_relaxed);
  s->completed += completed_.load(std::memory_order_relaxed);
  for (int i = 0; i < kOutcomeCount; ++i) {
    s->by_outcome[i] += by_outcome_[i].load(std::memory_order_relaxed);
  }
  s->in_flight += in_flight_.load(std::memory_order_relaxed);
  s->queued += queued_.load(std::memory_order_relaxed);
  s->dns_queries += dns_queries_.load(std::memory_order_relaxed);
  s->dns_cache_hits += dns_cache_hits_.load(std::memory_order_relaxed);
}

void Shard::Run() {
  epoll_event events[kMaxEventsPerWait];
  while (true) {
    const int n = epoll_wait(epoll_fd_, events, kMaxEventsPerWait, NextTimeoutMs());
    for (int i = 0; i < n; ++i) {
      Dispatch(static_cast<uint32_t>(events[i].data.u64 >> 32),
               static_cast<int>(events[i].data.u64 & 0xffffffffu), events[i].events);
    }
    HandleTimers();
    resolver_->DeliverReady();
    DrainCompletions();
    AdmitQueued();
    const auto& rs = resolver_->stats();
    dns_queries_.store(rs.queries, std::memory_order_relaxed);
    dns_cache_hits_.store(rs.cache_hits, std::memory_order_relaxed);
    if (stopping_.load(std::memory_order_relaxed) && transfers_.empty()) {
      std::lock_guard lock(queue_mu_);
      if (queue_.empty()) break;
    }
  }
}

int Shard::NextTimeoutMs() {
  if (resolver_->HasReady()) return 0;
  int timeout = kMaxWaitMs;
  const Micros now = MonotonicMicros();
  auto consider = [&](Micros deadline) {
    if (deadline < 0) return;
    const Micros ms = deadline <= now ? 0 : (deadline - now + 999) / 1000;
    timeout = static_cast<int>(std::min<Micros>(timeout, ms));
  };
  consider(curl_deadline_);
  if (!deadlines_.empty()) consider(deadlines_.top().first);
  const int dns = resolver_->NextTimeoutMs();
  if (dns >= 0) timeout = std::min(timeout, dns);
  return timeout;
}

void Shard::Dispatch(uint32_t tag, int fd, uint32_t events) {
  switch (tag) {
    case kWakeTag: {
      uint64_t value = 0;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &value, sizeof(value));
      break;
    }
    case kCurlTag: {
      int flags = 0;
      if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) flags |= CURL_CSELECT_IN;
      if (events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (events & EPOLLERR) flags |= CURL_CSELECT_ERR;
      int running = 0;
      curl_multi_socket_action(multi_, fd, flags, &running);
      break;
    }
    case kAresTag:
      resolver_->ProcessFd(fd, (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0,
                           (events & EPOLLOUT) != 0);
      break;
    default:
      break;
  }
}

void Shard::HandleTimers() {
  const Micros now = MonotonicMicros();
  if (curl_deadline_ >= 0 && curl_deadline_ <= now) {
    curl_deadline_ = -1;
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  resolver_->ProcessTimeouts();
  while (!deadlines_.empty() && deadlines_.top().first <= now) {
    const uint64_t id = deadlines_.top().second;
    deadlines_.pop();
    auto it = transfers_.find(id);
    // A running transfer's deadline is curl's to enforce.
    if (it == transfers_.end() || it->second->state != Transfer::State::kResolving) continue;
    Transfer& t = *it->second;
    t.dns_us = now - t.hop_start;
    FailCheck(t, Outcome::kDnsError,
              "DNS timeout: no answer for " + t.url.host + " within the check's timeout (" +
                  FormatMillis(t.dns_us) + ")");
    Finish(t);
  }
}

void Shard::AdmitQueued() {
  std::vector<Job> jobs;
  {
    std::lock_guard lock(queue_mu_);
    const size_t room = options_.max_in_flight_per_shard > transfers_.size()
                            ? options_.max_in_flight_per_shard - transfers_.size()
                            : 0;
    const size_t take = std::min(room, queue_.size());
    jobs.reserve(take);
    for (size_t i = 0; i < take; ++i) {
      jobs.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
  for (Job& job : jobs) StartCheck(std::move(job));
}

void Shard::StartCheck(Job job) {
  auto owned = std::make_unique<Transfer>();
  Transfer& t = *owned;
  t.id = next_id_++;
  t.check = std::move(job.check);
  t.policy = &policy_;
  t.result.job = job.job;
  t.result.started_at = UnixMicros();
  t.check_start = MonotonicMicros();
  t.deadline = t.check_start + t.check->spec().timeout;
  t.url = t.check->url();
  t.method = t.check->spec().method;
  transfers_.emplace(t.id, std::move(owned));
  in_flight_.store(transfers_.size(), std::memory_order_relaxed);
  deadlines_.emplace(t.deadline, t.id);
  BeginHop(t);
}

void Shard::BeginHop(Transfer& t) {
  t.state = Transfer::State::kResolving;
  t.hop_start = MonotonicMicros();
  t.dns_us = 0;
  t.dns_cached = false;
  t.ip = {};
  t.visited.push_back(t.url.normalized);
  if (t.url.literal) {
    UseAddresses(t, {*t.url.literal});
    return;
  }
  resolver_->Lookup(t.url.host, FamilyFor(t.check->spec().ip_version), t.id);
}

void Shard::OnResolved(uint64_t id, const net::DnsAnswer& answer) {
  auto it = transfers_.find(id);
  if (it == transfers_.end() || it->second->state != Transfer::State::kResolving) return;
  Transfer& t = *it->second;
  t.dns_us = MonotonicMicros() - t.hop_start;
  t.dns_cached = answer.cached;
  if (!answer.ok) {
    FailCheck(t, Outcome::kDnsError, t.url.host + ": " + answer.error);
    Finish(t);
    return;
  }
  UseAddresses(t, answer.addresses);
}

void Shard::UseAddresses(Transfer& t, const std::vector<net::IpAddress>& addresses) {
  // Prefer IPv4 when both families answered (IPv6 reachability varies by
  // probe location; a stable choice keeps measurements comparable).
  const IpVersion want = t.check->spec().ip_version;
  std::vector<const net::IpAddress*> candidates;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& a : addresses) {
      const bool v4_pass = pass == 0;
      if (a.is_v4() != v4_pass) continue;
      if ((want == IpVersion::kV4 && !a.is_v4()) || (want == IpVersion::kV6 && !a.is_v6())) {
        continue;
      }
      candidates.push_back(&a);
    }
  }
  if (candidates.empty()) {
    FailCheck(t, Outcome::kDnsError,
              t.url.host + " has no IPv" + (want == IpVersion::kV6 ? "6" : "4") + " address");
    Finish(t);
    return;
  }
  std::string first_refusal;
  for (const net::IpAddress* a : candidates) {
    Status s = policy_.Check(*a);
    if (s.ok()) {
      t.ip = *a;
      StartTransfer(t);
      return;
    }
    if (first_refusal.empty()) first_refusal = s.error().message;
  }
  t.ip = *candidates.front();
  FailCheck(t, Outcome::kBlockedAddress, t.url.host + ": " + first_refusal);
  Finish(t);
}

void Shard::StartTransfer(Transfer& t) {
  t.easy = AcquireEasy();
  t.body_bytes = 0;
  t.header_bytes = 0;
  t.body.clear();
  t.abort = Transfer::Abort::kNone;
  t.error[0] = '\0';
  if (t.easy == nullptr || !ConfigureEasy(t) || curl_multi_add_handle(multi_, t.easy) != CURLM_OK) {
    FailCheck(t, Outcome::kProtocolError, "could not start the transfer (out of memory)");
    Finish(t);
    return;
  }
  t.state = Transfer::State::kTransferring;
}

void Shard::DrainCompletions() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
    curl_multi_remove_handle(multi_, easy);
    net::Url next;
    const HopVerdict verdict = EvaluateHop(*t, code, &next);
    ReleaseEasy(easy);
    t->easy = nullptr;
    if (verdict == HopVerdict::kRedirect) {
      FollowRedirect(*t, std::move(next));
    } else {
      Finish(*t);
    }
  }
}

void Shard::FollowRedirect(Transfer& t, net::Url next) {
  const long status = t.result.http_status;
  // Browsers turn a redirected POST into a GET for 301/302 and every method
  // but HEAD into a GET for 303; 307 and 308 keep method and body.
  if ((status == 303 && t.method != "HEAD") ||
      ((status == 301 || status == 302) && t.method == "POST")) {
    t.method = "GET";
    t.send_body = false;
  }
  const net::Url& first = t.check->url();
  t.first_host = t.first_host && next.scheme == first.scheme && next.host == first.host &&
                 next.port == first.port;
  t.url = std::move(next);
  t.result.redirects = static_cast<uint8_t>(t.visited.size());
  BeginHop(t);
}

void Shard::Finish(Transfer& t) {
  t.result.redirects = static_cast<uint8_t>(t.visited.empty() ? 0 : t.visited.size() - 1);
  completed_.fetch_add(1, std::memory_order_relaxed);
  by_outcome_[static_cast<int>(t.result.outcome)].fetch_add(1, std::memory_order_relaxed);
  CheckResult result = std::move(t.result);
  transfers_.erase(t.id);  // t is gone from here on
  in_flight_.store(transfers_.size(), std::memory_order_relaxed);
  sink_(std::move(result));
}

void Shard::Watch(uint32_t tag, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = PackEpollData(tag, fd);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void Shard::Unwatch(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

int Shard::CurlSocketCallback(CURL*, curl_socket_t s, int what, void* userp, void*) {
  auto* self = static_cast<Shard*>(userp);
  if (what == CURL_POLL_REMOVE) {
    self->Unwatch(s);
  } else {
    self->Watch(kCurlTag, s,
                ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u));
  }
  return 0;
}

int Shard::CurlTimerCallback(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<Shard*>(userp);
  self->curl_deadline_ = timeout_ms < 0 ? -1 : MonotonicMicros() + timeout_ms * 1000;
  return 0;
}

CURL* Shard::AcquireEasy() {
  if (!easy_pool_.empty()) {
    CURL* e = easy_pool_.back();
    easy_pool_.pop_back();
    return e;
  }
  return curl_easy_init();
}

void Shard::ReleaseEasy(CURL* easy) {
  if (easy_pool_.size() >= options_.max_in_flight_per_shard) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  easy_pool_.push_back(easy);
}

}  // namespace tocsin::probe
