// Kind `meta`: Ansible's `meta:` actions that make sense on an agent.
// `action: flush_handlers` runs the handlers notified so far (the engine
// acts on it); `action: noop` does nothing. Others are compile errors on
// the controller and schema errors here.
#pragma once

#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

class MetaResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context) {
    std::unique_ptr<MetaResource> self(new MetaResource());
    Params params(spec);
    SC_TRY_ASSIGN(self->action_, params.requiredString("action"));
    if (self->action_ != "flush_handlers" && self->action_ != "noop") {
      return params.error("action", fmt::format("'{}' is not supported; expected flush_handlers "
                                                "or noop",
                                                self->action_));
    }
    SC_TRY(params.finish());
    (void)context;
    return std::unique_ptr<Resource>(std::move(self));
  }
  static bool isFlush(const manifest::ResourceSpec& spec) {
    return spec.type == "meta" && spec.params.value("action", "") == "flush_handlers";
  }
  Result<void> validate() const override { return ok(); }
  Result<State> observe(Host& /*host*/) const override { return State::object(); }
  Diff diff(const State& /*current*/) const override { return {}; }
  Result<void> apply(Host&, const State&, const Diff&, nlohmann::json&) override { return ok(); }
  std::string title() const override { return "meta[" + action_ + "]"; }

 private:
  MetaResource() = default;
  std::string action_;
};

}  // namespace sc::agent
