#include "controller/playbook/keywords.h"

#include <algorithm>

namespace sc::controller::playbook {
namespace {

// Shared by plays, blocks, tasks and role entries.
std::vector<std::string_view> commonAnd(std::initializer_list<std::string_view> own) {
  std::vector<std::string_view> words{"any_errors_fatal",
                                      "become",
                                      "become_exe",
                                      "become_flags",
                                      "become_method",
                                      "become_user",
                                      "check_mode",
                                      "collections",
                                      "connection",
                                      "debugger",
                                      "diff",
                                      "environment",
                                      "ignore_errors",
                                      "ignore_unreachable",
                                      "module_defaults",
                                      "name",
                                      "no_log",
                                      "port",
                                      "remote_user",
                                      "run_once",
                                      "tags",
                                      "throttle",
                                      "timeout",
                                      "vars",
                                      "when"};
  words.insert(words.end(), own.begin(), own.end());
  return words;
}

const std::vector<std::string_view> kPlay =
    commonAnd({"fact_path", "force_handlers", "gather_facts", "gather_subset", "gather_timeout",
               "handlers", "hosts", "max_fail_percentage", "order", "post_tasks", "pre_tasks",
               "roles", "serial", "strategy", "tasks", "vars_files", "vars_prompt"});

const std::vector<std::string_view> kBlock =
    commonAnd({"always", "block", "delegate_facts", "delegate_to", "rescue"});

const std::vector<std::string_view> kTask =
    commonAnd({"action", "args", "async", "changed_when", "delay", "delegate_facts", "delegate_to",
               "failed_when", "local_action", "loop", "loop_control", "notify", "poll", "register",
               "retries", "until"});

const std::vector<std::string_view> kHandler = [] {
  std::vector<std::string_view> words = kTask;
  words.push_back("listen");
  return words;
}();

// Keywords a `roles:` entry may carry besides parameters for the role.
const std::vector<std::string_view> kRoleEntry =
    commonAnd({"delegate_facts", "delegate_to", "role"});

}  // namespace

const std::vector<std::string_view>& keywords(Place place) {
  switch (place) {
    case Place::Play:
      return kPlay;
    case Place::Block:
      return kBlock;
    case Place::Task:
      return kTask;
    case Place::Handler:
      return kHandler;
    case Place::RoleEntry:
      return kRoleEntry;
  }
  return kTask;
}

bool isKeyword(Place place, std::string_view word) {
  const auto& words = keywords(place);
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string_view legacyReplacement(Place place, std::string_view word) {
  if (word == "sudo") return "use become: instead of sudo:";
  if (word == "sudo_user") return "use become_user: instead of sudo_user:";
  if (word == "su" || word == "su_user") return "use become: with become_method: su";
  if (word == "include" && place == Place::Play) {
    return "play-level include: was removed; use import_playbook:";
  }
  if (word == "always_run") return "use check_mode: false instead of always_run:";
  return {};
}

std::string_view withLoopLookup(std::string_view word) {
  constexpr std::string_view kPrefix = "with_";
  if (word.size() <= kPrefix.size() || word.substr(0, kPrefix.size()) != kPrefix) return {};
  return word.substr(kPrefix.size());
}

}  // namespace sc::controller::playbook
