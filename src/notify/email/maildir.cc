#include "notify/email/maildir.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/clock.h"

namespace tocsin::notify {
namespace {

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

Status PrepareMaildir(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) {
    std::filesystem::create_directories(dir + "/" + sub, ec);
    if (ec) return Unavailable("cannot create maildir " + dir + ": " + ec.message());
  }
  return {};
}

Result<std::string> WriteToMaildir(const std::string& dir, const std::string& message) {
  static std::atomic<uint64_t> counter{0};
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const std::string name = std::to_string(UnixMicros() / 1'000'000) + ".P" +
                           std::to_string(getpid()) + "Q" + std::to_string(++counter) + "." + host;
  const std::string tmp = dir + "/tmp/" + name;
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Unavailable(Errno("cannot write " + tmp));
  size_t done = 0;
  while (done < message.size()) {
    const ssize_t n = write(fd, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const Error e = Unavailable(Errno("cannot write " + tmp));
      close(fd);
      unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    const Error e = Unavailable(Errno("cannot write " + tmp));
    unlink(tmp.c_str());
    return e;
  }
  const std::string path = dir + "/new/" + name;
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const Error e = Unavailable(Errno("cannot move mail into " + dir + "/new"));
    unlink(tmp.c_str());
    return e;
  }
  return path;
}

}  // namespace tocsin::notify
