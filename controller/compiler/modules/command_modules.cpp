// command and shell: a command line from the playbook becomes argv (command)
// or a script for the shell (shell); the guards and options pass through.
#include <fmt/format.h>

#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/module.h"
#include "controller/compiler/modules/shell_words.h"

namespace sc::controller::modules {
namespace {

std::vector<ArgSpec> commandSpecs(std::vector<ArgSpec> own) {
  for (ArgSpec spec : std::vector<ArgSpec>{{"_raw_params", ArgType::String},
                                           {"cmd", ArgType::String},
                                           {"creates", ArgType::String},
                                           {"removes", ArgType::String},
                                           {"chdir", ArgType::String},
                                           {"stdin", ArgType::String},
                                           {"stdin_add_newline", ArgType::Bool},
                                           {"strip_empty_ends", ArgType::Bool}}) {
    own.push_back(spec);
  }
  return own;
}

// The command line: free-form words or cmd:, never both.
Result<std::string> commandLine(std::string_view module, Data& params) {
  const bool raw = params.contains("_raw_params");
  const bool cmd = params.contains("cmd");
  if (raw && cmd) {
    return Error(ErrorCode::Schema,
                 fmt::format("module '{}': give the command either free-form or as cmd:, not "
                             "both",
                             module));
  }
  std::string line = raw   ? params["_raw_params"].get<std::string>()
                     : cmd ? params["cmd"].get<std::string>()
                           : std::string();
  params.erase("_raw_params");
  params.erase("cmd");
  return line;
}

void addEnvironment(Data& params, ModuleContext& context) {
  Data environment = context.environment();
  if (environment.is_object() && !environment.empty()) params["environment"] = environment;
}

}  // namespace

Result<CompiledResource> compileCommand(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = commandSpecs({{"argv", ArgType::StringList}});
  SC_TRY_ASSIGN(Data params, applyArgSpec("command", args, specs, context.omit()));
  SC_TRY_ASSIGN(const std::string line, commandLine("command", params));
  if (!line.empty() && params.contains("argv")) {
    return Error(ErrorCode::Schema, "module 'command': give a command line or argv:, not both");
  }
  if (!params.contains("argv")) {
    SC_TRY_ASSIGN(std::vector<std::string> words, splitShellWords(line));
    if (words.empty()) return Error(ErrorCode::Schema, "module 'command' needs a command to run");
    params["argv"] = words;
  }
  addEnvironment(params, context);
  return CompiledResource{"command", std::move(params)};
}

Result<CompiledResource> compileShell(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = commandSpecs({{"executable", ArgType::String}});
  SC_TRY_ASSIGN(Data params, applyArgSpec("shell", args, specs, context.omit()));
  SC_TRY_ASSIGN(const std::string line, commandLine("shell", params));
  if (line.empty()) return Error(ErrorCode::Schema, "module 'shell' needs a command to run");
  params["cmd"] = line;
  addEnvironment(params, context);
  return CompiledResource{"shell", std::move(params)};
}

}  // namespace sc::controller::modules
