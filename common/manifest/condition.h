// The declarative condition tree a manifest carries where one step depends
// on an earlier step's result at run time (Ansible's `when`, `changed_when`,
// `failed_when` and `assert: that` over registered values).
//
// The controller compiles Jinja2 expressions into this tree; the agent only
// evaluates it. It is deliberately not a language: a comparison of one
// registered field with a literal, combined with all/any/not. JSON form
// (docs/manifest.md):
//
//   true | false
//   {"all": [C, ...]}  {"any": [C, ...]}  {"not": C}
//   {"field": "out.rc", "op": "eq", "value": 0}
//   {"field": "st.stat.exists", "op": "truthy"}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace sc::manifest {

enum class CompareOp {
  Eq,  // field == value (JSON equality; 1 == 1.0)
  Ne,  // not Eq
  Lt,
  Le,
  Gt,
  Ge,         // numbers with numbers, strings with strings
  Contains,   // string field contains string value, or array field has value
  In,         // field is an element of the array value, or a substring of it
  Defined,    // the field exists
  Undefined,  // the field does not exist
  Truthy,     // Python truthiness: not null/false/0/""/[]/{}
  Falsy,
  Match,   // regex (ECMAScript) matches at the start of the string
  Search,  // regex matches anywhere in the string
};

// One step of a field path: an object key or an array index.
struct PathStep {
  std::string key;
  long index = -1;  // >= 0 for an index step
};

struct Condition {
  enum class Kind { Constant, All, Any, Not, Compare };
  Kind kind = Kind::Constant;
  bool constant = true;
  std::vector<Condition> children;  // All/Any: any number; Not: exactly one
  std::string field;                // Compare: "register.path[0].key"
  std::vector<PathStep> path;       // field, parsed
  CompareOp op = CompareOp::Eq;
  nlohmann::json value;  // Compare: the literal (unused for unary ops)
};

// `pointer` is the JSON pointer of `node` in its document, for errors.
Result<Condition> parseCondition(const nlohmann::json& node, const std::string& pointer);
nlohmann::json conditionToJson(const Condition& condition);

// Parses "out.results[2].rc" into steps.
Result<std::vector<PathStep>> parseFieldPath(std::string_view field);

// The value at `path` in `root`, or null when any step is missing.
const nlohmann::json* lookupField(const nlohmann::json& root, const std::vector<PathStep>& path);

// Evaluates against a JSON object holding every registered result by name.
// A comparison whose field is missing is false (Defined/Undefined excepted),
// as Jinja2 would raise; the controller adds `is defined` guards where the
// playbook had them.
Result<bool> evaluate(const Condition& condition, const nlohmann::json& registered);

std::string_view compareOpName(CompareOp op);

}  // namespace sc::manifest
