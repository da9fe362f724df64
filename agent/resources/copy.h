// Kinds `copy` and `template`: Ansible's ansible.builtin.copy and the
// output of ansible.builtin.template. The controller renders templates and
// reads controller-side sources, so both arrive here as the exact bytes to
// write (`content` or `content_base64`, with an optional sha256
// `checksum`), or as `src` on the host itself with `remote_src: true`.
// Parameters: docs/resources.md#copy.
#pragma once

#include <memory>

#include "agent/resources/file_support.h"

namespace sc::agent {

class CopyResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);

  Result<void> validate() const override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& current) const override;
  Result<void> apply(Host& host, const State& current, const Diff& diff,
                     nlohmann::json& result) override;
  void describe(const State& current, nlohmann::json& result) const override;
  std::vector<PathClaim> claims() const override;
  std::string title() const override { return spec_.type + "[" + dest_ + "]"; }

 private:
  CopyResource(const manifest::ResourceSpec& spec, const ResourceContext& context)
      : spec_(spec), context_(context) {}
  // The bytes to write: the manifest's, or what observe read from `src`.
  const std::string& desiredContent(const State& current) const;

  const manifest::ResourceSpec& spec_;
  ResourceContext context_;
  std::string dest_;
  std::string content_;
  std::optional<std::string> remote_src_;
  std::optional<std::string> checksum_;
  std::optional<std::string> validate_;
  bool force_ = true;
  bool backup_ = false;
  AttrSpec attrs_;
};

}  // namespace sc::agent
