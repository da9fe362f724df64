// Ansible modules compiled into manifest resources. One function per module
// family turns a task's templated arguments into the kind and params the
// agent applies (docs/resources.md); what only the controller can do
// happens here: a copy's `src` is read from the role's or playbook's
// files/, a template is rendered, a command line is split into argv.
// Modules that act at compile time (set_fact, include_vars, includes) are
// the compiler's own, not here.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller::modules {

// What a module needs from the compiler.
class ModuleContext {
 public:
  virtual ~ModuleContext() = default;
  // The placeholder `omit` renders to.
  virtual std::string_view omit() const = 0;
  // The controller-side file a relative `src` names, searched as Ansible
  // does (the role's files/ or templates/, then beside the playbook);
  // `folder` is "files" or "templates".
  virtual Result<std::string> findSource(std::string_view src, std::string_view folder) = 0;
  // Renders a template file with the task's variables.
  virtual Result<std::string> renderTemplate(const std::string& path) = 0;
  // The task's `environment:` (a dict of strings), null when none.
  virtual Data environment() const = 0;
};

struct CompiledResource {
  std::string type;  // the agent's kind
  Data params = Data::object();
};

// `module` is the short name ("copy"). Unknown or unsupported modules are
// errors naming them.
Result<CompiledResource> compileModule(std::string_view module, const Data& args,
                                       ModuleContext& context);

// Whether compileModule() knows `module`.
bool isCompiledModule(std::string_view module);

// The families, one file each.
Result<CompiledResource> compileFile(const Data& args, ModuleContext& context);
Result<CompiledResource> compileCopy(const Data& args, ModuleContext& context);
Result<CompiledResource> compileTemplate(const Data& args, ModuleContext& context);
Result<CompiledResource> compileLineInFile(const Data& args, ModuleContext& context);
Result<CompiledResource> compileBlockInFile(const Data& args, ModuleContext& context);
Result<CompiledResource> compileReplace(const Data& args, ModuleContext& context);
Result<CompiledResource> compileCommand(const Data& args, ModuleContext& context);
Result<CompiledResource> compileShell(const Data& args, ModuleContext& context);
Result<CompiledResource> compileStat(const Data& args, ModuleContext& context);
Result<CompiledResource> compileDebug(const Data& args, ModuleContext& context);
Result<CompiledResource> compileFail(const Data& args, ModuleContext& context);
Result<CompiledResource> compileMeta(const Data& args, ModuleContext& context);

}  // namespace sc::controller::modules
