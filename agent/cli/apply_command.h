// `sc-agent apply`: apply one manifest to this host (or to a --root).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "agent/cli/options.h"
#include "agent/verify/admission.h"
#include "common/manifest/manifest.h"

namespace sc::agent::cli {

struct ApplyArgs {
  CommonOptions common;
  std::string manifest_path;       // an unsigned manifest (local use, tests)
  std::string envelope_path;       // a signed envelope, checked before anything else
  std::vector<std::string> trust;  // public key files the envelope may be signed by
  std::string host;                // this host's name (default: the system's host name)
  bool check = false;
  bool diff = false;
  bool json = false;
  bool events = false;  // one JSON line per resource, then the report (sc-agent run)
  // Run the manifest this host last applied again, from the envelope kept
  // in the state directory (sc-agentd's scheduled runs): checked again, and
  // still run after it expired, its report marked stale (SECURITY.md T-04).
  bool last_applied = false;
  bool quiet = false;
  bool detailed_exitcode = false;
  std::uint64_t max_file_size = 0;
  double timeout_seconds = 0;
  std::vector<std::string> tags;
  std::vector<std::string> skip_tags;
};

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args);
int runApply(const ApplyArgs& args);

// Applies an already parsed manifest with the options of `args` (its
// manifest_path is only used in messages): plan, lock the state directory,
// run with status lines and the recap. Returns the exit code. `scctl apply
// -c local` compiles a playbook and hands each manifest here.
//
// `admitted`, for a signed manifest, is what admission found; the last
// applied serial is then checked and recorded under the state lock.
int applyManifest(const manifest::Manifest& manifest, const ApplyArgs& args,
                  const Admitted* admitted = nullptr);

}  // namespace sc::agent::cli
