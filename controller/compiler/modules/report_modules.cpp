// stat, debug, fail and meta: modules that read, print or steer the run.
#include <fmt/format.h>

#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/module.h"

namespace sc::controller::modules {

Result<CompiledResource> compileStat(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs{
      {"path", ArgType::String, {"dest", "name"}, true},
      {"get_checksum", ArgType::Bool},
      {"checksum_algorithm", ArgType::String, {"checksum", "checksum_algo"}},
      {"follow", ArgType::Bool},
      // Accepted because playbooks set them to save time; the agent never
      // gathers MIME types or attributes, so they change nothing.
      {"get_mime", ArgType::Bool, {"mime", "mime_type", "mime-type"}},
      {"get_attributes", ArgType::Bool, {"attr", "attributes"}},
  };
  SC_TRY_ASSIGN(Data params, applyArgSpec("stat", args, specs, context.omit()));
  params.erase("get_mime");
  params.erase("get_attributes");
  return CompiledResource{"stat", std::move(params)};
}

Result<CompiledResource> compileDebug(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs{
      {"msg", ArgType::Raw}, {"var", ArgType::String}, {"verbosity", ArgType::Int}};
  SC_TRY_ASSIGN(Data params, applyArgSpec("debug", args, specs, context.omit()));
  return CompiledResource{"debug", std::move(params)};
}

Result<CompiledResource> compileFail(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs{{"msg", ArgType::String}};
  SC_TRY_ASSIGN(Data params, applyArgSpec("fail", args, specs, context.omit()));
  return CompiledResource{"fail", std::move(params)};
}

Result<CompiledResource> compileMeta(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs{{"_raw_params", ArgType::String, {}, true}};
  SC_TRY_ASSIGN(Data params, applyArgSpec("meta", args, specs, context.omit()));
  const std::string action = params["_raw_params"].get<std::string>();
  if (action != "flush_handlers" && action != "noop") {
    return Error(ErrorCode::Schema,
                 fmt::format("meta: {} is not supported (flush_handlers and noop are)", action));
  }
  return CompiledResource{"meta", Data{{"action", action}}};
}

}  // namespace sc::controller::modules
