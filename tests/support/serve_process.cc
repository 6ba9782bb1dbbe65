#include "support/serve_process.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace tocsin::testing {
namespace {

constexpr auto kStartLimit = std::chrono::seconds(15);
constexpr auto kExitLimit = std::chrono::seconds(30);

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

namespace {

// True when nothing holds `port` on any address, IPv4 or IPv6.
bool Bindable(int port) {
  int v4 = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a4{};
  a4.sin_family = AF_INET;
  a4.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok4 = bind(v4, reinterpret_cast<sockaddr*>(&a4), sizeof(a4)) == 0;
  close(v4);
  int v6 = socket(AF_INET6, SOCK_STREAM, 0);
  if (v6 < 0) return ok4;  // no IPv6 here
  int only = 1;
  setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_port = htons(static_cast<uint16_t>(port));
  const bool ok6 = bind(v6, reinterpret_cast<sockaddr*>(&a6), sizeof(a6)) == 0;
  close(v6);
  return ok4 && ok6;
}

}  // namespace

// A port below Linux's ephemeral range (32768-60999): a port from that range,
// once released, can be taken as the source port of any outgoing connection
// before the test binds it again (seen in CI: "address already in use").
// Ports are handed out in turn from a start that depends on the process id,
// so that test processes running side by side rarely meet.
int FreePort() {
  static std::mutex mu;
  static int next = 20000 + static_cast<int>(getpid() % 600) * 20;
  std::lock_guard lock(mu);
  for (int tries = 0; tries < 12000; ++tries) {
    const int port = next;
    next = next + 1 >= 32768 ? 20000 : next + 1;
    if (Bindable(port)) return port;
  }
  return 0;
}

namespace {

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    static_cast<HttpReply*>(out)->headers.emplace_back(line.substr(0, colon), value);
  }
  return size * n;
}

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

nlohmann::json HttpReply::Json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

HttpReply HttpCall(const std::string& address, const std::string& method, const std::string& path,
                   const std::string& body, const std::vector<std::string>& headers) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  const std::string url = "http://" + address + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  } else {
    reply.body.clear();
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

std::string HttpGet(const std::string& address, const std::string& path, long* status) {
  HttpReply r = HttpCall(address, "GET", path);
  if (status) *status = r.status;
  return r.body;
}

std::string HttpPost(const std::string& address, const std::string& path, const std::string& form,
                     long* status) {
  HttpReply r =
      HttpCall(address, "POST", path, form, {"Content-Type: application/x-www-form-urlencoded"});
  if (status) *status = r.status;
  return r.body;
}

ServeProcess::ServeProcess(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ServeProcess::WriteConfig(const std::string& yaml) {
  // Write then rename, so a reload never reads half a file.
  const std::string tmp = config_path() + ".tmp";
  std::ofstream(tmp) << yaml;
  rename(tmp.c_str(), config_path().c_str());
}

void ServeProcess::Spawn(int port) {
  Spawn("127.0.0.1:" + std::to_string(port));
}

void ServeProcess::Spawn(const std::string& listen) {
  address_ = listen;
  const std::string log = dir_ + "/serve.log";
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
    for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
    execl(TOCSIN_BINARY, "tocsin", "serve", "--config", config_path().c_str(), "--listen",
          address_.c_str(), "--data-dir", data_dir().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

bool ServeProcess::Start(int port) {
  Spawn(port);
  const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    long code = 0;
    HttpGet(address_, "/healthz", &code);
    if (code == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServeProcess::RunToExit(int port) {
  Spawn(port);
  return Wait();
}

int ServeProcess::RunToExit(const std::string& listen) {
  Spawn(listen);
  return Wait();
}

void ServeProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServeProcess::Wait() {
  if (pid_ <= 0) return -1000;
  const auto deadline = std::chrono::steady_clock::now() + kExitLimit;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1001;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string ServeProcess::Log() const {
  std::ifstream in(dir_ + "/serve.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ServeProcess::Admin(const std::vector<std::string>& args, const std::string& input,
                        std::string* output) const {
  const std::string out_path = dir_ + "/admin.out";
  const std::string in_path = dir_ + "/admin.in";
  std::ofstream(in_path) << input;
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open(in_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> all = {"tocsin", "admin", "--data-dir", data_dir()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(TOCSIN_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (output != nullptr) {
    std::ifstream in(out_path);
    std::stringstream text;
    text << in.rdbuf();
    *output = text.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string& ServeProcess::AdminToken() {
  if (!admin_token_.empty()) return admin_token_;
  std::string out;
  const int rc = Admin({"create-user", "--email", kAdminEmail, "--name", "Test Admin", "--admin"},
                       std::string(kAdminPassword) + "\n", &out);
  if (rc != 0 && out.find("taken") == std::string::npos) return admin_token_;
  const nlohmann::json login = {{"email", kAdminEmail},
                                {"password", kAdminPassword},
                                {"token", true},
                                {"token_name", "tests"}};
  HttpReply r = HttpCall(address_, "POST", "/api/v1/session", login.dump(),
                         {"Content-Type: application/json"});
  if (r.status == 201) admin_token_ = r.Json().value("token", "");
  return admin_token_;
}

std::string ServeProcess::ApiGet(const std::string& path, long* status) {
  HttpReply r = HttpCall(address_, "GET", path, "", {"Authorization: Bearer " + AdminToken()});
  if (status) *status = r.status;
  return r.body;
}

}  // namespace tocsin::testing
