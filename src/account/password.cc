#include "account/password.h"

#include <sodium.h>
#include <zxcvbn.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/crypto.h"

namespace tocsin::account {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

// Characters, not bytes: a password of 15 accented letters is 15 long.
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

Status InitCrypto() {
  static const int rc = sodium_init();
  if (rc < 0) return Internal("libsodium failed to initialise");
  return {};
}

namespace {

std::atomic<int> slots_limit{2};
std::atomic<int> slots_used{0};

Error Busy() {
  return Unavailable("the server is checking many passwords at once; try again in a moment");
}

Result<std::string> HashUngated(std::string_view password) {
  if (Status s = InitCrypto(); !s.ok()) return s.error();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), kOpsLimit, kMemLimit) != 0) {
    return Error{ErrorCode::kResourceExhausted, "not enough memory to hash a password"};
  }
  return std::string(out);
}

}  // namespace

void SetPasswordSlots(int slots) {
  slots_limit.store(std::max(1, slots));
}

std::optional<PasswordSlot> PasswordSlot::Take() {
  int used = slots_used.load();
  while (used < slots_limit.load()) {
    if (slots_used.compare_exchange_weak(used, used + 1)) return PasswordSlot();
  }
  return std::nullopt;
}

PasswordSlot::~PasswordSlot() {
  if (held_) slots_used.fetch_sub(1);
}

Result<std::string> HashPassword(std::string_view password) {
  auto slot = PasswordSlot::Take();
  if (!slot) return Busy();
  return HashUngated(password);
}

Result<bool> VerifyPassword(std::string_view hash, std::string_view password) {
  if (Status s = InitCrypto(); !s.ok()) return s.error();
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  auto slot = PasswordSlot::Take();
  if (!slot) return Busy();
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

Status CheckPassword(std::string_view hash, std::string_view password, std::string_view field) {
  auto matches = VerifyPassword(hash, password);
  if (!matches.ok()) return matches.error();
  if (!*matches) {
    return InvalidField(std::string(field), field == "current_password"
                                                ? "the current password is wrong"
                                                : "the password is wrong");
  }
  return {};
}

bool NeedsRehash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return true;
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());
  return crypto_pwhash_str_needs_rehash(stored, kOpsLimit, kMemLimit) != 0;
}

const std::string& DummyHash() {
  static const std::string hash = [] {
    auto h = HashUngated(Hex(RandomBytes(16)));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

Status CheckNewPassword(std::string_view password, bool has_second_factor,
                        const std::vector<std::string>& context) {
  const size_t min = has_second_factor ? kMinPasswordCharsWithSecondFactor : kMinPasswordChars;
  if (Utf8Length(password) < min) {
    return InvalidField("password", "the password must be at least " + std::to_string(min) +
                                        " characters long" +
                                        (has_second_factor ? "" : " (8 with a second factor)"));
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidField("password", "the password must be at most " +
                                        std::to_string(kMaxPasswordBytes) + " bytes long");
  }
  if (password.find('\0') != std::string_view::npos) {
    return InvalidField("password", "the password must not contain a NUL character");
  }
  // zxcvbn wants a C string and a NULL-terminated list of user words.
  const std::string text(password);
  std::vector<const char*> words;
  for (const auto& w : context) {
    if (!w.empty()) words.push_back(w.c_str());
  }
  words.push_back(nullptr);
  static std::mutex zxcvbn_mu;  // the library keeps no state, but be safe with its statics
  double bits = 0;
  {
    std::lock_guard lock(zxcvbn_mu);
    bits = ZxcvbnMatch(text.c_str(), words.data(), nullptr);
  }
  if (bits < kMinPasswordEntropyBits) {
    return InvalidField("password",
                        "this password is too common or too easy to guess (a known password, a "
                        "word, a name, a pattern or your own details); choose a longer phrase");
  }
  return {};
}

}  // namespace tocsin::account
