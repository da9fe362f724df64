// The one place the programs' command lines are parsed: CLI11 reports with
// exceptions, and they stop here (STYLE.md section 3).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace sc::config {

// Parses argv into `app`. When parsing ends the run (--help, --version, a
// usage error, which CLI11 has then printed) returns its exit code;
// nullopt to go on.
std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv);

}  // namespace sc::config
