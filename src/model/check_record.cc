#include "model/check_record.h"

#include <limits>

#include "core/text.h"

namespace tocsin::model {
namespace {

// A body longer than this is refused before it is read: a record is a few
// dozen bytes, its strings at most kMaxIpBytes + kMaxDetailBytes.
constexpr uint64_t kMaxBodyBytes = 4096;
// Bits of the flags field.
constexpr uint8_t kFlagMaintenance = 1;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutSigned(int64_t v, std::string& out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

void PutString(std::string_view s, size_t max, std::string& out) {
  s = Utf8Prefix(s, max);
  PutVarint(s.size(), out);
  out.append(s);
}

// Reads a body; every getter fails (returns false) once input runs out.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      if (shift == 63 && byte > 1) return false;  // beyond 64 bits
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  template <typename T>
  bool Unsigned(T* v) {
    uint64_t raw = 0;
    if (!Varint(&raw) || raw > std::numeric_limits<T>::max()) return false;
    *v = static_cast<T>(raw);
    return true;
  }
  bool Signed(int64_t* v) {
    uint64_t raw = 0;
    if (!Varint(&raw)) return false;
    *v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
    return true;
  }
  bool String(size_t max, std::string* s) {
    uint64_t size = 0;
    if (!Varint(&size) || size > max || size > in_.size()) return false;
    s->assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
};

bool ReadBodyV1(Reader& r, CheckRecord* c) {
  uint8_t outcome = 0;
  uint8_t tls_failure = 0;
  const bool read = r.Unsigned(&c->monitor) && r.Unsigned(&c->location) && r.Signed(&c->ts_ms) &&
                    r.Unsigned(&outcome) && r.Unsigned(&tls_failure) && r.Unsigned(&c->status) &&
                    r.Unsigned(&c->http_version) && r.String(kMaxIpBytes, &c->ip) &&
                    r.Unsigned(&c->dns_us) && r.Unsigned(&c->connect_us) &&
                    r.Unsigned(&c->tls_us) && r.Unsigned(&c->ttfb_us) &&
                    r.Unsigned(&c->download_us) && r.Unsigned(&c->redirect_us) &&
                    r.Unsigned(&c->total_us) && r.Unsigned(&c->bytes) &&
                    r.Signed(&c->cert_not_after) && r.String(kMaxDetailBytes, &c->detail);
  // The flags came last to version 1; a body without them has none set.
  uint8_t flags = 0;
  if (!read || (r.remaining() > 0 && !r.Unsigned(&flags)) || outcome >= kOutcomeCount ||
      tls_failure >= kTlsFailureCount) {
    return false;
  }
  c->in_maintenance = (flags & kFlagMaintenance) != 0;
  c->outcome = static_cast<Outcome>(outcome);
  c->tls_failure = static_cast<TlsFailure>(tls_failure);
  return true;
}

}  // namespace

void AppendRecord(const CheckRecord& c, std::string& out) {
  std::string body;
  body.reserve(48 + c.ip.size() + c.detail.size());
  PutVarint(c.monitor, body);
  PutVarint(c.location, body);
  PutSigned(c.ts_ms, body);
  PutVarint(static_cast<uint8_t>(c.outcome), body);
  PutVarint(static_cast<uint8_t>(c.tls_failure), body);
  PutVarint(c.status, body);
  PutVarint(c.http_version, body);
  PutString(c.ip, kMaxIpBytes, body);
  for (uint32_t v : {c.dns_us, c.connect_us, c.tls_us, c.ttfb_us, c.download_us, c.redirect_us,
                     c.total_us, c.bytes}) {
    PutVarint(v, body);
  }
  PutSigned(c.cert_not_after, body);
  PutString(c.detail, kMaxDetailBytes, body);
  PutVarint(c.in_maintenance ? kFlagMaintenance : 0, body);
  out.push_back(static_cast<char>(kRecordFormatVersion));
  PutVarint(body.size(), out);
  out.append(body);
}

std::string SerializeRecords(std::span<const CheckRecord> records) {
  std::string out;
  for (const CheckRecord& r : records) AppendRecord(r, out);
  return out;
}

Result<CheckRecord> ReadRecord(std::string_view& in) {
  if (in.empty()) return InvalidArgument("check record: no input");
  const auto version = static_cast<uint8_t>(in.front());
  if (version == 0) return InvalidArgument("check record: version 0 is not a version");
  Reader header(in.substr(1));
  uint64_t size = 0;
  if (!header.Varint(&size) || size > kMaxBodyBytes) {
    return InvalidArgument("check record: bad or oversized length");
  }
  // The body starts after the version byte and the length varint.
  const size_t start = in.size() - header.remaining();
  if (header.remaining() < size) return InvalidArgument("check record: truncated");
  Reader body(in.substr(start, size));
  CheckRecord record;
  // Every version so far starts with version 1's fields; later versions
  // append theirs, which this reader skips.
  if (!ReadBodyV1(body, &record)) return InvalidArgument("check record: malformed body");
  in.remove_prefix(start + size);
  return record;
}

Result<std::vector<CheckRecord>> ParseRecords(std::string_view in) {
  std::vector<CheckRecord> out;
  while (!in.empty()) {
    auto r = ReadRecord(in);
    if (!r.ok()) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace tocsin::model
