#include "agent/cli/facts_command.h"

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/facts/fact_probe.h"
#include "agent/facts/facts.h"
#include "common/exit_codes.h"
#include "common/text/escape.h"

namespace sc::agent::cli {
namespace {

// "key: value" lines; nested objects flattened to dotted keys, lists shown
// as JSON, text with control bytes escaped (a hostname is host data).
void printListing(const nlohmann::json& value, const std::string& key) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [name, item] : value.items()) {
      printListing(item, key.empty() ? name : key + "." + name);
    }
    return;
  }
  const std::string text =
      value.is_string() ? value.get<std::string>()
                        : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s: %s\n", key.c_str(), text::escapeControl(text).c_str());
}

}  // namespace

CLI::App* addFactsCommand(CLI::App& app, FactsArgs& args) {
  auto* command = app.add_subcommand(
      "facts", "Print this host's facts under Ansible's names (ansible_os_family, ...)");
  command->footer(R"(The names and values are those of Ansible's setup module; docs/facts.md
lists them, where each comes from, and what is not gathered.

Example:
  sc-agent facts
  sc-agent facts --json > facts/web1.json    # then: scctl compile site.yml --facts facts/
  sc-agent facts --json --root /tmp/image    # read /etc, /proc, /sys under /tmp/image

Exit codes:
  0  facts printed
  2  usage error (bad option, --root is not a directory))");
  command->add_flag("--json", args.json,
                    "Print one JSON object of ansible_* keys, as Ansible's fact cache stores a "
                    "host");
  command->add_option("--root", args.root,
                      "Read files (/etc/os-release, /proc/meminfo, /sys/class/net, ...) under "
                      "this directory instead of / (tests, disk images)");
  command->add_flag("-v,--verbose", args.verbosity,
                    "More output (repeat for debug logs: sources that could not be read)");
  return command;
}

int runFacts(const FactsArgs& args) {
  const std::string root = args.root.empty() ? "/" : args.root;
  struct stat info {};
  if (::stat(root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    std::fprintf(stderr, "sc-agent: error: --root '%s' is not a directory\n",
                 text::escapeControl(root).c_str());
    return exit_code::kUsage;
  }
  PosixFactProbe probe(root);
  const nlohmann::json facts = gatherFacts(probe);
  if (args.json) {
    std::printf("%s\n",
                facts.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    printListing(facts, "");
  }
  std::fflush(stdout);
  return exit_code::kDone;
}

}  // namespace sc::agent::cli
