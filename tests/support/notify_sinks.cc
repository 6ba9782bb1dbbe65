#include "support/notify_sinks.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/crypto.h"

namespace tocsin::testing {
namespace {

constexpr int kStartTimeoutMs = 20'000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string ReceivedMail::Header(const std::string& name) const {
  const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
  const std::string want = Lower(name) + ":";
  size_t pos = 0;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    if (Lower(line.substr(0, want.size())) == want) {
      std::string value = line.substr(want.size());
      // Continuation lines.
      while (end + 2 < head.size() && (head[end + 2] == ' ' || head[end + 2] == '\t')) {
        const size_t next = head.find("\r\n", end + 2);
        value += head.substr(end + 2, (next == std::string::npos ? head.size() : next) - end - 2);
        end = next == std::string::npos ? head.size() : next;
      }
      const size_t first = value.find_first_not_of(' ');
      return first == std::string::npos ? "" : value.substr(first);
    }
    pos = end + 2;
  }
  return "";
}

std::string ReceivedMail::Part(const std::string& content_type) const {
  const size_t at = raw.find("Content-Type: " + content_type);
  if (at == std::string::npos) return "";
  const size_t body = raw.find("\r\n\r\n", at);
  const size_t end = raw.find("\r\n--", body);
  std::string encoded = raw.substr(body + 4, end - body - 4);
  encoded.erase(
      std::remove_if(encoded.begin(), encoded.end(), [](char c) { return c == '\r' || c == '\n'; }),
      encoded.end());
  return Base64Decode(encoded).value_or("<not base64>");
}

NotifySinks::NotifySinks(std::string dir, SinkOptions options) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const std::string script = std::string(TOCSIN_SOURCE_DIR) + "/tests/targets/notify_sinks.py";
  const std::string port = std::to_string(options.smtp_port);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    std::vector<const char*> args = {"python3",    script.c_str(), "--dir",
                                     dir_.c_str(), "--smtp-port",  port.c_str()};
    if (!options.http) args.push_back("--no-http");
    if (!options.tls) args.push_back("--no-tls");
    args.push_back(nullptr);
    // Debian's python3: it has aiosmtpd (python3-aiosmtpd).
    execv("/usr/bin/python3", const_cast<char* const*>(args.data()));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  std::string line;
  pollfd pfd{out_pipe[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (poll(&pfd, 1, kStartTimeoutMs) <= 0) break;
    char buf[1024];
    const ssize_t n = read(out_pipe[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  if (line.find('\n') == std::string::npos) {
    Stop();
    throw std::runtime_error("notify_sinks.py did not start (is python3-aiosmtpd installed?)");
  }
  const auto j = nlohmann::json::parse(line.substr(0, line.find('\n')));
  smtp = j.at("smtp").get<int>();
  smtp_starttls = j.at("smtp_starttls").get<int>();
  smtps = j.at("smtps").get<int>();
  http = j.at("http").get<int>();
  ca_file = j.at("ca_file").get<std::string>();
}

NotifySinks::~NotifySinks() {
  Stop();
}

void NotifySinks::Stop() {
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);  // the sinks exit at EOF
    stdin_fd_ = -1;
  }
  if (pid_ > 0) {
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

std::string NotifySinks::HttpUrl(const std::string& path) const {
  return "http://" + host + ":" + std::to_string(http) + path;
}

std::vector<ReceivedMail> NotifySinks::Mails() const {
  std::vector<std::string> names;
  const std::string mail_dir = dir_ + "/mail";
  if (!std::filesystem::exists(mail_dir)) return {};
  for (const auto& e : std::filesystem::directory_iterator(mail_dir)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<ReceivedMail> out;
  for (const auto& n : names) {
    const auto meta = nlohmann::json::parse(ReadFile(mail_dir + "/" + n + ".json"));
    ReceivedMail m;
    m.mail_from = meta.at("mail_from").get<std::string>();
    m.rcpt_tos = meta.at("rcpt_tos").get<std::vector<std::string>>();
    m.port = meta.at("port").get<int>();
    m.time = meta.at("time").get<double>();
    m.raw = ReadFile(mail_dir + "/" + n + ".eml");
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<nlohmann::json> NotifySinks::Requests() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(dir_ + "/http.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::vector<nlohmann::json> NotifySinks::RequestsTo(const std::string& path_prefix) const {
  std::vector<nlohmann::json> out;
  for (auto& r : Requests()) {
    if (r["path"].get<std::string>().starts_with(path_prefix)) out.push_back(std::move(r));
  }
  return out;
}

bool NotifySinks::WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace tocsin::testing
