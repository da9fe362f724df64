#include "controller/cli/compile_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "agent/engine/engine.h"
#include "agent/host/posix_host.h"
#include "agent/resources/registry.h"
#include "common/envelope/envelope.h"
#include "common/exit_codes.h"
#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/limits.h"
#include "common/manifest/manifest.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"
#include "controller/push/sign_manifest.h"

namespace sc::controller::cli {

CLI::App* addCompileCommand(CLI::App& app, CompileArgs& args) {
  auto* command = app.add_subcommand("compile", "Compile a playbook into one manifest per host");
  command->footer(R"(Examples:
  scctl compile site.yml -i inventory.ini -o manifests/
  scctl compile site.yml -i web1,web2, -l web1 -e env=prod --facts facts/

Exit codes:
  0  every targeted host compiled
  2  bad usage
  3  the playbook, inventory, a role or a template is invalid (the error names file:line:col)
)");
  addPlaybookOptions(*command, args.playbook);
  command->add_option("-o,--output", args.output_dir,
                      "Write DIR/HOST.json for each host (default: print them on stdout)");
  command->add_option("--serial", args.serial,
                      "Serial number of the manifests (default: the current time in seconds; "
                      "in milliseconds with --sign)");
  command->add_option("--sign", args.sign_key,
                      "Sign each manifest with this Ed25519 key (scctl key create) and write "
                      "HOST.envelope.json, what sc-agent apply --envelope takes");
  command
      ->add_option("--valid-for", args.valid_for,
                   "With --sign: how long the manifests stay valid (30m, 12h, 7d; at most 90d)")
      ->default_val("7d");
  return command;
}

namespace {

// Signs each manifest (issued now, expiring after --valid-for, naming the
// key) and writes HOST.envelope.json into `dir`.
int writeEnvelopes(const CompileArgs& args, std::vector<manifest::Manifest>& manifests, int dir) {
  const auto validity = time::parseDuration(args.valid_for);
  if (!validity || *validity <= 0 || *validity > limits::kMaxManifestValiditySeconds) {
    std::fprintf(stderr,
                 "scctl: error: --valid-for '%s': expected a duration such as 30m, 12h or "
                 "7d, at most 90d\n",
                 args.valid_for.c_str());
    return exit_code::kUsage;
  }
  auto key = envelope::PrivateKey::fromPemFile(args.sign_key);
  if (!key) {
    std::fprintf(stderr, "scctl: %s\n", key.error().describe().c_str());
    return exit_code::kFailed;
  }
  for (auto& manifest : manifests) {
    if (args.serial == 0) manifest.serial = push::serialNow();
    const std::string name = manifest.host + ".envelope.json";
    const std::string sealed = push::signManifest(manifest, *key, *validity);
    auto written = fs::writeFileAtomicAt(dir, name, sealed + "\n", fs::AtomicWriteOptions{});
    if (!written) {
      std::fprintf(stderr, "scctl: %s: %s\n", name.c_str(), written.error().describe().c_str());
      return exit_code::kFailed;
    }
    std::fprintf(stdout, "%s/%s\n", args.output_dir.c_str(), name.c_str());
  }
  return exit_code::kDone;
}

// delegate_to: localhost: the agent's engine runs the one resource on this
// machine, as sc-agent would, and hands back what it registered.
Result<Data> runOnController(const manifest::ResourceSpec& spec) {
  manifest::Manifest manifest;
  manifest.host = "localhost";
  manifest::ResourceSpec one = spec;
  one.id = "delegated";
  one.register_as = "result";
  one.changed_when = std::nullopt;  // the compiler applies them to the result
  one.failed_when = std::nullopt;
  one.ignore_errors = true;
  one.notify.clear();
  one.pointer = "/resources/0";
  manifest.resources.push_back(std::move(one));
  agent::ResourceContext context;
  context.max_file_bytes = limits::kDefaultMaxFileBytes;
  SC_TRY_ASSIGN(agent::Plan plan, agent::makePlan(manifest, agent::builtinRegistry(), context));
  SC_TRY_ASSIGN(auto host, agent::PosixHost::open({}));
  agent::Engine engine(*host, nullptr, {}, nullptr);
  const agent::RunReport report = engine.run(plan);
  return Data::parse(report.registered.value("result", nlohmann::json::object()).dump());
}

}  // namespace

std::optional<compiler::CompileResult> compileForCli(
    const PlaybookOptions& options, std::uint64_t serial, std::function<Data()> local_facts,
    std::function<bool(const std::string&)> reachable, std::map<std::string, Data> facts) {
  auto compile_options = toCompileOptions(options);
  if (!compile_options) {
    printCompileError(compile_options.error());
    return std::nullopt;
  }
  compile_options->local_facts = std::move(local_facts);
  compile_options->facts = std::move(facts);
  compile_options->reachable = std::move(reachable);
  compile_options->run_on_controller = runOnController;
  auto result = compiler::compilePlaybook(*compile_options);
  if (!result) {
    printCompileError(result.error());
    return std::nullopt;
  }
  for (const std::string& warning : result->warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  const std::uint64_t stamp =
      serial != 0
          ? serial
          : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  for (auto& manifest : result->manifests) manifest.serial = stamp;
  return std::move(*result);
}

int runCompile(const CompileArgs& args) {
  if (!args.sign_key.empty() && args.output_dir.empty()) {
    std::fprintf(stderr, "scctl: error: --sign writes one envelope per host: give -o DIR\n");
    return exit_code::kUsage;
  }
  auto result = compileForCli(args.playbook, args.serial);
  if (!result) return exit_code::kRejected;
  if (args.output_dir.empty()) {
    nlohmann::json all = nlohmann::json::object();
    for (const auto& manifest : result->manifests) all[manifest.host] = manifest::toJson(manifest);
    std::fprintf(stdout, "%s\n", all.dump(2).c_str());
    return exit_code::kDone;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.output_dir, ec);
  fs::UniqueFd dir(::open(args.output_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    std::fprintf(stderr, "error: cannot open the output directory %s\n", args.output_dir.c_str());
    return exit_code::kUsage;
  }
  if (!args.sign_key.empty()) return writeEnvelopes(args, result->manifests, dir.get());
  for (const auto& manifest : result->manifests) {
    const std::string name = manifest.host + ".json";
    auto written = fs::writeFileAtomicAt(dir.get(), name, manifest::toJson(manifest).dump(2) + "\n",
                                         fs::AtomicWriteOptions{});
    if (!written) {
      std::fprintf(stderr, "error: %s: %s\n", name.c_str(), written.error().describe().c_str());
      return exit_code::kFailed;
    }
    std::fprintf(stdout, "%s/%s\n", args.output_dir.c_str(), name.c_str());
  }
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
