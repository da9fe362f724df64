#include "controller/cli/playbook_options.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "controller/playbook/kv_args.h"
#include "controller/playbook/yaml_document.h"
#include "controller/playbook/yaml_value.h"

namespace sc::controller::cli {
namespace {

Result<Data> parseExtraVars(const std::string& text) {
  if (!text.empty() && text.front() == '@') {
    const std::string path = text.substr(1);
    SC_TRY_ASSIGN(const auto documents, yaml::loadYamlFile(path));
    if (documents.empty()) return Data::object();
    SC_TRY_ASSIGN(Data vars, toData(documents.front()));
    if (!vars.is_object()) {
      return Error(ErrorCode::Schema, "extra vars must be a mapping", path);
    }
    return vars;
  }
  if (!text.empty() && (text.front() == '{' || text.front() == '[')) {
    SC_TRY_ASSIGN(const auto documents, yaml::parseYaml(text, "-e"));
    SC_TRY_ASSIGN(Data vars, toData(documents.front()));
    if (!vars.is_object()) return Error(ErrorCode::Schema, "extra vars must be a mapping", "-e");
    return vars;
  }
  SC_TRY_ASSIGN(const auto pairs, playbook::parseKeyValueArgs(text, false));
  Data vars = Data::object();
  for (const auto& [key, value] : pairs) {
    if (key == "_raw_params") {
      return Error(ErrorCode::InvalidArgument,
                   "-e takes key=value pairs, @FILE or a JSON/YAML mapping; '" + value +
                       "' is none of them");
    }
    vars[key] = value;
  }
  return vars;
}

std::string readSource(const std::string& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void addPlaybookOptions(CLI::App& command, PlaybookOptions& options) {
  command.add_option("playbook", options.playbook, "The playbook (YAML)")->required();
  command
      .add_option("-i,--inventory", options.inventories,
                  "Inventory file, directory or comma-separated host list (repeatable); "
                  "default: the implicit localhost")
      ->allow_extra_args(false);
  command.add_option("-l,--limit", options.limits, "Further limit the hosts with a pattern")
      ->allow_extra_args(false);
  command
      .add_option("-e,--extra-vars", options.extra_vars,
                  "Variables as key=value, @FILE (YAML/JSON) or a JSON/YAML mapping; they win "
                  "over every other variable (repeatable)")
      ->allow_extra_args(false);
  command.add_option("--facts", options.facts_dir,
                     "Directory of cached facts: one JSON object per host in DIR/HOST or "
                     "DIR/HOST.json (Ansible's jsonfile fact cache works)");
  command
      .add_option("--roles-path", options.roles_path,
                  "Directory searched for roles after roles/ beside the playbook (repeatable)")
      ->allow_extra_args(false);
  command.add_flag("--allow-pipe", options.allow_pipe,
                   "Let lookup('pipe', CMD) and commands delegated to localhost run on this "
                   "machine while the playbook compiles (off: they are errors)");
}

Result<compiler::CompileOptions> toCompileOptions(const PlaybookOptions& options) {
  compiler::CompileOptions out;
  out.playbook = options.playbook;
  out.inventories = options.inventories;
  out.limits = options.limits;
  out.facts_dir = options.facts_dir;
  out.roles_path = options.roles_path;
  out.allow_pipe = options.allow_pipe;
  for (const std::string& text : options.extra_vars) {
    SC_TRY_ASSIGN(const Data vars, parseExtraVars(text));
    for (const auto& [key, value] : vars.items()) out.extra_vars[key] = value;
  }
  return out;
}

void printCompileError(const Error& error) {
  std::string source;
  const std::string& where = error.where();
  if (const std::size_t colon = where.find(':'); colon != std::string::npos) {
    source = readSource(where.substr(0, colon));
  }
  std::fprintf(stderr, "%s\n", yaml::renderDiagnostic(error, source).c_str());
}

}  // namespace sc::controller::cli
