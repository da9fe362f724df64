// Ansible's lookup plugins, run on the controller while a playbook compiles:
// `lookup('file', ...)`, `query(...)` and the `with_<plugin>:` loops all end
// here (a `with_fileglob: "*.conf"` is `query('fileglob', '*.conf')`).
// Results are plain data; nothing is deferred to the host.
//
// Supported: file, template, fileglob, first_found, password, pipe (only
// when enabled: it runs commands on the controller), items, list, dict,
// nested, indexed_items; env is the Jinja2 engine's own. Any other plugin
// is an error naming it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/jinja/template.h"
#include "controller/playbook/data.h"

namespace sc::controller::compiler {

// What the plugins need from the task being compiled.
class LookupContext {
 public:
  virtual ~LookupContext() = default;
  // Directories a relative file name is looked up in, in Ansible's order:
  // the role's `folder`/ ("files", "templates", "vars") and the role's own
  // directory, then the same beside the playbook.
  virtual std::vector<std::string> searchDirectories(std::string_view folder) const = 0;
  // Renders a template file with the task's variables.
  virtual Result<std::string> renderTemplate(const std::string& path) = 0;
};

struct LookupSettings {
  std::string playbook_dir;  // base of password files and pipe's working directory
  bool allow_pipe = false;   // lookup('pipe') runs shell commands on the controller
};

// The first of `directories`/`name` that exists; NotFound listing where it
// looked. An absolute `name` is returned as it is.
Result<std::string> findInSearchPath(const std::vector<std::string>& directories,
                                     std::string_view name);

class ControllerLookups : public jinja::LookupHook {
 public:
  ControllerLookups(LookupSettings settings, LookupContext& context)
      : settings_(std::move(settings)), context_(context) {}

  Result<std::vector<Data>> run(std::string_view plugin, const std::vector<Data>& terms,
                                const Data& options) override;
  std::optional<std::string> environmentVariable(std::string_view name) override;

  // The folder first_found searches: "files", or what the task's module
  // reads ("vars" for include_vars, "templates" for template).
  void setFolder(std::string folder) { folder_ = std::move(folder); }

 private:
  Result<std::vector<Data>> file(const std::vector<Data>& terms, const Data& options);
  Result<std::vector<Data>> templateFile(const std::vector<Data>& terms);
  Result<std::vector<Data>> fileglob(const std::vector<Data>& terms);
  Result<std::vector<Data>> firstFound(const std::vector<Data>& terms, const Data& options);
  Result<std::vector<Data>> password(const std::vector<Data>& terms, const Data& options);
  Result<std::vector<Data>> pipe(const std::vector<Data>& terms);

  LookupSettings settings_;
  LookupContext& context_;
  std::string folder_ = "files";
};

// Ansible's listify_lookup_plugin_terms: a string or scalar becomes a
// one-item list, lists and dicts stay as they are.
std::vector<Data> lookupTerms(const Data& value);

}  // namespace sc::controller::compiler
