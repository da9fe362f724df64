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
#include "common/text/suggest.h"

namespace sc::agent {
namespace {

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
    std::vector<std::string_view> known;
    for (const auto& [kind, factory] : factories_) known.push_back(kind);
    const std::string message = fmt::format("resource '{}': unknown kind '{}'{}", spec.id,
                                            spec.type, text::didYouMean(spec.type, known));
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
