#include "controller/cli/apply_command.h"

#include <malloc.h>

#include <cstdio>
#include <map>

#include "agent/cli/options.h"
#include "agent/facts/fact_probe.h"
#include "agent/facts/facts.h"
#include "common/envelope/ed25519.h"
#include "common/exit_codes.h"
#include "common/limits.h"
#include "common/log/log.h"
#include "common/text/escape.h"
#include "common/time/duration.h"
#include "controller/cli/compile_command.h"
#include "controller/push/admin_client.h"
#include "controller/push/fleet_run.h"
#include "controller/push/sign_manifest.h"

namespace sc::controller::cli {

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args) {
  auto* command = app.add_subcommand("apply", "Compile a playbook and apply it");
  command->footer(R"(Examples:
  scctl apply site.yml -i hosts.ini                        # push to the connected agents
  scctl apply site.yml -i hosts.ini -l web1 --check --diff
  scctl apply site.yml -i localhost, -c local --root /tmp/sandbox -e env=test

-c agent (the default): facts come from the connected agents, each host's
manifest is signed with --sign and pushed through the running 'scctl serve';
lines stream as each host runs, then a recap lists every targeted host.
Hosts without a session are listed as unreachable.
-c local: every targeted host is applied on this machine, one after another.

Exit codes: 0 done, 1 a host failed or refused its manifest, 2 bad usage,
3 the playbook was rejected, 4 changes pending (-c local with --check
--detailed-exitcode), 5 busy, 6 unreachable hosts (all others converged).
)");
  addPlaybookOptions(*command, args.playbook);
  command->add_option("-c,--connection", args.connection, "How to reach the hosts: agent or local")
      ->default_val("agent")
      ->check(CLI::IsMember({"agent", "local"}));
  command->add_option("--admin-socket", args.admin_socket, "-c agent: the socket of scctl serve")
      ->default_val(push::kDefaultAdminSocket);
  command->add_option("--sign", args.sign_key, "-c agent: the key that signs the manifests")
      ->default_val("/etc/smartcookies/signing.key");
  command
      ->add_option("--facts-max-age", args.facts_max_age,
                   "-c agent: use facts an agent gathered up to this long ago (0: gather now)")
      ->default_val("10m");
  command->add_option("--valid-for", args.valid_for, "-c agent: how long the manifests stay valid")
      ->default_val("1h");
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

namespace {

int failWith(const Error& error) {
  std::fprintf(stderr, "scctl: %s\n", error.describe().c_str());
  return exit_code::kFailed;
}

// -c agent: facts from the agents, compile, sign, push, recap.
int runOnAgents(const ApplyArgs& args) {
  if (args.agent.common.verbosity > 0) {
    log::setupLogging(args.agent.common.verbosity > 1 ? log::Verbosity::Debug
                                                      : log::Verbosity::Verbose);
  }
  if (!args.agent.tags.empty() || !args.agent.skip_tags.empty() || args.agent.json ||
      !args.agent.common.root.empty()) {
    std::fprintf(stderr,
                 "scctl: error: --tags, --skip-tags, --json and --root work with -c local only "
                 "for now\n");
    return exit_code::kUsage;
  }
  const auto validity = time::parseDuration(args.valid_for);
  if (!validity || *validity <= 0 || *validity > limits::kMaxManifestValiditySeconds) {
    std::fprintf(stderr, "scctl: error: --valid-for '%s': expected 30m, 12h, 7d (at most 90d)\n",
                 args.valid_for.c_str());
    return exit_code::kUsage;
  }
  const auto facts_max_age = time::parseDuration(args.facts_max_age);
  if (!facts_max_age || *facts_max_age < 0) {
    std::fprintf(stderr, "scctl: error: --facts-max-age '%s': expected 0, 30s, 10m, 1h\n",
                 args.facts_max_age.c_str());
    return exit_code::kUsage;
  }
  auto key = envelope::PrivateKey::fromPemFile(args.sign_key);
  if (!key) return failWith(key.error());
  auto admin = push::AdminClient::connect(args.admin_socket);
  if (!admin) return failWith(admin.error());
  auto connected = push::connectedHosts(*admin);
  if (!connected) return failWith(connected.error());

  // Where a run's time goes, for -v (the fan-out benchmark reads it).
  auto phase_start = std::chrono::steady_clock::now();
  const auto phaseDone = [&phase_start](const char* what) {
    const auto now = std::chrono::steady_clock::now();
    spdlog::info("{} in {} ms", what,
                 std::chrono::duration_cast<std::chrono::milliseconds>(now - phase_start).count());
    phase_start = now;
  };
  phaseDone("listed the connected hosts");
  std::map<std::string, Data> facts;
  if (args.playbook.facts_dir.empty()) {
    auto gathered = push::gatherFacts(*admin, *connected, std::chrono::seconds(*facts_max_age),
                                      std::chrono::seconds(120));
    if (!gathered) return failWith(gathered.error());
    for (const auto& host : *connected) {
      const auto it = gathered->find(host);
      if (it == gathered->end()) {
        std::fprintf(stderr, "warning: %s sent no facts\n", text::escapeControl(host).c_str());
        continue;
      }
      facts[host] = Data::parse(it->second.dump());
    }
    phaseDone("gathered facts");
  }
  auto result = compileForCli(
      args.playbook, 0, nullptr,
      [&](const std::string& host) { return connected->count(host) > 0; }, std::move(facts));
  if (!result) return exit_code::kRejected;
  phaseDone("compiled");

  std::map<std::string, std::string> envelopes;
  std::map<std::string, push::HostOutcome> outcomes;
  for (const auto& host : result->unreachable) {
    outcomes[host] = {push::HostOutcome::Status::Unreachable,
                      "unreachable: no session with this host"};
  }
  for (auto& manifest : result->manifests) {
    if (connected->count(manifest.host) == 0) {
      outcomes[manifest.host] = {push::HostOutcome::Status::Unreachable,
                                 "unreachable: no session with this host"};
      continue;
    }
    manifest.serial = push::serialNow();
    envelopes[manifest.host] = push::signManifest(manifest, *key, *validity);
  }
  result.reset();  // the envelopes are all that is needed now
  phaseDone("signed");
  push::PushSettings settings;
  settings.check = args.agent.check;
  settings.diff = args.agent.diff;
  if (args.agent.timeout_seconds > 0) {
    settings.timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(args.agent.timeout_seconds * 1000));
  }
  auto pushed = push::pushEnvelopes(*admin, envelopes, settings, stdout);
  if (!pushed) return failWith(pushed.error());
  phaseDone("pushed and collected the results");
  outcomes.merge(*pushed);
  return push::printRecap(outcomes, stdout);
}

}  // namespace

int runApply(const ApplyArgs& args) {
  if (args.connection == "agent") return runOnAgents(args);
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
