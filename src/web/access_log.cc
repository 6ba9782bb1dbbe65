#include "web/access_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/text.h"
#include "net/ip_address.h"

namespace tocsin::web {
namespace {

constexpr size_t kMaxUserAgent = 120;

// Printable ASCII only, without quotes or backslashes: a log line is one
// line, whatever a client sends.
std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7f && c != '"' && c != '\\' ? c : '?';
  }
  return out;
}

}  // namespace

std::string TruncatedAddress(std::string_view ip) {
  auto address = net::IpAddress::ParseLiteral(ip);
  if (!address) return "-";
  if (address->is_v4()) return net::IpAddress::V4(address->v4() & 0xffffff00u).ToString();
  std::array<uint8_t, 16> bytes = address->v6();
  for (size_t i = 6; i < bytes.size(); ++i) bytes[i] = 0;
  return net::IpAddress::V6(bytes).ToString();
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<net::Prefix>& trusted) {
  auto is_trusted = [&trusted](std::string_view text) {
    auto address = net::IpAddress::ParseLiteral(text);
    if (!address) return false;
    for (const net::Prefix& p : trusted) {
      if (p.Contains(*address)) return true;
    }
    return false;
  };
  if (!net::IpAddress::ParseLiteral(peer)) return "";
  if (forwarded_for.empty() || !is_trusted(peer)) return std::string(peer);
  // Right to left: the nearest hop first; the first one not ours is the
  // client (what lies to its left, the client could have written).
  std::vector<std::string> hops = SplitList(forwarded_for, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!net::IpAddress::ParseLiteral(*it)) return std::string(peer);  // garbage: not believed
    if (!is_trusted(*it)) return *it;
  }
  return hops.empty() ? std::string(peer) : hops.front();
}

std::string FormatAccess(const AccessEntry& e) {
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(e.unix_s);
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return fmt::format("{} {} \"{} {}\" {} {} {:.1f}ms \"{}\"", when, TruncatedAddress(e.client),
                     Printable(e.method, 16), e.route.empty() ? "-" : Printable(e.route, 200),
                     e.status, e.bytes, static_cast<double>(e.duration_us) / 1000.0,
                     Printable(e.user_agent, kMaxUserAgent));
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& target) {
  if (target == "stderr") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false));
  const int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Unavailable("cannot open the access log " + target + ": " + std::strerror(errno));
  }
  std::FILE* file = fdopen(fd, "a");
  if (file == nullptr) {
    close(fd);
    return Unavailable("cannot open the access log " + target);
  }
  return std::unique_ptr<AccessLog>(new AccessLog(file, true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

void AccessLog::Write(const AccessEntry& e) {
  std::string line = FormatAccess(e);
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace tocsin::web
