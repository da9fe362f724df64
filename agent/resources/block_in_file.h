// Kind `blockinfile`: Ansible's ansible.builtin.blockinfile. Keeps a block
// of lines between two marker lines ("# BEGIN ANSIBLE MANAGED BLOCK" ...),
// inserting it at EOF, BOF or after/before a matching line, replacing it
// when it changes, and removing it with state: absent.
// Parameters: docs/resources.md#blockinfile.
#pragma once

#include <memory>

#include "agent/resources/text_edit.h"
#include "common/text/python_regex.h"

namespace sc::agent {

class BlockInFileResource final : public TextEditResource {
 public:
  static Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                                  const ResourceContext& context);
  Result<void> validate() const override;

 protected:
  std::string edit(const std::string& current) const override;
  bool removing() const override { return absent_; }
  bool usesRegex() const override { return insert_re_.has_value(); }

 private:
  using TextEditResource::TextEditResource;
  std::string block_;
  std::string marker_ = "# {mark} ANSIBLE MANAGED BLOCK";
  std::string marker_begin_ = "BEGIN";
  std::string marker_end_ = "END";
  std::optional<std::string> insert_after_;
  std::optional<std::string> insert_before_;
  std::optional<PythonRegex> insert_re_;
  bool absent_ = false;
};

}  // namespace sc::agent
