#include "config/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <istream>
#include <streambuf>
#include <unordered_map>

namespace tocsin::config {
namespace {

// YAML's merge key, and how deep merged maps may merge others (an alias can
// name a map that merges itself).
constexpr std::string_view kMergeKey = "<<";
constexpr int kMaxMergeDepth = 8;

class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::deque<YamlNode>& nodes) : nodes_(nodes) {}

  // The document's root; nullptr for a stream without documents.
  const YamlNode* root() const { return root_; }
  int start_line() const { return start_line_; }

  void OnDocumentStart(const YAML::Mark& mark) override { start_line_ = mark.line + 1; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(mark, YamlNode::Kind::kNull, anchor);
  }
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t anchor) override {
    // The parser has checked that the anchor exists.
    Attach(anchors_.at(anchor));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode& node = Add(mark, YamlNode::Kind::kScalar, anchor);
    node.plain = tag == "?";  // yaml-cpp's tag for plain scalars; quoted ones get "!"
    node.scalar = value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(&Add(mark, YamlNode::Kind::kSequence, anchor));
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(&Add(mark, YamlNode::Kind::kMap, anchor));
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  YamlNode& Add(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    YamlNode& node = nodes_.emplace_back();
    node.kind = kind;
    node.line = mark.line + 1;
    if (anchor != YAML::NullAnchor) anchors_[anchor] = &node;
    Attach(&node);
    return node;
  }
  void Attach(const YamlNode* node) {
    if (open_.empty()) {
      root_ = node;
    } else {
      open_.back()->children.push_back(node);
    }
  }

  std::deque<YamlNode>& nodes_;
  std::vector<YamlNode*> open_;
  std::unordered_map<YAML::anchor_t, const YamlNode*> anchors_;
  const YamlNode* root_ = nullptr;
  int start_line_ = 0;
};

// Lets yaml-cpp read the caller's text without a copy. The get area is never
// written: putting back a different character fails (pbackfail's default).
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

}  // namespace

Result<YamlDocument> YamlDocument::Parse(std::string_view text, std::string_view source) {
  YamlDocument doc;
  doc.nodes_ = std::make_unique<std::deque<YamlNode>>();
  const std::string name(source);
  try {
    ViewStreamBuf buffer(text);
    std::istream in(&buffer);
    YAML::Parser yaml(in);
    TreeBuilder tree(*doc.nodes_);
    if (yaml.HandleNextDocument(tree)) {
      std::deque<YamlNode> ignored;
      TreeBuilder second(ignored);
      if (yaml.HandleNextDocument(second)) {
        return InvalidArgument(name + ":" + std::to_string(second.start_line()) +
                               ": more than one YAML document; put everything in one");
      }
    }
    doc.root_ = tree.root();
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.is_null() ? 0 : e.mark.line + 1) +
                           ": invalid YAML: " + e.msg + " (column " +
                           std::to_string(e.mark.is_null() ? 0 : e.mark.column + 1) + ")");
  }
  return doc;
}

std::string Quote(std::string_view text) {
  return "'" + std::string(text) + "'";
}

Error YamlReader::ErrorAt(const YamlNode& node, const std::string& message) const {
  return InvalidArgument(source_ + ":" + std::to_string(node.line) + ": " + message);
}

Result<std::vector<YamlEntry>> YamlReader::Entries(const YamlNode& map, const std::string& context,
                                                   int depth) const {
  std::vector<YamlEntry> entries;
  std::vector<YamlEntry> merges;
  entries.reserve(map.children.size() / 2);
  for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
    const YamlNode& key = *map.children[i];
    if (!key.IsScalar()) return ErrorAt(key, context + "keys must be plain names");
    if (key.plain && key.Scalar() == kMergeKey) {
      merges.push_back({key, *map.children[i + 1]});
      continue;
    }
    for (const YamlEntry& seen : entries) {
      if (seen.name() == key.Scalar()) {
        return ErrorAt(key, context + "key " + Quote(seen.name()) +
                                " appears twice (first at line " + std::to_string(seen.key.line) +
                                ")");
      }
    }
    entries.push_back({key, *map.children[i + 1]});
  }
  for (const YamlEntry& merge : merges) {
    if (depth >= kMaxMergeDepth) {
      return ErrorAt(merge.key, context + "merge keys ('<<') nested more than " +
                                    std::to_string(kMaxMergeDepth) + " deep");
    }
    std::vector<const YamlNode*> sources;
    if (merge.value.IsMap()) {
      sources.push_back(&merge.value);
    } else if (merge.value.IsSequence()) {
      sources = merge.value.children;
    }
    if (sources.empty() || std::any_of(sources.begin(), sources.end(),
                                       [](const YamlNode* n) { return !n->IsMap(); })) {
      return ErrorAt(merge.key,
                     context + "'<<' must name a map or a list of maps, e.g. <<: *defaults");
    }
    for (const YamlNode* source : sources) {
      auto merged = Entries(*source, context, depth + 1);
      if (!merged.ok()) return merged.error();
      for (const YamlEntry& m : *merged) {
        const bool present = std::any_of(entries.begin(), entries.end(),
                                         [&](const YamlEntry& e) { return e.name() == m.name(); });
        if (!present) entries.push_back(m);
      }
    }
  }
  return entries;
}

Result<std::string> YamlReader::ScalarText(const YamlEntry& e, const std::string& context) const {
  if (e.value.IsScalar()) return e.value.Scalar();
  if (e.value.IsNull()) return ErrorAt(e.key, context + Quote(e.name()) + " has no value");
  return ErrorAt(e.key, context + Quote(e.name()) + " must be a single value, not a " +
                            (e.value.IsMap() ? "map" : "list"));
}

}  // namespace tocsin::config
