// Kinds `command` and `shell`: Ansible's ansible.builtin.command and
// ansible.builtin.shell. `command` runs `argv` (the controller splits
// Ansible's command line); `shell` hands `cmd` to /bin/sh -c untouched
// (SECURITY.md: only what the signed manifest says). Both honour creates,
// removes, chdir, environment, stdin and timeout, and register rc, stdout,
// stderr, stdout_lines and stderr_lines for conditions.
#pragma once

#include <chrono>
#include <map>
#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

class CommandResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& current) const override;
  Result<void> apply(Host& host, const State& current, const Diff& diff,
                     nlohmann::json& result) override;
  bool convergent() const override { return false; }
  void describe(const State& current, nlohmann::json& result) const override;
  std::string title() const override;

  void limitTimeout(std::chrono::milliseconds left) override {
    timeout_ = std::min(timeout_, left);
  }

 private:
  explicit CommandResource(const manifest::ResourceSpec& spec) : spec_(spec) {}
  const manifest::ResourceSpec& spec_;
  std::vector<std::string> argv_;
  std::optional<std::string> creates_;
  std::optional<std::string> removes_;
  std::string chdir_;
  std::string become_user_;  // empty: run as the agent
  std::map<std::string, std::string> environment_;
  std::optional<std::string> stdin_;
  bool strip_empty_ends_ = true;
  std::chrono::milliseconds timeout_{std::chrono::hours(1)};
};

}  // namespace sc::agent
