// Mail delivered to a Maildir on disk: what Tocsin does when no SMTP server
// is configured, so a newcomer sees alerts without setting anything up.
// Each message is written to tmp/ and renamed into new/ (the Maildir
// protocol), so a reader never sees half a message.
#pragma once

#include <string>

#include "core/result.h"

namespace tocsin::notify {

// Creates DIR/{tmp,new,cur} if missing.
Status PrepareMaildir(const std::string& dir);

// Writes one message; returns its path in new/.
Result<std::string> WriteToMaildir(const std::string& dir, const std::string& message);

}  // namespace tocsin::notify
