#include "common/manifest/late_binding.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <optional>
#include <string_view>

namespace sc::manifest {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 12> kPlainFilters = {"trim", "lower",    "upper",   "string",
                                                            "int",  "bool",     "length",  "first",
                                                            "last", "basename", "dirname", "quote"};
constexpr std::array<std::string_view, 2> kFiltersWithArgument = {"default", "join"};

bool takesArgument(std::string_view name) {
  for (auto known : kFiltersWithArgument) {
    if (known == name) return true;
  }
  return false;
}

Error schemaError(const std::string& pointer, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), pointer);
}

Result<LateFilter> parseFilter(const json& node, const std::string& pointer) {
  LateFilter filter;
  if (node.is_string()) {
    filter.name = node.get<std::string>();
  } else if (node.is_object() && node.contains("name") && node["name"].is_string()) {
    for (const auto& [key, unused] : node.items()) {
      if (key != "name" && key != "argument") {
        return schemaError(pointer,
                           fmt::format("unknown field '{}'; expected name, argument", key));
      }
    }
    filter.name = node["name"].get<std::string>();
    if (auto it = node.find("argument"); it != node.end()) filter.argument = *it;
  } else {
    return schemaError(pointer, "expected a filter name or {\"name\": ..., \"argument\": ...}");
  }
  if (!isLateFilter(filter.name)) {
    return schemaError(pointer, fmt::format("unknown filter '{}'", filter.name));
  }
  if (takesArgument(filter.name) != node.is_object()) {
    return schemaError(pointer, takesArgument(filter.name)
                                    ? fmt::format("filter '{}' needs an argument", filter.name)
                                    : fmt::format("filter '{}' takes no argument", filter.name));
  }
  if (filter.name == "join" && !filter.argument.is_string()) {
    return schemaError(pointer, "join's argument must be a string");
  }
  return filter;
}

Result<LatePart> parsePart(const json& node, const std::string& pointer) {
  LatePart part;
  if (node.is_string()) {
    part.text = node.get<std::string>();
    return part;
  }
  if (!node.is_object() || !node.contains("field") || !node["field"].is_string()) {
    return schemaError(pointer, "expected a text or {\"field\": ..., \"filters\": [...]}");
  }
  for (const auto& [key, unused] : node.items()) {
    if (key != "field" && key != "filters") {
      return schemaError(pointer, fmt::format("unknown field '{}'; expected field, filters", key));
    }
  }
  part.is_field = true;
  part.field = node["field"].get<std::string>();
  auto path = parseFieldPath(part.field);
  if (!path) return schemaError(pointer + "/field", path.error().message());
  part.path = std::move(*path);
  if (auto it = node.find("filters"); it != node.end()) {
    if (!it->is_array()) return schemaError(pointer + "/filters", "expected an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      SC_TRY_ASSIGN(LateFilter filter,
                    parseFilter((*it)[i], fmt::format("{}/filters/{}", pointer, i)));
      part.filters.push_back(std::move(filter));
    }
  }
  return part;
}

// A scalar as Ansible prints it into text: Python's str(), except that None
// prints as nothing (Ansible's finalize).
Result<std::string> asText(const json& value, const std::string& field) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return std::string(value.get<bool>() ? "True" : "False");
    case json::value_t::null:
      return std::string();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return value.dump();
    default:
      return Error(ErrorCode::Schema,
                   fmt::format("'{}' is {}; only text, numbers and booleans can be put into text "
                               "at run time",
                               field, value.is_array() ? "a list" : "a mapping"));
  }
}

