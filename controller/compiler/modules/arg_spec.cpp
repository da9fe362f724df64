#include "controller/compiler/modules/arg_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/text/suggest.h"

namespace sc::controller::modules {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Python's str() of a scalar, for string parameters given a number or bool.
Result<std::string> asString(const Data& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "True" : "False");
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_float()) return value.dump();
  return Error(ErrorCode::Schema, "must be a string");
}

Result<Data> convert(const ArgSpec& spec, const Data& value) {
  switch (spec.type) {
    case ArgType::Raw:
      return value;
    case ArgType::String: {
      SC_TRY_ASSIGN(std::string text, asString(value));
      return Data(std::move(text));
    }
    case ArgType::Bool: {
      SC_TRY_ASSIGN(const bool flag, toBool(value));
      return Data(flag);
    }
    case ArgType::Int: {
      if (value.is_number_integer()) return value;
      if (value.is_string()) {
        const std::string text = value.get<std::string>();
        std::size_t used = 0;
        try {
          const long long number = std::stoll(text, &used);
          if (used == text.size()) return Data(number);
        } catch (const std::exception&) {
        }
      }
      return Error(ErrorCode::Schema, "must be an integer");
    }
    case ArgType::Mode: {
      if (value.is_number_integer()) {
        const auto bits = value.get<std::int64_t>();
        if (bits < 0 || bits > 07777) return Error(ErrorCode::Schema, "is not a valid mode");
        return Data(fmt::format("0{:o}", bits));
      }
      if (value.is_string()) return value;
      return Error(ErrorCode::Schema, "must be an octal string such as '0644' or symbolic");
    }
    case ArgType::StringList: {
      Data list = Data::array();
      if (value.is_string()) {
        // Ansible splits a comma-separated string for list parameters.
        std::string text = value.get<std::string>();
        std::size_t start = 0;
        while (start <= text.size()) {
          const std::size_t comma = std::min(text.find(',', start), text.size());
          list.push_back(text.substr(start, comma - start));
          start = comma + 1;
        }
        return list;
      }
      if (!value.is_array()) return Error(ErrorCode::Schema, "must be a list");
      for (const Data& item : value) {
        SC_TRY_ASSIGN(std::string text, asString(item));
        list.push_back(std::move(text));
      }
      return list;
    }
    case ArgType::StringMap: {
      if (!value.is_object()) return Error(ErrorCode::Schema, "must be a mapping");
      Data map = Data::object();
      for (const auto& [key, item] : value.items()) {
        SC_TRY_ASSIGN(std::string text, asString(item));
        map[key] = std::move(text);
      }
      return map;
    }
  }
  return value;
}

bool isOmitted(const Data& value, std::string_view omit) {
  return value.is_string() && !omit.empty() && value.get<std::string>() == omit;
}

}  // namespace

Result<bool> toBool(const Data& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number == 0 || number == 1) return number == 1;
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (number == 0.0 || number == 1.0) return number == 1.0;
  }
  if (value.is_string()) {
    const std::string text = lower(value.get<std::string>());
    for (const char* word : {"y", "yes", "on", "1", "true", "t", "1.0"}) {
      if (text == word) return true;
    }
    for (const char* word : {"n", "no", "off", "0", "false", "f", "0.0"}) {
      if (text == word) return false;
    }
  }
  return Error(ErrorCode::Schema, fmt::format("'{}' is not a valid boolean", value.dump()));
}

Result<Data> applyArgSpec(std::string_view module, const Data& args,
                          const std::vector<ArgSpec>& specs, std::string_view omit) {
  Data params = Data::object();
  if (!args.is_object()) {
    return Error(ErrorCode::Schema, fmt::format("the arguments of '{}' must be a mapping", module));
  }
  for (const auto& item : args.items()) {
    // Named copies: clang 14 cannot capture structured bindings in lambdas.
    const std::string& key = item.key();
    const Data& value = item.value();
    if (isOmitted(value, omit)) continue;
    const auto spec = std::find_if(specs.begin(), specs.end(), [&key](const ArgSpec& candidate) {
      return candidate.name == key || std::find(candidate.aliases.begin(), candidate.aliases.end(),
                                                key) != candidate.aliases.end();
    });
    if (spec == specs.end()) {
      std::vector<std::string_view> names;
      for (const ArgSpec& candidate : specs) {
        names.push_back(candidate.name);
        names.insert(names.end(), candidate.aliases.begin(), candidate.aliases.end());
      }
      return Error(ErrorCode::Schema, fmt::format("unsupported parameter '{}' for module '{}'{}",
                                                  key, module, text::didYouMean(key, names)));
    }
    const std::string name(spec->name);
    if (params.contains(name)) {
      return Error(
          ErrorCode::Schema,
          fmt::format("module '{}': '{}' is given twice (through an alias)", module, name));
    }
    auto converted = convert(*spec, value);
    if (!converted) {
      return Error(ErrorCode::Schema, fmt::format("module '{}': parameter '{}' {}", module, key,
                                                  converted.error().message()));
    }
    params[name] = std::move(*converted);
  }
  for (const ArgSpec& spec : specs) {
    if (spec.required && !params.contains(std::string(spec.name))) {
      return Error(ErrorCode::Schema,
                   fmt::format("module '{}' needs the parameter '{}'", module, spec.name));
    }
  }
  return params;
}

}  // namespace sc::controller::modules
