// The daemons' YAML settings files (/etc/smartcookies/agent.yml for
// `sc-agent run`, controller.yml for `scctl serve`): a flat mapping whose
// keys are the subcommand's long options, spelt with '_' or '-':
//
//   state_dir: /var/lib/smartcookies/agent
//   backoff_cap: 300
//   allow_path: [/srv/www, /etc/nginx]
//
// Command-line options win over the file. An unknown key, a nested value
// or a value the option refuses is an error naming the file and line.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/error.h"

namespace sc::config {

// Applies the settings in `path` to the options of `command` that were not
// given on its command line. A missing file is NotFound.
Result<void> applySettingsFile(CLI::App& command, const std::string& path);

// --config FILE when given (it must exist), else `default_path` when it
// exists, else nothing.
Result<void> applyDaemonSettings(CLI::App& command, const std::string& given,
                                 const std::string& default_path);

}  // namespace sc::config
