// Passwords: Argon2id hashes (libsodium) and the rules a new password must
// meet, after NIST SP 800-63B-4: a length floor (15 characters, or 8 with a
// second factor), a generous ceiling, no composition rules, and no password
// that is common or easily guessed (zxcvbn's dictionaries of common
// passwords, names and words, keyboard patterns, repeats, sequences, dates).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tocsin::account {

inline constexpr size_t kMinPasswordChars = 15;
inline constexpr size_t kMinPasswordCharsWithSecondFactor = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;
// Below this many bits of zxcvbn's estimate (about a billion guesses), a
// password falls to an offline attack on a stolen hash: refused.
inline constexpr double kMinPasswordEntropyBits = 30.0;

// Must run once before any other call (libsodium's initialisation);
// idempotent and thread-safe.
Status InitCrypto();

// Argon2id is slow on purpose (tens of milliseconds of a core, 64 MiB), so
// at most this many hashes run at once, process-wide (2 until set). Past
// it, HashPassword and VerifyPassword answer kUnavailable at once
// instead of queueing: a login flood then holds only that many of the
// server's threads, and the rest keep answering.
void SetPasswordSlots(int slots);

// One of those slots, held while alive.
class PasswordSlot {
 public:
  static std::optional<PasswordSlot> Take();  // nullopt when all are in use
  PasswordSlot(PasswordSlot&& other) noexcept : held_(std::exchange(other.held_, false)) {}
  PasswordSlot& operator=(PasswordSlot&&) = delete;
  ~PasswordSlot();

 private:
  PasswordSlot() = default;
  bool held_ = true;
};

// An Argon2id hash string ("$argon2id$v=19$m=65536,t=2,p=1$..."): libsodium's
// interactive limits (64 MiB, 2 passes), above OWASP's minimum (19 MiB, 2).
Result<std::string> HashPassword(std::string_view password);
// Whether `password` matches `hash`; kUnavailable when every slot is in
// use.
Result<bool> VerifyPassword(std::string_view hash, std::string_view password);
// The same, as the answer to a request that must prove the password: OK,
// InvalidField(field, "the password is wrong"), or kUnavailable.
Status CheckPassword(std::string_view hash, std::string_view password, std::string_view field);
// Whether a stored hash was made with weaker limits than HashPassword's.
bool NeedsRehash(std::string_view hash);
// A hash of a random password: verifying against it costs what a real check
// costs, so an unknown account answers as slowly as a wrong password.
const std::string& DummyHash();

// OK, or InvalidField("password", why). `context` holds words the password
// must not lean on (the user's name, email address).
Status CheckNewPassword(std::string_view password, bool has_second_factor,
                        const std::vector<std::string>& context);

}  // namespace tocsin::account
