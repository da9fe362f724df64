// Parameters that read a result registered earlier in the same run
// (Ansible's `dest: "{{ tmp.path }}/app.conf"` after `register: tmp`).
//
// The controller cannot know such a value, so the manifest says where it
// goes and how it is made, as data: a list of parts, each a literal text or
// a registered field passed through a short chain of fixed filters. The
// agent fills the parameter in just before the resource runs. Like the
// condition tree (condition.h) it is deliberately not a language: no
// template text ever reaches the agent. JSON form (docs/manifest.md):
//
//   "late": [{"param": "/dest",
//             "parts": [{"field": "tmp.path"}, "/app.conf"]},
//            {"param": "/content",
//             "parts": [{"field": "out.stdout", "filters": ["trim"]}]}]
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/manifest/condition.h"

namespace sc::manifest {

// One step of a part's filter chain. The set is fixed (docs/manifest.md):
// trim, lower, upper, string, int, bool, length, first, last, basename,
// dirname, quote, and default and join with one literal argument.
struct LateFilter {
  std::string name;
  nlohmann::json argument;  // default's fallback, join's separator; null otherwise
};

struct LatePart {
  bool is_field = false;
  std::string text;            // a literal part
  std::string field;           // a field part: "tmp.path"
  std::vector<PathStep> path;  // field, parsed
  std::vector<LateFilter> filters;
};

struct LateBinding {
  std::string param;  // JSON pointer into the resource's params: "/dest"
  std::vector<LatePart> parts;

  // A single field part and nothing else: lists, mappings and booleans keep
  // their type, as Ansible reads a lone "{{ x }}" back; numbers and null
  // become text, as there.
  bool wholeValue() const { return parts.size() == 1 && parts.front().is_field; }
};

// `pointer` names `node` in its document, for errors.
Result<std::vector<LateBinding>> parseLateBindings(const nlohmann::json& node,
                                                   const std::string& pointer);
nlohmann::json lateBindingsToJson(const std::vector<LateBinding>& bindings);

// Whether `name` is a filter the agent applies.
bool isLateFilter(std::string_view name);

// `params` with every binding filled in from `registered` (every result
// registered so far, by name). A missing field without `default`, a value
// that cannot become text, or a bad filter input is an error naming the
// field.
Result<nlohmann::json> bindLateParams(nlohmann::json params,
                                      const std::vector<LateBinding>& bindings,
                                      const nlohmann::json& registered);

}  // namespace sc::manifest
