// Asynchronous DNS for the probe engine: c-ares driven by the engine's own
// event loop (no thread per lookup), a bounded cache that honours TTLs, and
// concurrent lookups of one name coalesced into one query.
//
// Single-threaded: each engine shard owns one Resolver and calls it from its
// loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/ip_address.h"

struct ares_channeldata;
struct ares_addrinfo;

namespace tocsin::net {

enum class Family : uint8_t { kAny, kV4, kV6 };

struct ResolverOptions {
  // "ip:port" entries; empty means the system's resolv.conf.
  std::vector<std::string> servers;
  Micros query_timeout = 2'000'000;  // per try, per server
  int tries = 2;
  size_t cache_entries = 65'536;
  Micros max_ttl = 3'600'000'000;  // cap on how long an answer is trusted
};

struct DnsAnswer {
  bool ok = false;
  std::vector<IpAddress> addresses;  // in the resolver's preference order
  std::string error;                 // when !ok, e.g. "NXDOMAIN"
  bool cached = false;
};

struct ResolverStats {
  uint64_t queries = 0;  // sent to c-ares
  uint64_t cache_hits = 0;
  uint64_t coalesced = 0;  // lookups that joined a query already in flight
  uint64_t failures = 0;
  size_t cache_size = 0;
};

class Resolver {
 public:
  // Receives each answer for the token given to Lookup.
  using Sink = std::function<void(uint64_t token, const DnsAnswer& answer)>;
  // Told when c-ares wants (or no longer wants) readiness events on a socket.
  using SocketWatcher = std::function<void(int fd, bool readable, bool writable)>;

  static Result<std::unique_ptr<Resolver>> Create(const ResolverOptions& options,
                                                  SocketWatcher watcher, Sink sink);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Starts a lookup. The answer always reaches the sink later, from
  // Process*() or DeliverReady(), never from inside Lookup; a cache hit is
  // delivered by the next DeliverReady().
  void Lookup(std::string_view host, Family family, uint64_t token);

  void ProcessFd(int fd, bool readable, bool writable);
  // Runs c-ares timeouts and delivers answers that are ready.
  void ProcessTimeouts();
  void DeliverReady();
  // Milliseconds until the resolver needs ProcessTimeouts(); -1 for never.
  int NextTimeoutMs() const;
  bool HasReady() const { return !ready_.empty(); }

  const ResolverStats& stats() const { return stats_; }

 private:
  struct Query;
  struct CacheEntry {
    std::vector<IpAddress> addresses;
    Micros expires_at = 0;
    std::list<std::string>::iterator lru;
  };

  Resolver(const ResolverOptions& options, SocketWatcher watcher, Sink sink);
  static void OnAnswer(void* arg, int status, int timeouts, ::ares_addrinfo* result);
  void Complete(const std::string& key, DnsAnswer answer, Micros ttl);
  void CacheInsert(const std::string& key, const std::vector<IpAddress>& addresses, Micros ttl);

  ResolverOptions options_;
  SocketWatcher watcher_;
  Sink sink_;
  ::ares_channeldata* channel_ = nullptr;
  // Queries in flight by cache key; each lists the tokens waiting for it.
  std::unordered_map<std::string, std::vector<uint64_t>> in_flight_;
  std::unordered_map<std::string, CacheEntry> cache_;
  std::list<std::string> lru_;  // most recently used first
  std::vector<std::pair<uint64_t, DnsAnswer>> ready_;
  ResolverStats stats_;
};

}  // namespace tocsin::net
