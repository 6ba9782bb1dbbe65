// Every option of a check, named once. This table drives all three surfaces
// that spell options: the `tocsin check` flags, the JSON names (its --json
// output, the API, the store's copy of a monitor) and a monitor's YAML keys.
// Adding an option is adding a row here (and its field to CheckSpec).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"
#include "probe/check_spec.h"

namespace tocsin::probe {

// How a value was written, which decides how strictly it is read. JSON
// values carry a type; a YAML plain (unquoted) scalar or a command-line
// argument is text that may be read as a number or a boolean. A quoted YAML
// scalar is a kString: `max_redirects: "3"` is an error, as JSON's "3" is.
enum class ValueForm : uint8_t { kString, kNumber, kBool, kPlain };

struct OptionValue {
  ValueForm form = ValueForm::kPlain;
  std::string_view text;  // numbers and booleans as written
};

enum class OptionKind : uint8_t {
  kText,      // any text
  kList,      // a list of texts (each item set on its own)
  kDuration,  // "10s", "500ms"; a plain number is seconds
  kCount,     // a whole number from 0 to `max`
  kFlag,      // true or false
  kChoice,    // one of a few words or numbers (ip_version)
};

struct CheckOption {
  std::string_view name;   // the JSON and YAML key
  std::string_view flags;  // the command-line names, CLI11 style: "-X,--method"
  std::string_view help;
  OptionKind kind;
  uint64_t max = 0;  // kCount: the largest value
  // Reads one value (for kList: one item, appended) into `spec`. The error
  // names the option. Only the form is checked here; ranges and syntax that
  // need the whole spec are PreparedCheck::Prepare's.
  Status (*set)(const CheckOption& self, CheckSpec& spec, OptionValue value);
  // The option's value as JSON (secrets redacted), or null when unset.
  nlohmann::json (*get)(const CheckSpec& spec);
};

std::span<const CheckOption> CheckOptions();
const CheckOption* FindCheckOption(std::string_view name);  // nullptr if unknown

// The options as JSON, by their names; secrets are redacted.
nlohmann::json SpecToJson(const CheckSpec& spec);
// Reads options by the same names. Unknown keys are errors, so a typo never
// silently drops an assertion. Errors carry the option in Error::field.
Result<CheckSpec> SpecFromJson(const nlohmann::json& json);

// Options sent back after reading SpecToJson's (an edit form) with the
// secrets it redacted put back from `stored`: a header "Name: <redacted>"
// takes the stored header of that name, a basic_auth "user:<redacted>" the
// stored credentials of that user. So an edit that leaves a secret alone
// keeps it; one that types a new value replaces it.
void RestoreRedacted(nlohmann::json& given, const nlohmann::json& stored);

}  // namespace tocsin::probe
