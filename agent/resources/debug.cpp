#include "agent/resources/debug.h"

#include "common/manifest/condition.h"

namespace sc::agent {

Result<std::unique_ptr<Resource>> DebugResource::create(const manifest::ResourceSpec& spec,
                                                        const ResourceContext& /*context*/) {
  std::unique_ptr<DebugResource> self(new DebugResource(spec));
  Params params(spec);
  SC_TRY_ASSIGN(self->var_, params.optionalString("var"));
  auto msg = params.raw("msg");
  if (msg && self->var_) return params.error("msg", "msg and var are mutually exclusive");
  self->msg_ = msg.value_or(nlohmann::json("Hello world!"));
  if (self->var_) {
    if (auto path = manifest::parseFieldPath(*self->var_); !path) {
      return params.error("var", path.error().message());
    }
  }
  SC_TRY_ASSIGN(const auto verbosity, params.integer("verbosity"));
  (void)verbosity;  // printed at every verbosity; the CLI's -v filters output
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> DebugResource::bindRegistered(const nlohmann::json& registered) {
  if (!var_) return ok();
  SC_TRY_ASSIGN(const auto path, manifest::parseFieldPath(*var_));
  const nlohmann::json* value = manifest::lookupField(registered, path);
  var_value_ = value != nullptr ? *value : nlohmann::json("VARIABLE IS NOT DEFINED!");
  return ok();
}

void DebugResource::describe(const State& /*current*/, nlohmann::json& result) const {
  if (var_) {
    result[*var_] = var_value_;
    result["msg"] = fmt::format("{} = {}", *var_, var_value_.dump());
  } else {
    result["msg"] = msg_;
  }
}

}  // namespace sc::agent
