// Signed acknowledgement links: every alert carries a link that
// acknowledges its incident without a login. The token holds the incident
// id and an expiry, signed with a server secret (HMAC-SHA256), so it cannot
// be forged or pointed at another incident; acknowledging is idempotent, so
// a link used twice only says who acknowledged first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tocsin::notify {

inline constexpr int64_t kAckTokenLifetimeS = 30 * 86'400;

std::string MakeAckToken(std::string_view key, int64_t incident_id, int64_t expires_unix_s);

// The incident id of a valid token. InvalidArgument for a malformed or
// forged token, or one past its expiry.
Result<int64_t> VerifyAckToken(std::string_view key, std::string_view token, int64_t now_unix_s);

}  // namespace tocsin::notify
