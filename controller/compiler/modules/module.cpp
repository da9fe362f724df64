#include "controller/compiler/modules/module.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace sc::controller::modules {
namespace {

using Compiler = Result<CompiledResource> (*)(const Data&, ModuleContext&);

constexpr std::array<std::pair<std::string_view, Compiler>, 12> kModules{{
    {"file", compileFile},
    {"copy", compileCopy},
    {"template", compileTemplate},
    {"lineinfile", compileLineInFile},
    {"blockinfile", compileBlockInFile},
    {"replace", compileReplace},
    {"command", compileCommand},
    {"shell", compileShell},
    {"stat", compileStat},
    {"debug", compileDebug},
    {"fail", compileFail},
    {"meta", compileMeta},
}};

}  // namespace

bool isCompiledModule(std::string_view module) {
  for (const auto& [name, compiler] : kModules) {
    if (name == module) return true;
  }
  return false;
}

Result<CompiledResource> compileModule(std::string_view module, const Data& args,
                                       ModuleContext& context) {
  for (const auto& [name, compiler] : kModules) {
    if (name == module) return compiler(args, context);
  }
  return Error(ErrorCode::Schema,
               fmt::format("module '{}' is not supported by this version of smartcookies", module));
}

}  // namespace sc::controller::modules
