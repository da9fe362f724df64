// The variables one task sees, as a Jinja2 Scope: layers searched from the
// highest precedence down (docs/variables.md has the order), each value
// templated when it is read, as Ansible templates lazily. A variable whose
// value reads itself, directly or not, is an error rather than a hang.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/compiler/templar.h"
#include "controller/jinja/template.h"
#include "controller/playbook/data.h"

namespace sc::controller::compiler {

class VariableScope : public jinja::Scope {
 public:
  explicit VariableScope(Templar& templar) : templar_(templar) {}

  // Adds a layer below those already added (so add the highest first).
  // The dict must outlive the scope.
  void addLayer(const Data* variables) { layers_.push_back(variables); }

  // Names that exist only on the host at run time (registered results).
  void setRunTimeNames(const std::set<std::string>* names) { run_time_ = names; }

  // Facts are needed but none are known for this host: reading one is an
  // error with this message.
  void setMissingFactsMessage(std::string message) { missing_facts_ = std::move(message); }

  Result<std::optional<Data>> lookup(std::string_view name) override;

  // Every variable visible, templated (for hostvars and debug var=).
  const std::vector<const Data*>& layers() const { return layers_; }

 private:
  Templar& templar_;
  std::vector<const Data*> layers_;
  const std::set<std::string>* run_time_ = nullptr;
  std::string missing_facts_;
  std::set<std::string, std::less<>> resolving_;
};

}  // namespace sc::controller::compiler
