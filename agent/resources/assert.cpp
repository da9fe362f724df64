#include "agent/resources/assert.h"

namespace sc::agent {

Result<std::unique_ptr<Resource>> AssertResource::create(const manifest::ResourceSpec& spec,
                                                         const ResourceContext& /*context*/) {
  std::unique_ptr<AssertResource> self(new AssertResource(spec));
  Params params(spec);
  auto that = params.raw("that");
  if (!that) return params.error("that", "is required");
  const std::string pointer = spec.pointer + "/params/that";
  if (that->is_array()) {
    for (std::size_t i = 0; i < that->size(); ++i) {
      auto condition = manifest::parseCondition((*that)[i], fmt::format("{}/{}", pointer, i));
      if (!condition) {
        return params.error("that",
                            fmt::format("condition {}: {} (at {})", i, condition.error().message(),
                                        condition.error().where()));
      }
      self->that_.push_back(std::move(*condition));
    }
  } else {
    auto condition = manifest::parseCondition(*that, pointer);
    if (!condition) return params.error("that", condition.error().message());
    self->that_.push_back(std::move(*condition));
  }
  SC_TRY_ASSIGN(const auto fail_msg, params.optionalString("fail_msg"));
  SC_TRY_ASSIGN(const auto msg, params.optionalString("msg"));
  if (fail_msg && msg) return params.error("msg", "msg and fail_msg are mutually exclusive");
  if (fail_msg) self->fail_msg_ = *fail_msg;
  if (msg) self->fail_msg_ = *msg;
  SC_TRY_ASSIGN(self->success_msg_, params.string("success_msg", self->success_msg_));
  SC_TRY_ASSIGN(const bool quiet, params.boolean("quiet", false));
  (void)quiet;
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> AssertResource::bindRegistered(const nlohmann::json& registered) {
  first_false_.reset();
  for (std::size_t i = 0; i < that_.size(); ++i) {
    SC_TRY_ASSIGN(const bool holds, manifest::evaluate(that_[i], registered));
    if (!holds) {
      first_false_ = i;
      break;
    }
  }
  return ok();
}

Result<State> AssertResource::observe(Host& /*host*/) const {
  if (first_false_) {
    return Error(ErrorCode::AssertionFailed,
                 fmt::format("{} (condition {} of {} is false: {})", fail_msg_, *first_false_ + 1,
                             that_.size(), manifest::conditionToJson(that_[*first_false_]).dump()));
  }
  return State::object();
}

void AssertResource::describe(const State& /*current*/, nlohmann::json& result) const {
  result["msg"] = success_msg_;
}

}  // namespace sc::agent
