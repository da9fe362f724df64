#include "common/manifest/condition.h"

#include <array>
#include <regex>
#include <utility>

#include "common/large_stack.h"
#include "common/limits.h"

namespace sc::manifest {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, CompareOp>, 15> kOps = {{
    {"eq", CompareOp::Eq},
    {"ne", CompareOp::Ne},
    {"lt", CompareOp::Lt},
    {"le", CompareOp::Le},
    {"gt", CompareOp::Gt},
    {"ge", CompareOp::Ge},
    {"contains", CompareOp::Contains},
    {"in", CompareOp::In},
    {"defined", CompareOp::Defined},
    {"undefined", CompareOp::Undefined},
    {"truthy", CompareOp::Truthy},
    {"falsy", CompareOp::Falsy},
    {"match", CompareOp::Match},
    {"search", CompareOp::Search},
    {"equals", CompareOp::Eq},  // accepted alias, never written
}};

bool isUnary(CompareOp op) {
  return op == CompareOp::Defined || op == CompareOp::Undefined || op == CompareOp::Truthy ||
         op == CompareOp::Falsy;
}

Error schemaError(const std::string& pointer, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), pointer);
}

Result<std::vector<Condition>> parseList(const json& node, const std::string& pointer) {
  if (!node.is_array()) return schemaError(pointer, "expected an array of conditions");
  std::vector<Condition> out;
  out.reserve(node.size());
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto child = parseCondition(node[i], fmt::format("{}/{}", pointer, i));
    if (!child) return child.error();
    out.push_back(std::move(*child));
  }
  return out;
}

}  // namespace

const json* lookupField(const json& root, const std::vector<PathStep>& path) {
  const json* at = &root;
  for (const auto& step : path) {
    if (step.index >= 0) {
      if (!at->is_array() || static_cast<std::size_t>(step.index) >= at->size()) return nullptr;
      at = &(*at)[static_cast<std::size_t>(step.index)];
    } else {
      if (!at->is_object()) return nullptr;
      auto it = at->find(step.key);
      if (it == at->end()) return nullptr;
      at = &*it;
    }
  }
  return at;
}

namespace {

bool truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

bool contains(const json& haystack, const json& needle) {
  if (haystack.is_string() && needle.is_string()) {
    return haystack.get_ref<const std::string&>().find(needle.get_ref<const std::string&>()) !=
           std::string::npos;
  }
  if (haystack.is_array()) {
    for (const auto& element : haystack) {
      if (element == needle) return true;
    }
    return false;
  }
  if (haystack.is_object() && needle.is_string()) {
    return haystack.contains(needle.get_ref<const std::string&>());
  }
  return false;
}

Result<bool> order(const json& a, const json& b, CompareOp op, const std::string& field) {
  int cmp = 0;
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    cmp = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  } else {
    return Error(ErrorCode::Schema,
                 fmt::format("cannot order {} against {}", a.type_name(), b.type_name()), field);
  }
  switch (op) {
    case CompareOp::Lt:
      return cmp < 0;
    case CompareOp::Le:
      return cmp <= 0;
    case CompareOp::Gt:
      return cmp > 0;
    default:
      return cmp >= 0;
  }
}

Result<bool> regexTest(const json& subject, const json& pattern, bool anchored,
                       const std::string& field) {
  if (!subject.is_string()) return false;
  const auto& text = subject.get_ref<const std::string&>();
  if (text.size() > limits::kMaxRegexSubjectBytes) {
    return Error(ErrorCode::TooLarge,
                 fmt::format("value is {} bytes; regular expressions run over at most {}",
                             text.size(), limits::kMaxRegexSubjectBytes),
                 field);
  }
  try {
    const std::regex re(pattern.get_ref<const std::string&>(), std::regex::ECMAScript);
    const auto flags =
        anchored ? std::regex_constants::match_continuous : std::regex_constants::match_default;
    return runWithLargeStack([&] { return std::regex_search(text, re, flags); });
  } catch (const std::regex_error& ex) {
    return Error(ErrorCode::Schema, fmt::format("bad regular expression: {}", ex.what()), field);
  }
}

}  // namespace

std::string_view compareOpName(CompareOp op) {
  for (const auto& [name, value] : kOps) {
    if (value == op) return name;
  }
  return "eq";
}

Result<std::vector<PathStep>> parseFieldPath(std::string_view field) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  const auto bad = [&](std::string_view why) {
    return Error(ErrorCode::Schema, fmt::format("bad field path '{}': {}", field, why));
  };
  while (i < field.size()) {
    if (field[i] == '[') {
      const auto close = field.find(']', i);
      if (close == std::string_view::npos) return bad("unclosed '['");
      const auto digits = field.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return bad("index must be a non-negative integer");
      }
      steps.push_back({{}, std::stol(std::string(digits))});
      i = close + 1;
      if (i < field.size() && field[i] == '.') ++i;
      continue;
    }
    const auto end = field.find_first_of(".[", i);
    const auto key = field.substr(i, end == std::string_view::npos ? field.size() - i : end - i);
    if (key.empty()) return bad("empty key");
    steps.push_back({std::string(key), -1});
    if (end == std::string_view::npos) break;
    i = field[end] == '.' ? end + 1 : end;
    if (field[end] == '.' && i == field.size()) return bad("trailing '.'");
  }
  if (steps.empty()) return bad("empty");
  return steps;
}

