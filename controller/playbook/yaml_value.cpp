#include "controller/playbook/yaml_value.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <regex>
#include <string_view>

namespace sc::controller {
namespace {

constexpr std::string_view kYamlTag = "tag:yaml.org,2002:";

// The patterns of PyYAML's YAML 1.1 resolver (yaml/resolver.py), written
// for std::regex. They are matched against the whole scalar.
const std::regex& floatPattern() {
  static const std::regex pattern(R"(^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?)"
                                  R"(|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)"
                                  R"(|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)"
                                  R"(|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$)");
  return pattern;
}

const std::regex& intPattern() {
  static const std::regex pattern(R"(^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*))"
                                  R"(|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$)");
  return pattern;
}

const std::regex& timestampPattern() {
  static const std::regex pattern(
      R"(^(?:([0-9]{4})-([0-9]{2})-([0-9]{2}))"
      R"(|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2})"
      R"((?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$)");
  return pattern;
}

bool isBoolWord(std::string_view text, bool& value) {
  static constexpr std::array<std::string_view, 9> kTrue = {"yes",  "Yes", "YES", "true", "True",
                                                            "TRUE", "on",  "On",  "ON"};
  static constexpr std::array<std::string_view, 9> kFalse = {
      "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const auto word : kTrue) {
    if (text == word) {
      value = true;
      return true;
    }
  }
  for (const auto word : kFalse) {
    if (text == word) {
      value = false;
      return true;
    }
  }
  return false;
}

std::string withoutUnderscores(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c != '_') out += c;
  }
  return out;
}

int digitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Magnitude of `digits` in `base`, or nullopt when empty, not digits of
// that base, or past 2^64.
std::optional<std::uint64_t> parseMagnitude(std::string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : digits) {
    const int digit = digitValue(c);
    if (digit >= base) return std::nullopt;
    if (__builtin_mul_overflow(value, static_cast<std::uint64_t>(base), &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(digit), &value)) {
      return std::nullopt;
    }
  }
  return value;
}

Result<Data> signedInt(bool negative, std::uint64_t magnitude, const std::string& text,
                       const std::string& where) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > kMax + (negative ? 1 : 0)) {
    return Error(ErrorCode::Schema,
                 fmt::format("integer '{}' is outside the signed 64-bit range", text), where);
  }
  if (negative) {
    return Data(magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                      : -static_cast<std::int64_t>(magnitude));
  }
  return Data(static_cast<std::int64_t>(magnitude));
}

// PyYAML's construct_yaml_int: underscores dropped, then 0b, 0x, a leading
// 0 (octal) or ':' (base 60) decide the base. Also used for !!int, where
// no pattern was checked first.
Result<Data> constructInt(const std::string& text, const std::string& where) {
  std::string value = withoutUnderscores(text);
  bool negative = false;
  if (!value.empty() && (value[0] == '-' || value[0] == '+')) {
    negative = value[0] == '-';
    value.erase(0, 1);
  }
  const Error invalid(ErrorCode::Schema, fmt::format("'{}' is not an integer", text), where);
  std::optional<std::uint64_t> magnitude;
  if (value == "0") {
    magnitude = 0;
  } else if (value.starts_with("0b")) {
    magnitude = parseMagnitude(std::string_view(value).substr(2), 2);
  } else if (value.starts_with("0x")) {
    magnitude = parseMagnitude(std::string_view(value).substr(2), 16);
  } else if (!value.empty() && value[0] == '0') {
    // Python's int(value, 8) also takes a "0o" prefix, which !!int can reach.
    const std::string_view digits =
        value.starts_with("0o") ? std::string_view(value).substr(2) : std::string_view(value);
    magnitude = parseMagnitude(digits, 8);
  } else if (value.find(':') != std::string::npos) {
    std::uint64_t total = 0;
    std::uint64_t base = 1;
    std::string_view rest = value;
    while (true) {
      const auto colon = rest.rfind(':');
      const auto part =
          parseMagnitude(colon == std::string_view::npos ? rest : rest.substr(colon + 1), 10);
      std::uint64_t term = 0;
      if (!part || __builtin_mul_overflow(*part, base, &term) ||
          __builtin_add_overflow(total, term, &total)) {
        return invalid;
      }
      if (colon == std::string_view::npos) break;
      rest = rest.substr(0, colon);
      if (__builtin_mul_overflow(base, std::uint64_t{60}, &base)) return invalid;
    }
    magnitude = total;
  } else {
    magnitude = parseMagnitude(value, 10);
  }
  if (!magnitude) return invalid;
  return signedInt(negative, *magnitude, text, where);
}

