// Kind `replace`: Ansible's ansible.builtin.replace. Replaces every match
// of `regexp` (Python syntax, MULTILINE) with `replace` (\1 and \g<1>
// backreferences), optionally only in the section between `after` and
// `before`. Parameters: docs/resources.md#replace.
#pragma once

#include <memory>

#include "agent/resources/text_edit.h"
#include "common/text/python_regex.h"

namespace sc::agent {

class ReplaceResource final : public TextEditResource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override;

 protected:
  std::string edit(const std::string& current) const override;
  bool usesRegex() const override { return true; }

 private:
  using TextEditResource::TextEditResource;
  std::string regexp_text_;
  std::optional<PythonRegex> regexp_;
  std::string replace_;
  std::optional<PythonRegex> after_;
  std::optional<PythonRegex> before_;
};

}  // namespace sc::agent
