// One check in flight, and everything libcurl-specific about a single hop:
// configuring the easy handle, the callbacks that enforce the limits, and
// turning what curl saw into a CheckResult. The Shard drives the flow
// (DNS, hops, redirects) around it.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/address_policy.h"
#include "net/url.h"
#include "probe/check_result.h"
#include "probe/check_spec.h"

namespace tocsin::probe {

struct Transfer {
  enum class State : uint8_t { kResolving, kTransferring };
  enum class Abort : uint8_t { kNone, kBodyTooLarge, kHeadersTooLarge, kBlocked };

  uint64_t id = 0;
  std::shared_ptr<const PreparedCheck> check;
  const net::AddressPolicy* policy = nullptr;
  State state = State::kResolving;

  // The hop being run.
  net::Url url;
  std::string method;
  bool send_body = true;
  bool first_host = true;  // credentials go to the first host only
  net::IpAddress ip;
  Micros hop_start = 0;  // monotonic
  Micros dns_us = 0;
  bool dns_cached = false;

  Micros check_start = 0;            // monotonic
  Micros deadline = 0;               // monotonic
  std::vector<std::string> visited;  // URLs already requested, for loop detection

  CURL* easy = nullptr;  // borrowed from the shard's pool while transferring
  curl_slist* connect_to = nullptr;
  uint64_t body_bytes = 0;
  uint32_t header_bytes = 0;
  std::string body;  // kept only when an assertion needs it
  Abort abort = Abort::kNone;
  std::string abort_detail;
  char error[CURL_ERROR_SIZE] = {0};

  CheckResult result;

  ~Transfer();
};

// Sets every option of the hop on t.easy (a fresh or reset handle), pinned
// to t.ip. Returns false if curl refused an option (out of memory).
bool ConfigureEasy(Transfer& t);

enum class HopVerdict { kDone, kRedirect };

// Reads what curl recorded for the hop into t.result. Returns kRedirect with
// *next set when the response asks to follow a redirect that is allowed;
// otherwise the result is final, outcome and detail set.
HopVerdict EvaluateHop(Transfer& t, CURLcode code, net::Url* next);

// Marks t.result failed with the outcome and detail, timing it now.
void FailCheck(Transfer& t, Outcome outcome, std::string detail);

// Must succeed before any curl handle is made; calls after the first
// return the first one's verdict.
Status GlobalInitCurl();

}  // namespace tocsin::probe