std::optional<double> parseDouble(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// PyYAML's construct_yaml_float: underscores dropped, lower case, then
// .inf/.nan, base 60 with ':', or Python's float().
Result<Data> constructFloat(const std::string& text, const std::string& where) {
  std::string value = withoutUnderscores(text);
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = 1.0;
  if (!value.empty() && (value[0] == '-' || value[0] == '+')) {
    if (value[0] == '-') sign = -1.0;
    value.erase(0, 1);
  }
  const Error invalid(ErrorCode::Schema, fmt::format("'{}' is not a number", text), where);
  if (value == ".inf") return Data(sign * std::numeric_limits<double>::infinity());
  if (value == ".nan") return Data(std::numeric_limits<double>::quiet_NaN());
  if (value.find(':') != std::string::npos) {
    double total = 0.0;
    double base = 1.0;
    std::string_view rest = value;
    while (true) {
      const auto colon = rest.rfind(':');
      const auto part =
          parseDouble(colon == std::string_view::npos ? rest : rest.substr(colon + 1));
      if (!part) return invalid;
      total += *part * base;
      if (colon == std::string_view::npos) break;
      rest = rest.substr(0, colon);
      base *= 60.0;
    }
    return Data(sign * total);
  }
  // from_chars takes no sign (handled above) and, like Python, "inf" and "nan".
  if (value.empty() || value[0] == '-' || value[0] == '+') return invalid;
  const auto parsed = parseDouble(value);
  if (!parsed) return invalid;
  return Data(sign * *parsed);
}

Result<Data> constructBool(const std::string& text, const std::string& where) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool value = false;
  if (isBoolWord(lower, value)) return Data(value);
  return Error(ErrorCode::Schema, fmt::format("'{}' is not a YAML boolean", text), where);
}

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// A date (PyYAML's datetime.date) as the text Ansible prints for it; a
// timestamp with a time of day is refused (see the header).
Result<Data> constructTimestamp(const std::string& text, const std::string& where) {
  std::smatch match;
  if (!std::regex_match(text, match, timestampPattern())) {
    return Error(ErrorCode::Schema, fmt::format("'{}' is not a YAML timestamp", text), where);
  }
  if (!match[1].matched) {
    return Error(ErrorCode::Schema,
                 fmt::format("'{}' is a YAML timestamp with a time of day, which Ansible prints "
                             "differently in templates and in JSON; quote it to keep it a string",
                             text),
                 where);
  }
  const int year = std::stoi(match[1].str());
  const int month = std::stoi(match[2].str());
  const int day = std::stoi(match[3].str());
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool valid =
      year >= 1 && month >= 1 && month <= 12 && day >= 1 &&
      day <= kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && isLeapYear(year) ? 1 : 0);
  if (!valid) return Error(ErrorCode::Schema, fmt::format("'{}' is not a valid date", text), where);
  return Data(text);
}

bool holdsTemplateMarker(const Data& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return text.find("{{") != std::string::npos || text.find("{%") != std::string::npos ||
           text.find("{#") != std::string::npos;
  }
  if (value.is_structured()) {
    for (const auto& [key, item] : value.items()) {
      if (holdsTemplateMarker(Data(key)) || holdsTemplateMarker(item)) return true;
    }
  }
  return false;
}

Result<Data> convert(const yaml::Node& node);

// A scalar with an explicit tag other than !unsafe.
Result<Data> constructTaggedScalar(const yaml::Node& node, std::string_view name) {
  const std::string where = node.position.text();
  if (name == "str") return Data(node.scalar);
  if (name == "int") return constructInt(node.scalar, where);
  if (name == "float") return constructFloat(node.scalar, where);
  if (name == "bool") return constructBool(node.scalar, where);
  if (name == "null") return Data(nullptr);
  if (name == "timestamp") return constructTimestamp(node.scalar, where);
  return Error(ErrorCode::Schema, fmt::format("the YAML tag '!!{}' is not supported", name), where);
}

Result<Data> convertMapping(const yaml::Node& node) {
  Data out = Data::object();
  for (const auto& [key, value] : node.entries) {
    if (key.isSequence() || key.isMapping()) {
      return Error(ErrorCode::Schema, "a mapping key must be a scalar, not a list or mapping",
                   key.position.text());
    }
    SC_TRY_ASSIGN(const Data typed_key, convert(key));
    std::string text = pythonKeyText(typed_key);
    if (out.contains(text)) {
      return Error(ErrorCode::Parse,
                   fmt::format("duplicate key '{}' once YAML 1.1 types the keys (Ansible reads "
                               "'yes' as True and '1' as 1)",
                               text),
                   key.position.text());
    }
    SC_TRY_ASSIGN(Data typed_value, convert(value));
    out[text] = std::move(typed_value);
  }
  return out;
}

