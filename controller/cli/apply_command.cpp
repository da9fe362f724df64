#include "controller/cli/apply_command.h"

#include <malloc.h>

#include <cstdio>

#include "agent/cli/options.h"
#include "agent/facts/fact_probe.h"
#include "agent/facts/facts.h"
#include "common/exit_codes.h"
#include "controller/cli/compile_command.h"

namespace sc::controller::cli {

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args) {
  auto* command = app.add_subcommand("apply", "Compile a playbook and apply it");
  command->footer(R"(Examples:
  scctl apply site.yml -i localhost, -c local --check --diff
  scctl apply site.yml -i localhost, -c local --root /tmp/sandbox -e env=test

Only -c local exists yet: every targeted host is applied on this machine,
one after the other. Exit codes are sc-agent apply's (0 done, 1 failed,
3 rejected, 4 changes pending with --check --detailed-exitcode, 5 busy).
)");
  addPlaybookOptions(*command, args.playbook);
  command->add_option("-c,--connection", args.connection, "How to reach the hosts: local")
      ->default_val("agent");
  command->add_flag("-C,--check", args.agent.check, "Show what would change; change nothing");
  command->add_flag("-D,--diff", args.agent.diff, "Show the differences in changed files");
  command->add_flag("--detailed-exitcode", args.agent.detailed_exitcode,
                    "With --check: exit 4 when something would change");
  command->add_option("-t,--tags", args.agent.tags, "Only resources with these tags")
      ->delimiter(',');
  command->add_option("--skip-tags", args.agent.skip_tags, "Skip resources with these tags")
      ->delimiter(',');
  command->add_flag("--json", args.agent.json, "Print one JSON report per host");
  command->add_flag("-q,--quiet", args.agent.quiet, "Print only changed and failed resources");
  command->add_option("--timeout", args.agent.timeout_seconds, "Whole-run deadline in seconds");
  agent::cli::addCommonOptions(*command, args.agent.common, /*with_root=*/true);
  return command;
}

int runApply(const ApplyArgs& args) {
  if (args.connection != "local") {
    std::fprintf(stderr,
                 "error: -c %s is not available yet; use -c local to apply on this machine\n",
                 args.connection.c_str());
    return exit_code::kUsage;
  }
  // Peak RSS is a target (bench/README.md). One malloc arena: the compiler
  // runs on its own thread (for its deep stack), and a second arena keeps
  // what that thread freed out of reach of the engine that runs next; no
  // top padding: the heap grows by what is asked, not 128 KiB more.
  ::mallopt(M_ARENA_MAX, 1);
  ::mallopt(M_TOP_PAD, 0);
  // -c local: every host is this machine, so its facts are gathered here
  // (as sc-agent facts does) when a play gathers facts; the Python facts
  // are cached in the state directory.
  auto result = compileForCli(args.playbook, 0, [&args] {
    agent::PosixFactProbe probe("/");
    if (auto state = agent::cli::openStateDir(args.agent.common)) {
      probe.cachePythonIn(state->pythonFactsCache());
    }
    return Data::parse(agent::gatherFacts(probe).dump());
  });
  if (!result) return exit_code::kRejected;
  // What compiling freed (YAML trees, variable layers; much of it in the
  // parser thread's malloc arena, which this thread never reuses) goes back
  // to the system before the engine runs: peak RSS is a target
  // (bench/README.md).
  ::malloc_trim(0);
  int worst = exit_code::kDone;
  for (const auto& manifest : result->manifests) {
    if (result->manifests.size() > 1) std::fprintf(stdout, "\nHOST %s\n", manifest.host.c_str());
    agent::cli::ApplyArgs agent_args = args.agent;
    agent_args.manifest_path = args.playbook.playbook;
    const int code = agent::cli::applyManifest(manifest, agent_args);
    if (code != exit_code::kDone && (worst == exit_code::kDone || code == exit_code::kFailed)) {
      worst = code;
    }
  }
  return worst;
}

}  // namespace sc::controller::cli
