#include "agent/resources/registry.h"

#include <algorithm>

#include "agent/resources/assert.h"
#include "agent/resources/block_in_file.h"
#include "agent/resources/command.h"
#include "agent/resources/copy.h"
#include "agent/resources/debug.h"
#include "agent/resources/fail.h"
#include "agent/resources/file.h"
#include "agent/resources/line_in_file.h"
#include "agent/resources/meta.h"
#include "agent/resources/replace.h"
#include "agent/resources/stat.h"

namespace sc::agent {
namespace {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Registry makeBuiltinRegistry() {
  Registry registry;
  registry.add<FileResource>("file");
  registry.add<CopyResource>("copy");
  registry.add<CopyResource>("template");  // rendered by the controller; written like copy
  registry.add<LineInFileResource>("lineinfile");
  registry.add<BlockInFileResource>("blockinfile");
  registry.add<ReplaceResource>("replace");
  registry.add<CommandResource>("command");
  registry.add<CommandResource>("shell");  // a script for /bin/sh -c, untouched
  registry.add<StatResource>("stat");
  registry.add<DebugResource>("debug");
  registry.add<AssertResource>("assert");
  registry.add<FailResource>("fail");
  registry.add<MetaResource>("meta");
  return registry;
}

}  // namespace

void Registry::add(const std::string& kind, ResourceFactory factory) {
  SC_CHECK(!kind.empty(), "every kind needs a name");
  SC_CHECK(factory != nullptr, "every kind needs a factory");
  SC_CHECK(factories_.emplace(kind, factory).second, "kind names are unique");
}

Result<std::unique_ptr<Resource>> Registry::create(const manifest::ResourceSpec& spec,
                                                   const ResourceContext& context) const {
  const auto it = factories_.find(spec.type);
  if (it == factories_.end()) {
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& [kind, factory] : factories_) {
      const auto distance = editDistance(spec.type, kind);
      if (distance < best_distance) {
        best = kind;
        best_distance = distance;
      }
    }
    std::string message = fmt::format("resource '{}': unknown kind '{}'", spec.id, spec.type);
    if (!best.empty()) message += fmt::format("; did you mean '{}'?", best);
    return Error(ErrorCode::Schema, message, spec.pointer + "/type");
  }
  return it->second(spec, context);
}

std::vector<std::string> Registry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, factory] : factories_) out.push_back(kind);
  return out;
}

const Registry& builtinRegistry() {
  static const Registry registry = makeBuiltinRegistry();
  return registry;
}

}  // namespace sc::agent
