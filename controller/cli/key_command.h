// `scctl key create|show`: the Ed25519 key that signs manifests
// (common/envelope, docs/envelope.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sc::controller::cli {

struct KeyArgs {
  std::string path;
  CLI::App* create = nullptr;
  CLI::App* show = nullptr;
};

CLI::App* addKeyCommand(CLI::App& app, KeyArgs& args);
int runKey(const KeyArgs& args);

}  // namespace sc::controller::cli
