// Kind `lineinfile`: Ansible's ansible.builtin.lineinfile. Ensures one line
// is present (replacing the last line matching `regexp` or containing
// `search_string`, else inserting after/before a matching line, at BOF or
// at EOF) or that matching lines are absent. Parameters:
// docs/resources.md#lineinfile.
#pragma once

#include <memory>

#include "agent/resources/text_edit.h"
#include "common/text/python_regex.h"

namespace sc::agent {

class LineInFileResource final : public TextEditResource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override;

 protected:
  std::string edit(const std::string& current) const override;
  bool removing() const override { return absent_; }
  bool usesRegex() const override { return regexp_.has_value() || insert_re_.has_value(); }

 private:
  using TextEditResource::TextEditResource;
  std::string present(std::vector<std::string> lines) const;
  std::string remove(std::vector<std::string> lines) const;

  std::optional<std::string> line_;
  std::optional<std::string> regexp_text_;
  std::optional<PythonRegex> regexp_;
  std::optional<std::string> search_string_;
  std::optional<std::string> insert_after_;
  std::optional<std::string> insert_before_;
  std::optional<PythonRegex> insert_re_;
  bool absent_ = false;
  bool backrefs_ = false;
  bool firstmatch_ = false;
};

}  // namespace sc::agent
