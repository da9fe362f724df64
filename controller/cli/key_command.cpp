#include "controller/cli/key_command.h"

#include <cstdio>

#include "common/envelope/ed25519.h"
#include "common/exit_codes.h"
#include "controller/trust/root_chain.h"

namespace sc::controller::cli {

CLI::App* addKeyCommand(CLI::App& app, KeyArgs& args) {
  auto* command = app.add_subcommand("key", "Create or show the key that signs manifests");
  command->require_subcommand(1);
  command->footer(R"(Examples:
  scctl key create /etc/smartcookies/signing.key    # also writes signing.key.pub
  scctl key show /etc/smartcookies/signing.key.pub
  scctl compile site.yml -i hosts.ini --sign /etc/smartcookies/signing.key -o envelopes/
  sc-agent apply --envelope web1.envelope.json --trust signing.key.pub

The private key is written mode 0600 and never replaced; agents trust the
.pub file. docs/envelope.md describes keys, ids and envelopes.

Exit codes:
  0  done
  1  the key could not be written or read
  2  bad usage)");
  args.create = command->add_subcommand("create", "Create an Ed25519 key pair: PATH and PATH.pub");
  args.create->add_option("path", args.path, "Where to write the private key")->required();
  args.show = command->add_subcommand("show", "Print a key's id (from its private or .pub file)");
  args.show->add_option("path", args.path, "A private key or a .pub file")->required();
  return command;
}

int runKey(const KeyArgs& args) {
  if (args.create->parsed()) {
    auto key = envelope::PrivateKey::generate();
    if (key) {
      if (auto written = envelope::writeKeyPair(*key, args.path); !written) {
        std::fprintf(stderr, "scctl: %s\n", written.error().describe().c_str());
        return exit_code::kFailed;
      }
      std::fprintf(stdout, "%s\nkey id %s\n", args.path.c_str(), key->publicKey().id().c_str());
      return exit_code::kDone;
    }
    std::fprintf(stderr, "scctl: %s\n", key.error().describe().c_str());
    return exit_code::kFailed;
  }
  auto public_key = trust::readAnyKey(args.path);
  if (!public_key) {
    std::fprintf(stderr, "scctl: %s\n", public_key.error().describe().c_str());
    return exit_code::kFailed;
  }
  std::fprintf(stdout, "key id %s\n", public_key->id().c_str());
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
