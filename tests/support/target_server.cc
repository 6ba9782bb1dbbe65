#include "support/target_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace tocsin::testing {
namespace {

constexpr int kStartTimeoutMs = 20'000;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "target server: %s\n", message.c_str());
  std::abort();
}

}  // namespace

TargetServer& TargetServer::Get() {
  static TargetServer* server = [] {
    auto* s = new TargetServer();
    s->Start();
    return s;
  }();
  return *server;
}

TargetServer::~TargetServer() {
  if (stdin_fd_ >= 0) close(stdin_fd_);  // the server exits at EOF
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

void TargetServer::Start() {
  char tmpl[] = "/tmp/tocsin-target-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
  dir_ = tmpl;
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) Die("pipe failed");
  const std::string script = std::string(TOCSIN_SOURCE_DIR) + "/tests/targets/target_server.py";
  pid_ = fork();
  if (pid_ < 0) Die("fork failed");
  if (pid_ == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    execl("/usr/bin/python3", "python3", script.c_str(), "--dir", dir_.c_str(), "--host",
          "127.0.0.2", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];

  std::string line;
  pollfd pfd{out_pipe[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (poll(&pfd, 1, kStartTimeoutMs) <= 0) Die("no ready line within 20 s");
    char buf[1024];
    const ssize_t n = read(out_pipe[0], buf, sizeof(buf));
    if (n <= 0) Die("exited before it was ready");
    line.append(buf, static_cast<size_t>(n));
  }
  close(out_pipe[0]);  // nothing more is printed on stdout
  const auto j = nlohmann::json::parse(line.substr(0, line.find('\n')));
  host = j.at("host").get<std::string>();
  http = j.at("http").get<int>();
  tls_valid = j.at("tls_valid").get<int>();
  tls_self_signed = j.at("tls_self_signed").get<int>();
  tls_expired = j.at("tls_expired").get<int>();
  tls_wrong_host = j.at("tls_wrong_host").get<int>();
  blackhole = j.at("blackhole").get<int>();
  closed = j.at("closed").get<int>();
  dns = j.at("dns").get<int>();
  ca_file = j.at("ca_file").get<std::string>();
}

std::string TargetServer::HttpUrl(const std::string& path) const {
  return "http://" + host + ":" + std::to_string(http) + path;
}

std::string TargetServer::DnsServer() const {
  return host + ":" + std::to_string(dns);
}

}  // namespace tocsin::testing
