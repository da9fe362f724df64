#include "agent/cli/trust_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/verify/trust_store.h"
#include "common/envelope/root.h"
#include "common/exit_codes.h"
#include "common/fs/atomic_file.h"

namespace sc::agent::cli {
namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "sc-agent: %s\n", error.describe().c_str());
  // A root refused for what it is, like a refused manifest: exit 3.
  switch (error.code()) {
    case ErrorCode::SignatureFormat:
    case ErrorCode::SignatureInvalid:
    case ErrorCode::Rollback:
    case ErrorCode::Equivocation:
    case ErrorCode::RootChainTooLong:
      return exit_code::kRejected;
    default:
      return exit_code::kFailed;
  }
}

void print(const envelope::RootDocument& root, bool json) {
  if (json) {
    std::printf("%s\n", envelope::summarizeRoot(root).dump(2).c_str());
    return;
  }
  std::printf("trusting root version %llu\n", static_cast<unsigned long long>(root.version));
  for (const auto& key : root.signing_keys) std::printf("  signing key  %s\n", key.id().c_str());
  for (const auto& id : root.retired_key_ids) std::printf("  retired      %s\n", id.c_str());
  std::printf("  next version: %zu of %zu root keys\n", root.root_threshold, root.root_keys.size());
}

Result<std::vector<std::string>> readAll(const std::vector<std::string>& files) {
  std::vector<std::string> texts;
  for (const std::string& file : files) {
    SC_TRY_ASSIGN(auto text, fs::readFileCapped(file, envelope::kMaxRootBytes * 2));
    texts.push_back(std::move(text));
  }
  return texts;
}

}  // namespace

CLI::App* addTrustCommand(CLI::App& app, TrustArgs& args) {
  auto* command =
      app.add_subcommand("trust", "Show or install the root document of trusted signing keys");
  command->require_subcommand(1);
  command->footer(R"(Examples:
  sc-agent trust show
  sc-agent trust init /media/root.1.json     # the controller's first root document
  sc-agent trust update root.2.json root.3.json

'sc-agent run' installs and updates the root document by itself from the
controller's pushes; these commands are for offline hosts and for a first
root installed by hand. An update believes version N+1 only when a
threshold of version N's root keys and of its own signed it
(docs/trust.md).

Exit codes:
  0  done
  1  could not read or write
  2  bad usage
  3  a root document was refused (bad signature, threshold, version, chain too long))");
  args.show = command->add_subcommand("show", "Print the trusted root document");
  args.show->add_flag("--json", args.json, "As JSON");
  args.init = command->add_subcommand(
      "init", "Trust this root document (signed by a threshold of its own root keys)");
  args.init->add_option("file", args.files, "root.N.json from the controller's trust directory")
      ->required()
      ->expected(1);
  args.init->add_flag("--replace", args.replace,
                      "Replace a newer trusted root (starting over after a lost chain)");
  args.update = command->add_subcommand("update", "Walk forward through newer root documents");
  args.update->add_option("files", args.files, "root.N.json files, in any order")->required();
  for (auto* sub : {args.show, args.init, args.update}) {
    sub->add_option("--state-dir", args.common.state_dir, "Where the agent keeps its state");
  }
  return command;
}

int runTrust(const TrustArgs& args) {
  const std::string state_dir =
      args.common.state_dir.empty() ? defaultStateDir() : args.common.state_dir;
  if (state_dir.empty()) {
    std::fprintf(stderr, "sc-agent: error: no state directory: give --state-dir\n");
    return exit_code::kUsage;
  }
  if (args.show->parsed()) {
    auto root = loadTrustedRoot(state_dir);
    if (!root) return fail(root.error());
    if (!*root) {
      std::fprintf(stderr, "sc-agent: no root document is installed in %s\n", state_dir.c_str());
      return exit_code::kFailed;
    }
    print((*root)->document, args.json);
    return exit_code::kDone;
  }
  auto texts = readAll(args.files);
  if (!texts) return fail(texts.error());
  if (args.init->parsed()) {
    auto anchor = envelope::openRootAnchor(texts->front());
    if (!anchor) return fail(std::move(anchor.error()).withWhere(args.files.front() + ": "));
    if (auto stored = installTrustedRoot(state_dir, *anchor, args.replace); !stored) {
      return fail(stored.error());
    }
    print(anchor->document, false);
    return exit_code::kDone;
  }
  auto walked = updateTrustedRoot(state_dir, *texts, WithoutAnchor::Refuse);
  if (!walked) return fail(walked.error());
  print(walked->document, false);
  return exit_code::kDone;
}

}  // namespace sc::agent::cli
