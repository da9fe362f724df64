// Kind `fail`: Ansible's ansible.builtin.fail. Always fails with `msg`;
// the engine only reaches it when its `when` holds.
#pragma once

#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

class FailResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context) {
    std::unique_ptr<FailResource> self(new FailResource(spec));
    Params params(spec);
    SC_TRY_ASSIGN(self->msg_, params.string("msg", "Failed as requested from task"));
    SC_TRY(params.finish());
    (void)context;
    return std::unique_ptr<Resource>(std::move(self));
  }
  Result<void> validate() const override { return ok(); }
  Result<State> observe(Host& /*host*/) const override {
    return Error(ErrorCode::AssertionFailed, msg_);
  }
  Diff diff(const State& /*current*/) const override { return {}; }
  Result<void> apply(Host&, const State&, const Diff&, nlohmann::json&) override { return ok(); }
  std::string title() const override { return "fail[" + spec_.id + "]"; }

 private:
  explicit FailResource(const manifest::ResourceSpec& spec) : spec_(spec) {}
  const manifest::ResourceSpec& spec_;
  std::string msg_;
};

}  // namespace sc::agent
