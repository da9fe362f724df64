// The root document this host trusts (docs/trust.md), kept as
// STATE/trust/root.json: the exact envelope text, so it can be re-checked
// every time it is read. It is installed once (at enrolment, or by hand
// with `sc-agent trust init`) and afterwards only walked forward, one
// version at a time, by root documents the controller sends with a push.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope/root.h"
#include "common/error.h"

namespace sc::agent {

std::filesystem::path trustedRootPath(const std::filesystem::path& state_dir);

// The stored root, re-opened as an anchor; nullopt when none is installed.
Result<std::optional<envelope::TrustedRoot>> loadTrustedRoot(
    const std::filesystem::path& state_dir);

// Installs `root` as the trust anchor. A stored root of a higher version
// is kept unless `replace` (an operator starting over after a lost chain).
Result<void> installTrustedRoot(const std::filesystem::path& state_dir,
                                const envelope::TrustedRoot& root, bool replace);

enum class WithoutAnchor {
  Refuse,  // NotFound: an operator installs the first root
  // Install the candidates' version 1: for roots that came over the
  // session, which is authenticated by the CA pinned at enrolment.
  InstallVersionOne,
};

// Walks the stored root through `candidates` (envelope texts) and stores
// the result when it is newer.
Result<envelope::TrustedRoot> updateTrustedRoot(const std::filesystem::path& state_dir,
                                                const std::vector<std::string>& candidates,
                                                WithoutAnchor without_anchor);

}  // namespace sc::agent
