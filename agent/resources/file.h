// Kind `file`: Ansible's ansible.builtin.file. Makes a path a file,
// directory, symlink or hard link, removes it, or touches it, and sets its
// owner, group and mode. Parameters: docs/resources.md#file.
#pragma once

#include <memory>
#include <optional>

#include "agent/resources/file_support.h"

namespace sc::agent {

class FileResource final : public Resource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);

  Result<void> validate() const override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& current) const override;
  Result<void> apply(Host& host, const State& current, const Diff& diff,
                     nlohmann::json& result) override;
  std::vector<PathClaim> claims() const override;
  std::string title() const override { return "file[" + path_ + "]"; }

 private:
  enum class Wanted { Default, File, Directory, Link, Hard, Absent, Touch };
  // `preserve`, `now` or a fixed time in nanoseconds.
  struct TimeSpec {
    enum class Kind { Preserve, Now, At } kind = Kind::Preserve;
    std::int64_t at_ns = 0;
  };

  FileResource(const manifest::ResourceSpec& spec, const ResourceContext& context)
      : spec_(spec), context_(context) {}
  Wanted effective(const State& current) const;
  Result<void> createParents(Host& host, const State& current) const;

  const manifest::ResourceSpec& spec_;
  ResourceContext context_;
  std::string path_;
  Wanted wanted_ = Wanted::Default;
  std::string src_;
  bool force_ = false;
  AttrSpec attrs_;
  TimeSpec mtime_;
  TimeSpec atime_;
};

}  // namespace sc::agent
