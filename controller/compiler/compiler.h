// Playbooks compiled into one fully resolved manifest per host: the plays
// select hosts from the inventory, each host's variables are layered in
// Ansible's precedence, roles and imports are expanded statically, loops
// unrolled, conditions that only read compile-time values decided here, and
// every module call becomes a resource of the agent's kinds
// (docs/manifest.md). Nothing templated reaches the agent.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/manifest/manifest.h"
#include "controller/playbook/data.h"

namespace sc::controller::compiler {

struct CompileOptions {
  std::string playbook;
  std::vector<std::string> inventories;  // -i sources; none: the implicit localhost
  std::vector<std::string> limits;       // --limit patterns
  Data extra_vars = Data::object();      // -e, merged in order
  std::string facts_dir;                 // --facts: DIR/HOST or DIR/HOST.json
  std::map<std::string, Data> facts;     // facts as agents send them, by host
  std::vector<std::string> roles_path;
  // lookup('pipe') and commands delegated to localhost may run on the
  // controller while compiling.
  bool allow_pipe = false;
  // `scctl apply -c local`, where every host is this machine: its facts,
  // gathered once when a play gathers facts (gather_facts is not false)
  // and no cache has the host's.
  std::function<Data()> local_facts;
  // When set, targeted hosts it returns false for are left out of every
  // play and listed in CompileResult::unreachable (scctl apply: no session).
  std::function<bool(const std::string&)> reachable;
  // Runs one resource on this machine now and returns its registered
  // result: `delegate_to: localhost` on a task that only reads (stat;
  // command or shell with changed_when: false, given allow_pipe). Null:
  // such a task is an error.
  std::function<Result<Data>(const manifest::ResourceSpec&)> run_on_controller;
};

struct CompileResult {
  std::vector<manifest::Manifest> manifests;  // in inventory order
  std::vector<std::string> warnings;
  // Targeted hosts `reachable` said no to: not compiled, as Ansible drops
  // an unreachable host from the rest of the play.
  std::vector<std::string> unreachable;
};

Result<CompileResult> compilePlaybook(const CompileOptions& options);

}  // namespace sc::controller::compiler