std::size_t codePoints(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

// The first or last UTF-8 character of `text`.
std::string edgeCharacter(const std::string& text, bool first) {
  if (first) {
    std::size_t end = 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    return text.substr(0, end);
  }
  std::size_t start = text.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return text.substr(start);
}

bool isShellSafe(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

// Jinja2's int filter: integers parse (surrounding blanks allowed), then
// floats truncate, and anything else is 0.
json toInt(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  if (value.is_number_float()) return static_cast<std::int64_t>(value.get<double>());
  if (value.is_number()) return value;
  if (!value.is_string()) return 0;
  const std::string& text = value.get_ref<const std::string&>();
  const auto begin = text.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string::npos) return 0;
  const std::string trimmed = text.substr(begin, text.find_last_not_of(" \t\n\r\f\v") - begin + 1);
  try {
    std::size_t used = 0;
    const long long whole = std::stoll(trimmed, &used, 10);
    if (used == trimmed.size()) return whole;
    const double real = std::stod(trimmed, &used);
    if (used == trimmed.size()) return static_cast<std::int64_t>(real);
  } catch (const std::exception&) {
  }
  return 0;
}

// nullopt is Jinja2's Undefined: a missing field, or first/last of an
// empty list, which a later `default` replaces.
Result<std::optional<json>> applyFilter(const LateFilter& filter, std::optional<json> input,
                                        const std::string& field) {
  if (filter.name == "default") return input ? std::move(input) : filter.argument;
  if (!input) {
    return Error(ErrorCode::NotFound,
                 fmt::format("'{}' is not in the registered results (add | default(...) where it "
                             "may be missing)",
                             field));
  }
  const json& value = *input;
  const std::string& name = filter.name;
  if (name == "int") return toInt(value);
  if (name == "bool") {
    if (value.is_boolean()) return value;
    if (value.is_number()) return value.get<double>() == 1.0;
    if (!value.is_string()) return false;
    std::string lowered = value.get<std::string>();
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lowered == "yes" || lowered == "on" || lowered == "1" || lowered == "true";
  }
  if (name == "length") {
    if (value.is_string()) return codePoints(value.get_ref<const std::string&>());
    if (value.is_array() || value.is_object()) return value.size();
    return Error(ErrorCode::Schema, fmt::format("'{}' has no length", field));
  }
  if ((name == "first" || name == "last") && value.is_array()) {
    if (value.empty()) return std::optional<json>();
    return name == "first" ? value.front() : value.back();
  }
  if (name == "join") {
    if (!value.is_array())
      return Error(ErrorCode::Schema, fmt::format("'{}' is not a list", field));
    std::string joined;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i > 0) joined += filter.argument.get<std::string>();
      SC_TRY_ASSIGN(const std::string text, asText(value[i], field));
      joined += text;
    }
    return joined;
  }
  SC_TRY_ASSIGN(std::string text, asText(value, field));
  if (name == "string") return text;
  if (name == "trim") {
    const auto begin = text.find_first_not_of(" \t\n\r\f\v");
    if (begin == std::string::npos) return std::string();
    return text.substr(begin, text.find_last_not_of(" \t\n\r\f\v") - begin + 1);
  }
  if (name == "lower" || name == "upper") {
    for (char& c : text) {
      c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
  }
  if (name == "first" || name == "last") {
    if (text.empty()) return std::optional<json>();
    return edgeCharacter(text, name == "first");
  }
  if (name == "basename" || name == "dirname") {
    // Python's os.path.basename and os.path.dirname.
    const std::size_t cut = text.rfind('/') == std::string::npos ? 0 : text.rfind('/') + 1;
    if (name == "basename") return text.substr(cut);
    std::string head = text.substr(0, cut);
    if (!head.empty() && head.find_first_not_of('/') != std::string::npos) {
      head.erase(head.find_last_not_of('/') + 1);
    }
    return head;
  }
  // quote: Python's shlex.quote.
  if (text.empty()) return std::string("''");
  bool safe = true;
  for (const char c : text) safe = safe && isShellSafe(c);
  if (safe) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return quoted + "'";
}

Result<json> partValue(const LatePart& part, const json& registered) {
  std::optional<json> value;
  const json* found = lookupField(registered, part.path);
  if (found != nullptr) value = *found;
  for (const LateFilter& filter : part.filters) {
    SC_TRY_ASSIGN(value, applyFilter(filter, std::move(value), part.field));
  }
  if (!value) {
    return Error(ErrorCode::NotFound,
                 found != nullptr
                     ? fmt::format("'{}' is empty, so first or last gives nothing (add "
                                   "| default(...))",
                                   part.field)
                     : fmt::format("'{}' is not in the registered results (add | default(...) "
                                   "where it may be missing)",
                                   part.field));
  }
  return std::move(*value);
}

