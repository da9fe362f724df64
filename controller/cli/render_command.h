// `scctl render`: print a template rendered with the given variables, for
// debugging templates without a playbook run.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sc::controller::cli {

struct RenderArgs {
  std::string template_path;
  std::vector<std::string> extra_vars;
};

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args);
int runRender(const RenderArgs& args);

}  // namespace sc::controller::cli