Result<Data> convertUntagged(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::Node::Kind::Null:
      return Data(nullptr);
    case yaml::Node::Kind::Scalar:
      if (node.quoted) return Data(node.scalar);
      return resolvePlainScalar(node.scalar, node.position.text());
    case yaml::Node::Kind::Sequence: {
      Data out = Data::array();
      for (const auto& item : node.items) {
        SC_TRY_ASSIGN(Data value, convert(item));
        out.push_back(std::move(value));
      }
      return out;
    }
    case yaml::Node::Kind::Mapping:
      return convertMapping(node);
  }
  return Error(ErrorCode::Internal, "unknown YAML node kind", node.position.text());
}

Result<Data> convert(const yaml::Node& node) {
  const std::string& tag = node.tag;
  if (tag.empty()) return convertUntagged(node);
  const std::string where = node.position.text();
  if (tag == "!vault" || tag == "!vault-encrypted") {
    return Error(ErrorCode::Schema, "vault-encrypted values are not supported", where);
  }
  if (tag == "!unsafe") {
    yaml::Node plain = node;
    plain.tag.clear();
    if (plain.isScalar()) plain.quoted = true;  // Ansible keeps an !unsafe scalar as text
    SC_TRY_ASSIGN(Data value, convert(plain));
    if (holdsTemplateMarker(value)) {
      return Error(ErrorCode::Schema,
                   "'!unsafe' values holding '{{', '{%' or '{#' are not supported yet (they "
                   "would be templated); write the text without them",
                   where);
    }
    return value;
  }
  std::string_view name;
  if (tag.starts_with(kYamlTag)) name = std::string_view(tag).substr(kYamlTag.size());
  if (tag.starts_with("!!")) name = std::string_view(tag).substr(2);
  if (name.empty()) {
    return Error(ErrorCode::Schema, fmt::format("unknown YAML tag '{}'", tag), where);
  }
  if (name == "seq" && node.isSequence()) return convertUntagged(node);
  if (name == "map" && node.isMapping()) return convertUntagged(node);
  if (name == "null" && node.isNull()) return Data(nullptr);
  if (!node.isScalar()) {
    return Error(ErrorCode::Schema,
                 fmt::format("the YAML tag '!!{}' does not apply to this node", name), where);
  }
  return constructTaggedScalar(node, name);
}

}  // namespace

Result<Data> resolvePlainScalar(const std::string& text, const std::string& where) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return Data(nullptr);
  }
  bool flag = false;
  if (isBoolWord(text, flag)) return Data(flag);
  const char first = text[0];
  const bool numeric_start =
      (first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.';
  if (numeric_start) {
    // PyYAML tries float, then int, then timestamp; the patterns never overlap.
    if (std::regex_match(text, floatPattern())) return constructFloat(text, where);
    if (std::regex_match(text, intPattern())) return constructInt(text, where);
    if (first >= '0' && first <= '9' && std::regex_match(text, timestampPattern())) {
      return constructTimestamp(text, where);
    }
  }
  // PyYAML resolves these to tags SafeLoader cannot construct.
  if (text == "=" || text == "<<") {
    return Error(ErrorCode::Schema,
                 fmt::format("a plain '{}' is a YAML 1.1 special value Ansible cannot load; "
                             "quote it",
                             text),
                 where);
  }
  return Data(text);
}

std::string pythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(),
                                       std::abs(value), std::chars_format::scientific);
  SC_CHECK(ec == std::errc(), "64 bytes hold any double in scientific form");
  const std::string_view text(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
  const auto e = text.find('e');
  std::string digits;
  for (const char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  const std::string_view exponent_text = text.substr(e + 1);
  const auto skip = exponent_text[0] == '+' ? 1u : 0u;
  std::from_chars(exponent_text.data() + skip, exponent_text.data() + exponent_text.size(),
                  exponent);
  // Python's repr (float_repr_style 'short'): the decimal point sits after
  // `decpt` digits; exponent form when decpt <= -4 or decpt > 16.
  const int decpt = exponent + 1;
  const auto ndigits = static_cast<int>(digits.size());
  std::string out = std::signbit(value) ? "-" : "";
  if (decpt <= -4 || decpt > 16) {
    out += digits.substr(0, 1);
    if (ndigits > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', std::abs(exponent));
  } else if (decpt <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
  } else if (decpt >= ndigits) {
    out += digits + std::string(static_cast<std::size_t>(decpt - ndigits), '0') + ".0";
  } else {
    const auto point = static_cast<std::size_t>(decpt);
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

std::string pythonKeyText(const Data& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "None";
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_number_float()) return pythonFloatRepr(value.get<double>());
  return value.dump();
}

Result<Data> toData(const yaml::Node& node) { return convert(node); }

}  // namespace sc::controller
