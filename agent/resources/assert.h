// Kinds `assert` and `fail`: Ansible's ansible.builtin.assert and
// ansible.builtin.fail. `assert` evaluates its `that` conditions over the
// registered results at run time and fails with `fail_msg` when one is
// false; `fail` always fails with `msg` (guard it with `when`).
#pragma once

#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"
#include "common/manifest/condition.h"

namespace sc::agent {

class AssertResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override { return ok(); }
  Result<void> bindRegistered(const nlohmann::json& registered) override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& /*current*/) const override { return {}; }
  Result<void> apply(Host&, const State&, const Diff&, nlohmann::json&) override { return ok(); }
  void describe(const State& current, nlohmann::json& result) const override;
  std::string title() const override { return "assert[" + spec_.id + "]"; }

 private:
  explicit AssertResource(const manifest::ResourceSpec& spec) : spec_(spec) {}
  const manifest::ResourceSpec& spec_;
  std::vector<manifest::Condition> that_;
  std::string fail_msg_ = "Assertion failed";
  std::string success_msg_ = "All assertions passed";
  std::optional<std::size_t> first_false_;
};

}  // namespace sc::agent
