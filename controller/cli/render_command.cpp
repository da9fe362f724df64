#include "controller/cli/render_command.h"

#include <cstdio>

#include "common/exit_codes.h"
#include "controller/cli/playbook_options.h"
#include "controller/compiler/templar.h"

namespace sc::controller::cli {

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args) {
  auto* command = app.add_subcommand("render", "Print a Jinja2 template rendered as Ansible would");
  command->footer(R"(Examples:
  scctl render roles/web/templates/site.conf.j2 -e server_name=example.org -e @vars.yml
)");
  command->add_option("template", args.template_path, "The template file")->required();
  command
      ->add_option("-e,--extra-vars", args.extra_vars,
                   "Variables as key=value, @FILE or a JSON/YAML mapping (repeatable)")
      ->allow_extra_args(false);
  return command;
}

int runRender(const RenderArgs& args) {
  PlaybookOptions options;
  options.extra_vars = args.extra_vars;
  auto compile_options = toCompileOptions(options);
  if (!compile_options) {
    printCompileError(compile_options.error());
    return exit_code::kUsage;
  }
  compiler::Templar templar;
  jinja::DataScope scope(compile_options->extra_vars);
  auto rendered = templar.renderFile(args.template_path, scope);
  if (!rendered) {
    printCompileError(rendered.error());
    return exit_code::kRejected;
  }
  std::fwrite(rendered->data(), 1, rendered->size(), stdout);
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
