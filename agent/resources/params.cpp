#include "agent/resources/params.h"

#include "common/json/strict_json.h"

namespace sc::agent {

const nlohmann::json* Params::find(const std::string& key) {
  read_.insert(key);
  const auto it = spec_.params.find(key);
  if (it == spec_.params.end() || it->is_null()) return nullptr;
  return &*it;
}

Error Params::error(const std::string& key, const std::string& message, ErrorCode code) const {
  return Error(
      code,
      fmt::format("resource '{}' ({}): parameter '{}': {}", spec_.id, spec_.type, key, message),
      fmt::format("{}/params/{}", spec_.pointer, json::pointerToken(key)));
}

Error resourceError(const manifest::ResourceSpec& spec, const std::string& message,
                    ErrorCode code) {
  return Error(code, fmt::format("resource '{}' ({}): {}", spec.id, spec.type, message),
               spec.pointer);
}

Result<std::string> Params::requiredString(const std::string& key) {
  const auto* value = find(key);
  if (value == nullptr) return error(key, "is required");
  if (!value->is_string())
    return error(key, fmt::format("expected a string, got {}", value->type_name()));
  return value->get<std::string>();
}

Result<std::optional<std::string>> Params::optionalString(const std::string& key) {
  const auto* value = find(key);
  if (value == nullptr) return std::optional<std::string>{};
  if (!value->is_string())
    return error(key, fmt::format("expected a string, got {}", value->type_name()));
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> Params::string(const std::string& key, std::string fallback) {
  SC_TRY_ASSIGN(auto value, optionalString(key));
  return value.value_or(std::move(fallback));
}

Result<bool> Params::boolean(const std::string& key, bool fallback) {
  const auto* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) {
    return error(key, fmt::format("expected true or false, got {}", value->type_name()));
  }
  return value->get<bool>();
}

Result<std::optional<std::int64_t>> Params::integer(const std::string& key) {
  const auto* value = find(key);
  if (value == nullptr) return std::optional<std::int64_t>{};
  if (!value->is_number_integer()) {
    return error(key, fmt::format("expected an integer, got {}", value->type_name()));
  }
  return std::optional<std::int64_t>(value->get<std::int64_t>());
}

Result<std::vector<std::string>> Params::stringList(const std::string& key) {
  std::vector<std::string> out;
  const auto* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_array()) return error(key, "expected an array of strings");
  for (const auto& element : *value) {
    if (!element.is_string()) return error(key, "expected an array of strings");
    out.push_back(element.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> Params::stringMap(const std::string& key) {
  std::map<std::string, std::string> out;
  const auto* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_object()) return error(key, "expected an object of strings");
  for (const auto& [name, element] : value->items()) {
    if (!element.is_string()) {
      return error(key, fmt::format("'{}': expected a string, got {}", name, element.type_name()));
    }
    out[name] = element.get<std::string>();
  }
  return out;
}

std::optional<nlohmann::json> Params::raw(const std::string& key) {
  const auto* value = find(key);
  if (value == nullptr) return std::nullopt;
  return *value;
}

Result<void> Params::finish() const {
  for (const auto& [key, value] : spec_.params.items()) {
    if (!read_.contains(key)) {
      return error(key, fmt::format("unknown parameter for kind '{}'", spec_.type));
    }
  }
  return ok();
}

}  // namespace sc::agent
