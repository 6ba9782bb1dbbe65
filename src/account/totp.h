// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6
// digits), the second factor, with the base32 secret authenticator apps
// take, and single-use recovery codes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::account {

inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

std::string NewTotpSecret();                 // 20 random bytes
std::string Base32(std::string_view bytes);  // RFC 4648, no padding
// The code for the step holding `unix_seconds`.
std::string TotpCode(std::string_view secret, int64_t unix_seconds);
// Whether `code` is the code of now or of the step before or after (clocks
// drift), and not of a step at or before `last_used_step` (a code works
// once). Sets *step to the matching step.
bool VerifyTotp(std::string_view secret, std::string_view code, int64_t unix_seconds,
                int64_t last_used_step, int64_t* step);
// otpauth://totp/Tocsin:<account>?secret=...&issuer=Tocsin
std::string TotpUri(std::string_view secret, std::string_view account);

// Ten codes of 10 characters ("abcde-fghij"), each good once.
std::vector<std::string> NewRecoveryCodes();

}  // namespace tocsin::account
