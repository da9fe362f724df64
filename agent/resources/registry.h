// The explicit registry of resource kinds: one line per kind in
// registry.cpp, no static self-registration (STYLE.md section 2).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/resources/resource.h"

namespace sc::agent {

using ResourceFactory = Result<std::unique_ptr<Resource>> (*)(const manifest::ResourceSpec&,
                                                              const ResourceContext&);

class Registry {
 public:
  // An empty or duplicate kind name is our bug and stops start-up.
  void add(const std::string& kind, ResourceFactory factory);
  template <typename Kind>
  void add(const std::string& kind) {
    add(kind, &Kind::create);
  }

  // Builds a resource from its spec; an unknown kind fails with a
  // suggestion ("unknown kind 'coppy'; did you mean 'copy'?").
  Result<std::unique_ptr<Resource>> create(const manifest::ResourceSpec& spec,
                                           const ResourceContext& context) const;

  std::vector<std::string> kinds() const;

 private:
  std::map<std::string, ResourceFactory> factories_;
};

// Every kind the agent knows.
const Registry& builtinRegistry();

}  // namespace sc::agent
