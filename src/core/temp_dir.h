// TempDir: a fresh directory under /tmp, removed with everything in it when
// the object goes. For tests and benchmarks that need a real file system.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace tocsin {

class TempDir {
 public:
  // prefix: a readable start of the name, e.g. "tocsin-store-test".
  explicit TempDir(const std::string& prefix = "tocsin") {
    std::string templ = "/tmp/" + prefix + "-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tocsin
