// One-click unsubscribe links for the weekly summary (RFC 8058): the token
// holds the user id, signed with a server secret (HMAC-SHA256), so it works
// without a login and cannot be pointed at another user. It does not
// expire: an old summary's link still unsubscribes.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/ids.h"

namespace tocsin::report {

std::string MakeUnsubscribeToken(std::string_view key, model::UserId user);
// The user of a valid token; InvalidArgument for a malformed or forged one.
Result<model::UserId> VerifyUnsubscribeToken(std::string_view key, std::string_view token);

}  // namespace tocsin::report
