// A YAML document as a compact tree of nodes that remember their line, and
// a reader over it that turns mistakes into errors naming the file and line.
//
// yaml-cpp's own YAML::Node tree costs about 3.4 KB per three-key monitor
// (340 MB for 100,000; loading them peaked at 460 MB with it, 190 MB with
// this tree) and was slower to build (2.2 s against 1.5 s for the whole
// load), so the tree is built here from yaml-cpp's parser events.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tocsin::config {

struct YamlNode {
  enum class Kind : uint8_t { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  bool plain = false;  // an unquoted, untagged scalar: may be read as a number
  int line = 0;        // 1-based
  std::string scalar;
  // Sequence items; for a map its keys and values alternating. An alias is
  // the node it names, so a node may have several parents.
  std::vector<const YamlNode*> children;

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  const std::string& Scalar() const { return scalar; }
};

// One parsed document; owns its nodes.
class YamlDocument {
 public:
  // Parses exactly one document (a second one is an error). Errors start
  // with "SOURCE:LINE: ".
  static Result<YamlDocument> Parse(std::string_view text, std::string_view source);

  // The root; nullptr for an empty file or one of comments only.
  const YamlNode* root() const { return root_; }

 private:
  std::unique_ptr<std::deque<YamlNode>> nodes_;  // nodes never move: children point at them
  const YamlNode* root_ = nullptr;
};

struct YamlEntry {
  const YamlNode& key;
  const YamlNode& value;
  const std::string& name() const { return key.Scalar(); }
};

std::string Quote(std::string_view text);  // 'text'

// Reads maps and scalars of a document whose errors name `source`.
class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : source_(source) {}

  Error ErrorAt(const YamlNode& node, const std::string& message) const;

  // The entries of a map with scalar keys, each key once. A merge key
  // ("<<: *defaults", or "<<: [*a, *b]") adds the entries of other maps that
  // this map does not set itself, earlier maps first. `context` starts
  // every message ("monitor 'home': ").
  Result<std::vector<YamlEntry>> Entries(const YamlNode& map, const std::string& context,
                                         int depth = 0) const;

  // The text of a scalar setting, or an error naming the key.
  Result<std::string> ScalarText(const YamlEntry& e, const std::string& context) const;

 private:
  std::string source_;
};

}  // namespace tocsin::config
