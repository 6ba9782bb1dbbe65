// Starts tests/targets/target_server.py (the hostile HTTP(S)+DNS target) once
// per test binary and tells the tests where it listens.
#pragma once

#include <sys/types.h>

#include <string>

namespace tocsin::testing {

class TargetServer {
 public:
  // The shared instance, started on first use; aborts the test binary if the
  // server cannot start (nothing else could be tested).
  static TargetServer& Get();
  ~TargetServer();

  std::string host;  // 127.0.0.2
  int http = 0;
  int tls_valid = 0;
  int tls_self_signed = 0;
  int tls_expired = 0;
  int tls_wrong_host = 0;
  int blackhole = 0;
  int closed = 0;
  int dns = 0;
  std::string ca_file;

  std::string HttpUrl(const std::string& path) const;
  std::string DnsServer() const;  // "127.0.0.2:PORT" for the resolver

 private:
  TargetServer() = default;
  void Start();
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string dir_;
};

}  // namespace tocsin::testing
