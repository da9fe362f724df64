#include "controller/compiler/variables.h"

#include <fmt/format.h>

namespace sc::controller::compiler {
namespace {

bool needsTemplating(const Data& value) {
  if (value.is_string()) return Templar::hasTemplate(value.get_ref<const std::string&>());
  if (value.is_array() || value.is_object()) {
    for (const Data& item : value) {
      if (needsTemplating(item)) return true;
    }
    if (value.is_object()) {
      for (const auto& [key, item] : value.items()) {
        if (Templar::hasTemplate(key)) return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<std::optional<Data>> VariableScope::lookup(std::string_view name) {
  if (run_time_ != nullptr && run_time_->count(std::string(name)) > 0) {
    return Error(ErrorCode::Schema,
                 fmt::format("'{}' is a result registered on the host at run time; it can be "
                             "read only in when:, changed_when:, failed_when: and module "
                             "arguments, not here",
                             name));
  }
  for (const Data* layer : layers_) {
    const auto it = layer->find(std::string(name));
    if (it == layer->end()) continue;
    if (!needsTemplating(*it)) return std::optional<Data>(*it);
    if (resolving_.count(name) > 0) {
      return Error(ErrorCode::Cycle,
                   fmt::format("variable '{}' refers to itself through its template", name));
    }
    resolving_.emplace(name);
    auto value = templar_.templateValue(*it, *this,
                                        yaml::Position{fmt::format("variable '{}'", name), 1, 1});
    resolving_.erase(resolving_.find(name));
    if (!value) return tl::unexpected(value.error());
    return std::optional<Data>(std::move(*value));
  }
  if (!missing_facts_.empty() && (name == "ansible_facts" || name.substr(0, 8) == "ansible_")) {
    return Error(ErrorCode::NotFound, missing_facts_);
  }
  return std::optional<Data>();
}

}  // namespace sc::controller::compiler