Result<Condition> parseCondition(const json& node, const std::string& pointer) {
  Condition out;
  if (node.is_boolean()) {
    out.kind = Condition::Kind::Constant;
    out.constant = node.get<bool>();
    return out;
  }
  if (!node.is_object()) {
    return schemaError(
        pointer, fmt::format("expected a condition (boolean or object), got {}", node.type_name()));
  }
  if (node.size() == 1 && node.contains("all")) {
    out.kind = Condition::Kind::All;
    auto children = parseList(node["all"], pointer + "/all");
    if (!children) return children.error();
    out.children = std::move(*children);
    return out;
  }
  if (node.size() == 1 && node.contains("any")) {
    out.kind = Condition::Kind::Any;
    auto children = parseList(node["any"], pointer + "/any");
    if (!children) return children.error();
    out.children = std::move(*children);
    return out;
  }
  if (node.size() == 1 && node.contains("not")) {
    out.kind = Condition::Kind::Not;
    auto child = parseCondition(node["not"], pointer + "/not");
    if (!child) return child.error();
    out.children.push_back(std::move(*child));
    return out;
  }
  out.kind = Condition::Kind::Compare;
  for (const auto& [key, value] : node.items()) {
    if (key != "field" && key != "op" && key != "value") {
      return schemaError(pointer + "/" + key,
                         fmt::format("unknown condition field '{}'; expected field, op, value "
                                     "or one of all, any, not",
                                     key));
    }
  }
  if (!node.contains("field") || !node["field"].is_string()) {
    return schemaError(pointer + "/field", "missing required string 'field'");
  }
  if (!node.contains("op") || !node["op"].is_string()) {
    return schemaError(pointer + "/op", "missing required string 'op'");
  }
  out.field = node["field"].get<std::string>();
  auto path = parseFieldPath(out.field);
  if (!path) return std::move(path.error()).withWhere(pointer + "/field");
  out.path = std::move(*path);
  const auto& op_name = node["op"].get_ref<const std::string&>();
  bool known = false;
  for (const auto& [name, value] : kOps) {
    if (name == op_name) {
      out.op = value;
      known = true;
    }
  }
  if (!known) return schemaError(pointer + "/op", fmt::format("unknown operator '{}'", op_name));
  if (isUnary(out.op)) {
    if (node.contains("value")) {
      return schemaError(pointer + "/value", fmt::format("'{}' takes no value", op_name));
    }
  } else {
    if (!node.contains("value")) {
      return schemaError(pointer + "/value", fmt::format("'{}' needs a value", op_name));
    }
    out.value = node["value"];
    if ((out.op == CompareOp::Match || out.op == CompareOp::Search) && !out.value.is_string()) {
      return schemaError(pointer + "/value", "a regular expression must be a string");
    }
    if (out.op == CompareOp::Match || out.op == CompareOp::Search) {
      try {
        const std::regex check(out.value.get_ref<const std::string&>(), std::regex::ECMAScript);
      } catch (const std::regex_error& ex) {
        return schemaError(pointer + "/value",
                           fmt::format("bad regular expression: {}", ex.what()));
      }
    }
  }
  return out;
}

nlohmann::json conditionToJson(const Condition& condition) {
  switch (condition.kind) {
    case Condition::Kind::Constant:
      return condition.constant;
    case Condition::Kind::All:
    case Condition::Kind::Any: {
      json list = json::array();
      for (const auto& child : condition.children) list.push_back(conditionToJson(child));
      return json{{condition.kind == Condition::Kind::All ? "all" : "any", std::move(list)}};
    }
    case Condition::Kind::Not:
      return json{{"not", conditionToJson(condition.children.at(0))}};
    case Condition::Kind::Compare: {
      json out{{"field", condition.field}, {"op", compareOpName(condition.op)}};
      if (!isUnary(condition.op)) out["value"] = condition.value;
      return out;
    }
  }
  return false;
}

Result<bool> evaluate(const Condition& condition, const json& registered) {
  switch (condition.kind) {
    case Condition::Kind::Constant:
      return condition.constant;
    case Condition::Kind::All:
      for (const auto& child : condition.children) {
        auto value = evaluate(child, registered);
        if (!value || !*value) return value;
      }
      return true;
    case Condition::Kind::Any:
      for (const auto& child : condition.children) {
        auto value = evaluate(child, registered);
        if (!value || *value) return value;
      }
      return false;
    case Condition::Kind::Not: {
      auto value = evaluate(condition.children.at(0), registered);
      if (!value) return value;
      return !*value;
    }
    case Condition::Kind::Compare:
      break;
  }
  const json* field = lookupField(registered, condition.path);
  switch (condition.op) {
    case CompareOp::Defined:
      return field != nullptr;
    case CompareOp::Undefined:
      return field == nullptr;
    default:
      break;
  }
  if (field == nullptr) return false;
  switch (condition.op) {
    case CompareOp::Eq:
      return *field == condition.value;
    case CompareOp::Ne:
      return *field != condition.value;
    case CompareOp::Lt:
    case CompareOp::Le:
    case CompareOp::Gt:
    case CompareOp::Ge:
      return order(*field, condition.value, condition.op, condition.field);
    case CompareOp::Contains:
      return contains(*field, condition.value);
    case CompareOp::In:
      return contains(condition.value, *field);
    case CompareOp::Truthy:
      return truthy(*field);
    case CompareOp::Falsy:
      return !truthy(*field);
    case CompareOp::Match:
      return regexTest(*field, condition.value, true, condition.field);
    case CompareOp::Search:
      return regexTest(*field, condition.value, false, condition.field);
    default:
      return false;
  }
}

}  // namespace sc::manifest
