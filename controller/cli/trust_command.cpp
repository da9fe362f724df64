#include "controller/cli/trust_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "controller/trust/root_chain.h"

namespace sc::controller::cli {
namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "scctl: %s\n", error.describe().c_str());
  return exit_code::kFailed;
}

Result<std::vector<envelope::PrivateKey>> privateKeys(const std::vector<std::string>& paths) {
  std::vector<envelope::PrivateKey> keys;
  for (const std::string& path : paths) {
    SC_TRY_ASSIGN(auto key, envelope::PrivateKey::fromPemFile(path));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::vector<envelope::PublicKey>> publicKeys(const std::vector<std::string>& paths) {
  std::vector<envelope::PublicKey> keys;
  for (const std::string& path : paths) {
    SC_TRY_ASSIGN(auto key, trust::readAnyKey(path));
    keys.push_back(std::move(key));
  }
  return keys;
}

bool isKeyId(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void printRoot(const envelope::RootDocument& root) {
  std::printf("root version %llu: %zu of %zu root keys sign the next version\n",
              static_cast<unsigned long long>(root.version), root.root_threshold,
              root.root_keys.size());
  for (const auto& key : root.root_keys) std::printf("  root key     %s\n", key.id().c_str());
  for (const auto& key : root.signing_keys) std::printf("  signing key  %s\n", key.id().c_str());
  for (const auto& id : root.retired_key_ids) std::printf("  retired      %s\n", id.c_str());
}

int runInit(const TrustArgs& args) {
  auto signers = privateKeys(args.root_keys);
  if (!signers) return fail(signers.error());
  auto signing = publicKeys(args.signing_keys);
  if (!signing) return fail(signing.error());
  envelope::RootDocument document;
  for (const auto& signer : *signers) document.root_keys.push_back(signer.publicKey());
  document.signing_keys = std::move(*signing);
  document.root_threshold = args.threshold == 0 ? 1 : args.threshold;
  auto root = trust::initChain(args.dir, std::move(document), *signers);
  if (!root) return fail(root.error());
  std::printf("wrote %s/root.1.json\n", args.dir.c_str());
  printRoot(root->document);
  return exit_code::kDone;
}

int runRotate(const TrustArgs& args) {
  auto signers = privateKeys(args.sign_with);
  if (!signers) return fail(signers.error());
  trust::RootChange change;
  auto signing = publicKeys(args.add_signing_keys);
  if (!signing) return fail(signing.error());
  change.add_signing_keys = std::move(*signing);
  auto roots = publicKeys(args.add_root_keys);
  if (!roots) return fail(roots.error());
  change.add_root_keys = std::move(*roots);
  for (const std::string& retired : args.retire) {
    if (isKeyId(retired)) {
      change.retire_key_ids.push_back(retired);
      continue;
    }
    auto key = trust::readAnyKey(retired);
    if (!key) return fail(std::move(key.error()).withContext("--retire takes a key file or id"));
    change.retire_key_ids.push_back(key->id());
  }
  if (args.threshold != 0) change.root_threshold = args.threshold;
  auto root = trust::rotateChain(args.dir, change, *signers);
  if (!root) return fail(root.error());
  std::printf("wrote %s/root.%llu.json; agents walk to it with their next push\n", args.dir.c_str(),
              static_cast<unsigned long long>(root->document.version));
  printRoot(root->document);
  return exit_code::kDone;
}

int runShow(const TrustArgs& args) {
  auto chain = trust::loadChain(args.dir);
  if (!chain) return fail(chain.error());
  if (chain->empty()) {
    std::fprintf(stderr, "scctl: %s holds no root document ('scctl trust init')\n",
                 args.dir.c_str());
    return exit_code::kFailed;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& root : *chain) out.push_back(envelope::summarizeRoot(root.document));
    std::printf("%s\n", out.dump(2).c_str());
    return exit_code::kDone;
  }
  std::printf("%s: %zu versions, each verified against the one before\n", args.dir.c_str(),
              chain->size());
  printRoot(chain->back().document);
  return exit_code::kDone;
}

}  // namespace

CLI::App* addTrustCommand(CLI::App& app, TrustArgs& args) {
  auto* command = app.add_subcommand(
      "trust", "Manage the signed root documents that tell agents which keys to trust");
  command->require_subcommand(1);
  command->footer(R"(Examples:
  scctl key create /secure/root1.key && scctl key create /etc/smartcookies/signing.key
  scctl trust init --root-key /secure/root1.key --signing-key /etc/smartcookies/signing.key.pub
  scctl key create /etc/smartcookies/signing-2.key
  scctl trust rotate --sign-with /secure/root1.key \
      --add-signing-key /etc/smartcookies/signing-2.key.pub --retire /etc/smartcookies/signing.key.pub
  scctl trust show

Agents receive every root version with each push and walk to the newest,
one version at a time: version N+1 needs valid signatures of a threshold of
version N's root keys and of its own. Manifests signed by a retired key are
refused (retired_key). Keep root keys offline; only 'init' and 'rotate' read
them. docs/trust.md has the details.

Exit codes:
  0  done
  1  refused or could not be written or read
  2  bad usage)");
  const auto dir_option = [&args](CLI::App* sub) {
    args.dir = trust::kDefaultTrustDir;
    sub->add_option("--dir", args.dir, "The directory of root documents")->capture_default_str();
  };
  args.init = command->add_subcommand("init", "Write root version 1");
  dir_option(args.init);
  args.init
      ->add_option("--root-key", args.root_keys,
                   "A private root key; it signs version 1 (repeatable)")
      ->required();
  args.init
      ->add_option("--signing-key", args.signing_keys,
                   "A key that signs manifests (.pub or private file; repeatable)")
      ->required();
  args.init->add_option("--threshold", args.threshold,
                        "Root keys needed to sign the next version (default 1)");
  args.rotate = command->add_subcommand("rotate", "Write the next root version");
  dir_option(args.rotate);
  args.rotate
      ->add_option("--sign-with", args.sign_with,
                   "A private root key that signs the new version (repeatable): a threshold of "
                   "the current root keys and of the new ones")
      ->required();
  args.rotate->add_option("--add-signing-key", args.add_signing_keys,
                          "Trust this key to sign manifests (repeatable)");
  args.rotate->add_option("--add-root-key", args.add_root_keys,
                          "Make this key a root key (repeatable; it must also --sign-with)");
  args.rotate->add_option("--retire", args.retire,
                          "Stop trusting this key, by file or 64-hex id (repeatable)");
  args.rotate->add_option("--threshold", args.threshold, "New threshold of root keys");
  args.show = command->add_subcommand("show", "Verify the chain and print its newest version");
  dir_option(args.show);
  args.show->add_flag("--json", args.json, "Every version as JSON");
  return command;
}

int runTrust(const TrustArgs& args) {
  if (args.init->parsed()) return runInit(args);
  if (args.rotate->parsed()) return runRotate(args);
  return runShow(args);
}

}  // namespace sc::controller::cli
