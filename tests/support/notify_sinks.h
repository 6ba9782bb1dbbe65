// Starts tests/targets/notify_sinks.py: real SMTP servers (aiosmtpd) and an
// HTTP receiver standing in for every webhook service, and reads what they
// received.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tocsin::testing {

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  int port = 0;
  double time = 0;  // Unix seconds when it was received
  std::string raw;  // the message as received
  // Header value (unfolded), "" if absent.
  std::string Header(const std::string& name) const;
  // The decoded body of the first part of this content type.
  std::string Part(const std::string& content_type) const;
};

struct SinkOptions {
  int smtp_port = 0;  // 0: any free port
  bool http = true;
  bool tls = true;
};

class NotifySinks {
 public:
  explicit NotifySinks(std::string dir, SinkOptions options = {});
  ~NotifySinks();  // stops the process
  NotifySinks(const NotifySinks&) = delete;
  NotifySinks& operator=(const NotifySinks&) = delete;

  void Stop();

  int smtp = 0;
  int smtp_starttls = 0;
  int smtps = 0;
  int http = 0;
  std::string ca_file;
  std::string host = "127.0.0.2";
  std::string user = "tocsin";
  std::string password = "s3cret";

  std::string HttpUrl(const std::string& path) const;  // "http://127.0.0.2:P" + path
  std::vector<ReceivedMail> Mails() const;
  std::vector<nlohmann::json> Requests() const;  // {method, path, headers, body, time}
  std::vector<nlohmann::json> RequestsTo(const std::string& path_prefix) const;

  // Polls until `pred` holds (true) or `limit` passes (false).
  static bool WaitFor(const std::function<bool()>& pred,
                      std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
};

}  // namespace tocsin::testing
