// `scctl trust init|rotate|show`: the chain of root documents that tells
// agents which keys sign manifests (controller/trust, docs/trust.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sc::controller::cli {

struct TrustArgs {
  std::string dir;
  std::vector<std::string> root_keys;     // init: private root keys (they sign)
  std::vector<std::string> signing_keys;  // init: keys that sign manifests
  std::vector<std::string> sign_with;     // rotate: private keys that sign
  std::vector<std::string> add_signing_keys;
  std::vector<std::string> add_root_keys;
  std::vector<std::string> retire;  // key files or 64-hex ids
  std::size_t threshold = 0;        // 0: unchanged (rotate) / 1 (init)
  bool json = false;
  CLI::App* init = nullptr;
  CLI::App* rotate = nullptr;
  CLI::App* show = nullptr;
};

CLI::App* addTrustCommand(CLI::App& app, TrustArgs& args);
int runTrust(const TrustArgs& args);

}  // namespace sc::controller::cli
