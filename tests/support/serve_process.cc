#include "support/serve_process.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
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

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

std::string Request(const std::string& address, const std::string& path, const std::string* form,
                    long* status) {
  std::string body;
  CURL* curl = curl_easy_init();
  const std::string url = "http://" + address + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (form != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long code = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  } else {
    body.clear();
  }
  curl_easy_cleanup(curl);
  if (status) *status = code;
  return body;
}

}  // namespace

std::string HttpGet(const std::string& address, const std::string& path, long* status) {
  return Request(address, path, nullptr, status);
}

std::string HttpPost(const std::string& address, const std::string& path, const std::string& form,
                     long* status) {
  return Request(address, path, &form, status);
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

}  // namespace tocsin::testing
