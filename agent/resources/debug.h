// Kind `debug`: Ansible's ansible.builtin.debug. Prints `msg` (resolved by
// the controller) or the registered value named by `var` (looked up at run
// time). Never changes anything.
#pragma once

#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

class DebugResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override { return ok(); }
  Result<void> bindRegistered(const nlohmann::json& registered) override;
  Result<State> observe(Host& /*host*/) const override { return State::object(); }
  Diff diff(const State& /*current*/) const override { return {}; }
  Result<void> apply(Host&, const State&, const Diff&, nlohmann::json&) override { return ok(); }
  void describe(const State& current, nlohmann::json& result) const override;
  std::string title() const override { return "debug[" + spec_.id + "]"; }

 private:
  explicit DebugResource(const manifest::ResourceSpec& spec) : spec_(spec) {}
  const manifest::ResourceSpec& spec_;
  nlohmann::json msg_;
  std::optional<std::string> var_;
  nlohmann::json var_value_;
};

}  // namespace sc::agent
