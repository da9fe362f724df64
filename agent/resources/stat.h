// Kind `stat`: Ansible's ansible.builtin.stat. Only observes; registers
// `stat` (exists, isdir, isreg, islnk, mode, uid, gid, pw_name, gr_name,
// size, mtime, checksum, ...) for later conditions. Never changes anything.
#pragma once

#include <memory>

#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

class StatResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& /*current*/) const override { return {}; }
  Result<void> apply(Host&, const State&, const Diff&, nlohmann::json&) override { return ok(); }
  void describe(const State& current, nlohmann::json& result) const override;
  std::string title() const override { return "stat[" + path_ + "]"; }

 private:
  StatResource(const manifest::ResourceSpec& spec, const ResourceContext& context)
      : spec_(spec), context_(context) {}
  const manifest::ResourceSpec& spec_;
  ResourceContext context_;
  std::string path_;
  bool get_checksum_ = true;
  std::string algorithm_ = "sha1";
};

}  // namespace sc::agent
