#include "net/resolver.h"

#include <ares.h>
#include <netdb.h>

#include <algorithm>
#include <mutex>

namespace tocsin::net {

struct Resolver::Query {
  Resolver* resolver;
  std::string key;
};

namespace {

std::string CacheKey(std::string_view host, Family family) {
  std::string key(host);
  key.push_back('/');
  key.push_back(static_cast<char>('0' + static_cast<int>(family)));
  return key;
}

std::string DescribeStatus(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
      return "NXDOMAIN: the name does not exist";
    case ARES_ENODATA:
      return "the name has no address records";
    case ARES_ETIMEOUT:
      return "DNS timeout: no answer from the name servers";
    case ARES_ECONNREFUSED:
      return "DNS server refused the connection";
    case ARES_ESERVFAIL:
      return "DNS server failure (SERVFAIL)";
    case ARES_EREFUSED:
      return "DNS query refused (REFUSED)";
    case ARES_EBADNAME:
      return "invalid host name";
    default:
      return std::string("DNS error: ") + ares_strerror(status);
  }
}

}  // namespace

Resolver::Resolver(const ResolverOptions& options, SocketWatcher watcher, Sink sink)
    : options_(options), watcher_(std::move(watcher)), sink_(std::move(sink)) {}

Result<std::unique_ptr<Resolver>> Resolver::Create(const ResolverOptions& options,
                                                   SocketWatcher watcher, Sink sink) {
  static std::once_flag init_once;
  static int init_status = ARES_SUCCESS;
  std::call_once(init_once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS) {
    return Internal(std::string("c-ares init: ") + ares_strerror(init_status));
  }
  std::unique_ptr<Resolver> r(new Resolver(options, std::move(watcher), std::move(sink)));
  ares_options opts{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  opts.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Resolver*>(data)->watcher_(fd, readable != 0, writable != 0);
  };
  opts.sock_state_cb_data = r.get();
  opts.timeout = static_cast<int>(std::max<Micros>(options.query_timeout / 1000, 1));
  opts.tries = std::max(options.tries, 1);
  ares_channel channel = nullptr;
  const int rc = ares_init_options(&channel, &opts, mask);
  if (rc != ARES_SUCCESS) return Unavailable(std::string("c-ares: ") + ares_strerror(rc));
  r->channel_ = channel;
  if (!options.servers.empty()) {
    std::string csv;
    for (const auto& s : options.servers) csv += (csv.empty() ? "" : ",") + s;
    const int set_rc = ares_set_servers_ports_csv(channel, csv.c_str());
    if (set_rc != ARES_SUCCESS) {
      return InvalidArgument("invalid DNS servers '" + csv + "': " + ares_strerror(set_rc));
    }
  }
  return r;
}

Resolver::~Resolver() {
  if (channel_ != nullptr) {
    // Cancelled queries call back with ARES_EDESTRUCTION; drop their answers.
    sink_ = [](uint64_t, const DnsAnswer&) {};
    ares_destroy(channel_);
  }
}

void Resolver::Lookup(std::string_view host, Family family, uint64_t token) {
  const std::string key = CacheKey(host, family);
  if (auto it = cache_.find(key); it != cache_.end()) {
    if (it->second.expires_at > MonotonicMicros()) {
      ++stats_.cache_hits;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ready_.emplace_back(token, DnsAnswer{true, it->second.addresses, {}, true});
      return;
    }
    lru_.erase(it->second.lru);
    cache_.erase(it);
  }
  auto [flight, inserted] = in_flight_.try_emplace(key);
  flight->second.push_back(token);
  if (!inserted) {
    ++stats_.coalesced;
    return;
  }
  ++stats_.queries;
  ares_addrinfo_hints hints{};
  hints.ai_family = family == Family::kV4 ? AF_INET : family == Family::kV6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  auto* query = new Query{this, key};  // owned by c-ares until OnAnswer
  const std::string name(host);
  ares_getaddrinfo(channel_, name.c_str(), nullptr, &hints, &Resolver::OnAnswer, query);
}

void Resolver::OnAnswer(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<Query> query(static_cast<Query*>(arg));
  Resolver* self = query->resolver;
  DnsAnswer answer;
  Micros ttl = self->options_.max_ttl;
  if (status == ARES_SUCCESS && result != nullptr) {
    for (ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
      if (auto ip = IpAddress::FromSockaddr(n->ai_addr)) {
        if (std::find(answer.addresses.begin(), answer.addresses.end(), *ip) ==
            answer.addresses.end()) {
          answer.addresses.push_back(*ip);
        }
        ttl = std::min<Micros>(ttl, static_cast<Micros>(std::max(n->ai_ttl, 0)) * 1'000'000);
      }
    }
    answer.ok = !answer.addresses.empty();
    if (!answer.ok) answer.error = DescribeStatus(ARES_ENODATA);
  } else {
    answer.error = DescribeStatus(status);
    ttl = 0;
  }
  if (result != nullptr) ares_freeaddrinfo(result);
  if (status == ARES_EDESTRUCTION) return;
  self->Complete(query->key, std::move(answer), ttl);
}

void Resolver::Complete(const std::string& key, DnsAnswer answer, Micros ttl) {
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  std::vector<uint64_t> tokens = std::move(it->second);
  in_flight_.erase(it);
  if (answer.ok && ttl > 0) CacheInsert(key, answer.addresses, ttl);
  if (!answer.ok) ++stats_.failures;
  for (uint64_t token : tokens) ready_.emplace_back(token, answer);
}

void Resolver::CacheInsert(const std::string& key, const std::vector<IpAddress>& addresses,
                           Micros ttl) {
  if (options_.cache_entries == 0) return;
  auto [it, inserted] = cache_.try_emplace(key);
  if (inserted) {
    lru_.push_front(key);
    it->second.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  it->second.addresses = addresses;
  it->second.expires_at = MonotonicMicros() + ttl;
  while (cache_.size() > options_.cache_entries) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  stats_.cache_size = cache_.size();
}

void Resolver::ProcessFd(int fd, bool readable, bool writable) {
  ares_process_fd(channel_, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
}

void Resolver::ProcessTimeouts() {
  ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

void Resolver::DeliverReady() {
  // The sink may start new lookups, which append to ready_; deliver in
  // rounds so none is lost and none is delivered inside Lookup.
  while (!ready_.empty()) {
    std::vector<std::pair<uint64_t, DnsAnswer>> batch;
    batch.swap(ready_);
    for (auto& [token, answer] : batch) sink_(token, answer);
  }
  stats_.cache_size = cache_.size();
}

int Resolver::NextTimeoutMs() const {
  if (!ready_.empty()) return 0;
  if (in_flight_.empty()) return -1;
  timeval tv{};
  if (ares_timeout(channel_, nullptr, &tv) == nullptr) return -1;
  return static_cast<int>(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
}

}  // namespace tocsin::net
