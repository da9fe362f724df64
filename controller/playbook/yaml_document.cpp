#include "controller/playbook/yaml_document.h"

#include <fcntl.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <istream>
#include <map>
#include <optional>
#include <set>
#include <streambuf>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/large_stack.h"
#include "common/text/utf8.h"

namespace sc::controller::yaml {
namespace {

// A read-only input buffer over text already in memory. yaml-cpp reads a
// std::istream, and a stringstream would hold a second copy of the file.
// Nothing writes through it: std::streambuf only moves its get pointer, and
// putting back a different character fails (pbackfail is not overridden).
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// Thrown inside the event handler to stop yaml-cpp's parser; caught in
// parseYaml() and never seen outside this file.
struct Stop {
  Error error;
};

std::size_t countNodes(const Node& node) {
  std::size_t count = 1;
  for (const auto& item : node.items) count += countNodes(item);
  for (const auto& [key, value] : node.entries) count += countNodes(key) + countNodes(value);
  return count;
}

class Builder final : public YAML::EventHandler {
 public:
  Builder(const std::string& file, const YamlLimits& limits) : file_(file), limits_(limits) {}

  std::vector<Node> documents;

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {
    documents.push_back(root_ ? std::move(*root_) : Node{});
    root_.reset();
    anchors_.clear();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    budget(mark, 1);
    Node node;
    node.position = at(mark);
    finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw Stop{error(mark, "alias to an unknown anchor")};
    budget(mark, it->second.second);
    Node copy = it->second.first;
    finish(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    budget(mark, 1);
    Node node;
    node.kind = Node::Kind::Scalar;
    node.position = at(mark);
    node.scalar = value;
    node.quoted = tag == "!";
    if (tag != "?" && tag != "!") node.tag = tag;
    finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(Node::Kind::Sequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(Node::Kind::Mapping, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    std::optional<Node> key;       // mappings: the key waiting for its value
    std::set<std::string> merged;  // keys that came from `<<` (explicit keys replace them)
  };

  Position at(const YAML::Mark& mark) const {
    return Position{file_, mark.line + 1, mark.column + 1};
  }

  Error error(const YAML::Mark& mark, std::string message) const {
    return Error(ErrorCode::Parse, std::move(message), at(mark).text());
  }

  void budget(const YAML::Mark& mark, std::size_t nodes) {
    nodes_ += nodes;
    if (nodes_ > limits_.max_nodes) {
      throw Stop{Error(ErrorCode::TooLarge,
                       fmt::format("more than {} nodes once aliases are expanded; refusing an "
                                   "alias bomb",
                                   limits_.max_nodes),
                       at(mark).text())};
    }
  }

  void open(Node::Kind kind, const YAML::Mark& mark, const std::string& tag,
            YAML::anchor_t anchor) {
    budget(mark, 1);
    if (stack_.size() + 1 > limits_.max_depth) {
      throw Stop{Error(ErrorCode::TooDeep,
                       fmt::format("nesting deeper than the limit of {}", limits_.max_depth),
                       at(mark).text())};
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.position = at(mark);
    if (tag != "?" && tag != "!") frame.node.tag = tag;
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(frame.node), frame.anchor);
  }

  // A complete node: remember it under its anchor and attach it to its parent.
  void finish(Node node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = {node, countNodes(node)};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == Node::Kind::Sequence) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.key) {
      parent.key = std::move(node);
      return;
    }
    Node key = std::move(*parent.key);
    parent.key.reset();
    if (key.isScalar() && !key.quoted && key.scalar == "<<") {
      merge(parent, node, key.position);
      return;
    }
    if (key.isScalar()) {
      if (parent.merged.erase(key.scalar) > 0) {
        for (auto& [k, v] : parent.node.entries) {
          if (k.isScalar() && k.scalar == key.scalar) v = std::move(node);
        }
        return;
      }
      if (parent.node.find(key.scalar) != nullptr) {
        throw Stop{Error(ErrorCode::Parse,
                         fmt::format("duplicate key '{}' (first at line {})", key.scalar,
                                     keyLine(parent.node, key.scalar)),
                         key.position.text())};
      }
    }
    parent.node.entries.emplace_back(std::move(key), std::move(node));
  }

  static int keyLine(const Node& mapping, const std::string& key) {
    for (const auto& [k, v] : mapping.entries) {
      if (k.isScalar() && k.scalar == key) return k.position.line;
    }
    return 0;
  }

  // YAML 1.1 merge keys (`<<: *defaults`), which PyYAML and so Ansible
  // honour: the mapping's own keys win, before or after the `<<`.
  void merge(Frame& frame, const Node& source, const Position& where) {
    Node& mapping = frame.node;
    const auto mergeOne = [&](const Node& from) {
      if (!from.isMapping()) {
        throw Stop{Error(ErrorCode::Parse, "'<<' merges mappings only", where.text())};
      }
      for (const auto& [key, value] : from.entries) {
        if (key.isScalar() && mapping.find(key.scalar) != nullptr) continue;
        if (key.isScalar()) frame.merged.insert(key.scalar);
        mapping.entries.emplace_back(key, value);
      }
    };
    if (source.isSequence()) {
      for (const auto& item : source.items) mergeOne(item);
    } else {
      mergeOne(source);
    }
  }

  SourceName file_;
  YamlLimits limits_;
  std::vector<Frame> stack_;
  std::optional<Node> root_;
  std::map<YAML::anchor_t, std::pair<Node, std::size_t>> anchors_;
  std::size_t nodes_ = 0;
};

// True when line `line` (0-based) of `text` has a tab before its first
// non-blank character: the usual cause of yaml-cpp's terse messages.
bool indentedWithTab(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 0; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return false;
    ++start;
  }
  for (std::size_t i = start; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i) {
    if (text[i] == '\t') return true;
  }
  return false;
}

}  // namespace

Position positionOf(const std::string& file, std::string_view text, std::size_t offset) {
  Position at{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

std::string Position::text() const { return fmt::format("{}:{}:{}", file.str(), line, column); }

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.isScalar() && k.scalar == key) return &v;
  }
  return nullptr;
}

