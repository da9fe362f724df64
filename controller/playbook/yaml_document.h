// YAML documents with positions, for playbooks, inventories, roles and
// vars files. Every node keeps its file, line and column, so that every
// later error can name them; loading refuses what would otherwise pass
// silently or hurt the controller:
//   - duplicate mapping keys (PyYAML keeps the last one without a word);
//   - nesting deeper than YamlLimits::max_depth (SECURITY.md B-02);
//   - alias expansion past YamlLimits::max_nodes ("billion laughs", B-03);
//   - documents larger than YamlLimits::max_bytes.
// Scalars stay text with their style (plain or quoted): resolving "yes",
// "0644" or "1.0" to typed values follows YAML 1.1 as Ansible does, and is
// the compiler's job, not the loader's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace sc::controller::yaml {

// A file's name as positions hold it: shared by every position in the
// file. A parsed file has a node per scalar, and a copy of its path in
// each was a large part of a small node.
class SourceName {
 public:
  SourceName() = default;
  // Implicit: wherever a position is made, a name is what is at hand.
  SourceName(std::string name) : name_(std::make_shared<const std::string>(std::move(name))) {}
  SourceName(const char* name) : SourceName(std::string(name)) {}

  const std::string& str() const { return name_ ? *name_ : kEmpty; }
  operator const std::string&() const { return str(); }

 private:
  static inline const std::string kEmpty;
  std::shared_ptr<const std::string> name_;
};

struct Position {
  SourceName file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based

  std::string text() const;  // "site.yml:14:9"
};

// The line and column (1-based, in bytes) of `offset` in `text`.
Position positionOf(const std::string& file, std::string_view text, std::size_t offset);

struct MappingEntry;

class Node {
 public:
  enum class Kind { Null, Scalar, Sequence, Mapping };

  Kind kind = Kind::Null;
  Position position;
  std::string scalar;                 // Scalar: the text
  bool quoted = false;                // Scalar: written in quotes (never typed as bool/int)
  std::string tag;                    // explicit tag such as "!vault", else empty
  std::vector<Node> items;            // Sequence
  std::vector<MappingEntry> entries;  // Mapping, in document order

  bool isNull() const { return kind == Kind::Null; }
  bool isScalar() const { return kind == Kind::Scalar; }
  bool isSequence() const { return kind == Kind::Sequence; }
  bool isMapping() const { return kind == Kind::Mapping; }

  // Mapping lookup by scalar key; null when absent.
  const Node* find(std::string_view key) const;
};

// One key and its value. A struct rather than std::pair so the vector in
// Node can hold it while Node is still incomplete (clang's libstdc++ use
// instantiates pair eagerly).
struct MappingEntry {
  MappingEntry(Node key, Node value) : first(std::move(key)), second(std::move(value)) {}
  Node first;
  Node second;
};

struct YamlLimits {
  std::size_t max_depth = 64;
  std::size_t max_nodes = 1'000'000;  // after alias expansion
  std::uint64_t max_bytes = 16ull << 20;
};

// Every document in `text`. `file` names the source in positions.
Result<std::vector<Node>> parseYaml(std::string_view text, const std::string& file,
                                    const YamlLimits& limits = {});

// Reads and parses a file.
Result<std::vector<Node>> loadYamlFile(const std::string& path, const YamlLimits& limits = {});

// A compiler-style diagnostic for an error whose where() is "file:line:col":
//   site.yml:14:9: error: unknown module 'coppy'; did you mean 'copy'?
//      14 |     - coppy: src=a dest=b
//         |       ^
// `source` is the file's text; without it only the first line is printed.
std::string renderDiagnostic(const Error& error, std::string_view source);

}  // namespace sc::controller::yaml