json partToJson(const LatePart& part) {
  if (!part.is_field) return part.text;
  json out{{"field", part.field}};
  if (!part.filters.empty()) {
    json filters = json::array();
    for (const LateFilter& filter : part.filters) {
      if (takesArgument(filter.name)) {
        filters.push_back({{"name", filter.name}, {"argument", filter.argument}});
      } else {
        filters.push_back(filter.name);
      }
    }
    out["filters"] = std::move(filters);
  }
  return out;
}

}  // namespace

bool isLateFilter(std::string_view name) {
  for (auto known : kPlainFilters) {
    if (known == name) return true;
  }
  return takesArgument(name);
}

Result<std::vector<LateBinding>> parseLateBindings(const json& node, const std::string& pointer) {
  if (!node.is_array()) return schemaError(pointer, "expected an array of bindings");
  std::vector<LateBinding> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string here = fmt::format("{}/{}", pointer, i);
    const json& item = node[i];
    if (!item.is_object()) return schemaError(here, "expected {\"param\": ..., \"parts\": [...]}");
    for (const auto& [key, unused] : item.items()) {
      if (key != "param" && key != "parts") {
        return schemaError(here, fmt::format("unknown field '{}'; expected param, parts", key));
      }
    }
    LateBinding binding;
    const auto param = item.find("param");
    if (param == item.end() || !param->is_string() || param->get<std::string>().size() < 2 ||
        param->get<std::string>().front() != '/') {
      return schemaError(here + "/param", "expected a JSON pointer into params, such as \"/dest\"");
    }
    binding.param = param->get<std::string>();
    try {
      (void)json::json_pointer(binding.param);
    } catch (const json::exception& ex) {
      return schemaError(here + "/param", fmt::format("not a JSON pointer: {}", ex.what()));
    }
    const auto parts = item.find("parts");
    if (parts == item.end() || !parts->is_array() || parts->empty()) {
      return schemaError(here + "/parts", "expected a non-empty array of parts");
    }
    bool any_field = false;
    for (std::size_t p = 0; p < parts->size(); ++p) {
      SC_TRY_ASSIGN(LatePart part, parsePart((*parts)[p], fmt::format("{}/parts/{}", here, p)));
      any_field = any_field || part.is_field;
      binding.parts.push_back(std::move(part));
    }
    if (!any_field) return schemaError(here + "/parts", "no part reads a field");
    out.push_back(std::move(binding));
  }
  return out;
}

json lateBindingsToJson(const std::vector<LateBinding>& bindings) {
  json out = json::array();
  for (const LateBinding& binding : bindings) {
    json parts = json::array();
    for (const LatePart& part : binding.parts) parts.push_back(partToJson(part));
    out.push_back({{"param", binding.param}, {"parts", std::move(parts)}});
  }
  return out;
}

Result<json> bindLateParams(json params, const std::vector<LateBinding>& bindings,
                            const json& registered) {
  for (const LateBinding& binding : bindings) {
    json value;
    if (binding.wholeValue()) {
      SC_TRY_ASSIGN(value, partValue(binding.parts.front(), registered));
      // Ansible renders the lone expression to text and reads back only
      // lists, dicts and booleans: numbers and None arrive as text.
      if (value.is_number() || value.is_null()) {
        SC_TRY_ASSIGN(std::string text, asText(value, binding.parts.front().field));
        value = std::move(text);
      }
    } else {
      std::string text;
      for (const LatePart& part : binding.parts) {
        if (!part.is_field) {
          text += part.text;
          continue;
        }
        SC_TRY_ASSIGN(const json piece, partValue(part, registered));
        SC_TRY_ASSIGN(const std::string piece_text, asText(piece, part.field));
        text += piece_text;
      }
      value = std::move(text);
    }
    try {
      params[json::json_pointer(binding.param)] = std::move(value);
    } catch (const json::exception& ex) {
      return Error(ErrorCode::Schema,
                   fmt::format("cannot set parameter '{}': {}", binding.param, ex.what()));
    }
  }
  return params;
}

}  // namespace sc::manifest