Result<std::vector<Node>> parseYaml(std::string_view text, const std::string& file,
                                    const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(ErrorCode::TooLarge,
                 fmt::format("{} bytes, over the limit of {}", text.size(), limits.max_bytes),
                 file);
  }
  if (const std::size_t bad = text::utf8::firstInvalid(text); bad != std::string_view::npos) {
    return Error(ErrorCode::Encoding,
                 fmt::format("invalid UTF-8 (byte 0x{:02x}); YAML files must be UTF-8",
                             static_cast<unsigned char>(text[bad])),
                 positionOf(file, text, bad).text());
  }
  // yaml-cpp's parser recurses per nesting level (with its own guard at
  // 2000 levels); run it where that depth cannot overflow the stack.
  return runWithLargeStack([&]() -> Result<std::vector<Node>> {
    ViewBuffer buffer(text);
    std::istream in(&buffer);
    Builder builder(file, limits);
    try {
      YAML::Parser parser(in);
      while (parser.HandleNextDocument(builder)) {
      }
    } catch (const Stop& stop) {
      return stop.error;
    } catch (const YAML::Exception& ex) {
      std::string message = ex.msg;
      if (indentedWithTab(text, ex.mark.line)) {
        message += " (this line is indented with a tab; YAML indents with spaces)";
      }
      return Error(ErrorCode::Parse, message,
                   Position{file, ex.mark.line + 1, ex.mark.column + 1}.text());
    }
    return std::move(builder.documents);
  });
}

Result<std::vector<Node>> loadYamlFile(const std::string& path, const YamlLimits& limits) {
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError(errno, "cannot read the file", path);
  // Never more than the limit in memory, however large the file.
  auto text = fs::readAllCapped(fd.get(), limits.max_bytes);
  if (!text) {
    if (text.error().code() == ErrorCode::TooLarge) {
      return Error(ErrorCode::TooLarge,
                   fmt::format("more than {0} bytes, over the limit of {0}", limits.max_bytes),
                   path);
    }
    return Error(text.error().code(), "cannot read the file", path, text.error().cause());
  }
  return parseYaml(*text, path, limits);
}

std::string renderDiagnostic(const Error& error, std::string_view source) {
  std::string out = error.describe();
  // where() is "file:line:col"; take line and column from the end.
  const std::string& where = error.where();
  const auto last = where.rfind(':');
  const auto middle = last == std::string::npos ? std::string::npos : where.rfind(':', last - 1);
  if (middle == std::string::npos || source.empty()) return out;
  const int line = std::atoi(where.c_str() + middle + 1);
  const int column = std::atoi(where.c_str() + last + 1);
  if (line <= 0 || column <= 0) return out;
  std::size_t start = 0;
  for (int i = 1; i < line && start != std::string_view::npos; ++i) {
    start = source.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos || start > source.size()) return out;
  const auto end = source.find('\n', start);
  const std::string_view text =
      source.substr(start, end == std::string_view::npos ? end : end - start);
  const std::string gutter = fmt::format("{:>5} | ", line);
  out += fmt::format("\n{}{}\n{:>5} | {}^", gutter, text, "",
                     std::string(static_cast<std::size_t>(column - 1), ' '));
  return out;
}

}  // namespace sc::controller::yaml
