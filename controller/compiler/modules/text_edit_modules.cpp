// lineinfile, blockinfile and replace: edits inside a file the agent reads.
#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/module.h"

namespace sc::controller::modules {
namespace {

// Ansible's aliases for the edited file, shared by the three modules.
ArgSpec pathSpec() { return {"path", ArgType::String, {"dest", "destfile", "name"}, true}; }

std::vector<ArgSpec> commonSpecs(std::vector<ArgSpec> own) {
  own.push_back(pathSpec());
  for (ArgSpec spec : std::vector<ArgSpec>{{"backup", ArgType::Bool},
                                           {"validate", ArgType::String},
                                           {"owner", ArgType::String},
                                           {"group", ArgType::String},
                                           {"mode", ArgType::Mode}}) {
    own.push_back(spec);
  }
  return own;
}

}  // namespace

Result<CompiledResource> compileLineInFile(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = commonSpecs({
      {"line", ArgType::String, {"value"}},
      {"regexp", ArgType::String, {"regex"}},
      {"search_string", ArgType::String},
      {"insertafter", ArgType::String},
      {"insertbefore", ArgType::String},
      {"state", ArgType::String},
      {"backrefs", ArgType::Bool},
      {"firstmatch", ArgType::Bool},
      {"create", ArgType::Bool},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("lineinfile", args, specs, context.omit()));
  return CompiledResource{"lineinfile", std::move(params)};
}

Result<CompiledResource> compileBlockInFile(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = commonSpecs({
      {"block", ArgType::String, {"content"}},
      {"marker", ArgType::String},
      {"marker_begin", ArgType::String},
      {"marker_end", ArgType::String},
      {"insertafter", ArgType::String},
      {"insertbefore", ArgType::String},
      {"state", ArgType::String},
      {"create", ArgType::Bool},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("blockinfile", args, specs, context.omit()));
  return CompiledResource{"blockinfile", std::move(params)};
}

Result<CompiledResource> compileReplace(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = commonSpecs({
      {"regexp", ArgType::String, {}, true},
      {"replace", ArgType::String},
      {"after", ArgType::String},
      {"before", ArgType::String},
      {"encoding", ArgType::String},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("replace", args, specs, context.omit()));
  return CompiledResource{"replace", std::move(params)};
}

}  // namespace sc::controller::modules
