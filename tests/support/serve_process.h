// Runs `tocsin serve` as a child process for end-to-end tests: writes its
// config, starts it, talks HTTP to it, signals it.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::testing {

// An unused TCP port on 127.0.0.1 (bound, read, released).
int FreePort();

struct HttpReply {
  long status = 0;  // 0: no answer
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(const std::string& name) const;  // case-insensitive; "" if absent
  nlohmann::json Json() const;                        // discarded if not JSON
};

// Any request: `headers` as "Name: value" lines.
HttpReply HttpCall(const std::string& address, const std::string& method, const std::string& path,
                   const std::string& body = "", const std::vector<std::string>& headers = {});

// GET http://address/path; returns the body, or "" with *status = 0 when
// the server did not answer.
std::string HttpGet(const std::string& address, const std::string& path, long* status = nullptr);
// POST `form` (application/x-www-form-urlencoded) likewise.
std::string HttpPost(const std::string& address, const std::string& path, const std::string& form,
                     long* status = nullptr);

class ServeProcess {
 public:
  // dir: a scratch directory (config, log and data live there).
  explicit ServeProcess(std::string dir);
  ~ServeProcess();  // kills the child if still running

  void WriteConfig(const std::string& yaml);
  // An environment variable for the processes started from now on (the
  // server and `tocsin admin`), e.g. libfaketime's.
  void SetEnv(const std::string& name, const std::string& value) { env_.emplace_back(name, value); }
  std::string config_path() const { return dir_ + "/tocsin.yaml"; }
  std::string data_dir() const { return dir_ + "/data"; }

  // Starts the server; returns false if it exited or did not answer
  // /healthz within the limit.
  bool Start(int port);
  // Starts and waits for exit (for start-up failures); returns the status.
  int RunToExit(int port);
  // The same with `--listen` as given (which may be malformed).
  int RunToExit(const std::string& listen);
  void Signal(int sig);
  // Waits for the child to exit; returns its exit status, or -sig if killed.
  int Wait();
  std::string Log() const;  // everything the server wrote to stderr

  // Runs `tocsin admin --data-dir DATA args...` with `input` on stdin;
  // returns its exit status and, in *output, what it printed.
  int Admin(const std::vector<std::string>& args, const std::string& input,
            std::string* output = nullptr) const;
  // An administrator's read-write API token (the administrator made with
  // `tocsin admin create-user` on first use).
  const std::string& AdminToken();
  // GET with the administrator's token.
  std::string ApiGet(const std::string& path, long* status = nullptr);
  static constexpr const char* kAdminEmail = "admin@tocsin.test";
  static constexpr const char* kAdminPassword = "quartz lemur ribbon cascade 31";
  const std::string& address() const { return address_; }

 private:
  void Spawn(int port);
  void Spawn(const std::string& listen);
  std::string dir_;
  std::string address_;
  pid_t pid_ = -1;
  std::string admin_token_;
  std::vector<std::pair<std::string, std::string>> env_;
};

}  // namespace tocsin::testing
