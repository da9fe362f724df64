// Filters on single values: default, mandatory, bool, int, float, string,
// length, first, last, list, join, ternary, abs, round, type_debug.
// Semantics follow Jinja2 3.1 and Ansible 2.14's versions of each (Ansible's
// bool is not Python's bool; Jinja2's int falls back through float).
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/text/utf8.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"
#include "controller/jinja/py_format.h"
#include "controller/jinja/string_ops.h"

namespace sc::controller::jinja {
namespace {

Result<Value> defaultFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("default", args, {"default_value", "boolean"}));
  if (input.isUndefined() || (a.flag(1, false) && !truthy(input))) {
    return a.has(0) ? *a.get(0) : Value(std::string());
  }
  return input;
}

Result<Value> mandatory(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("mandatory", args, {"msg"}));
  if (!input.isUndefined()) return input;
  if (a.has(0) && !a.get(0)->isNone()) {
    return Error(ErrorCode::Schema,
                 a.get(0)->isString() ? a.get(0)->data().get<std::string>() : "mandatory");
  }
  return Error(ErrorCode::Schema,
               fmt::format("Mandatory variable '{}'  not defined.", input.undefinedInfo().name));
}

Result<Value> boolFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY(Args::bind("bool", args, {}));
  if (input.isNone() || input.isBool()) return input;
  if (input.isString()) {
    const std::string s = ::sc::text::utf8::lower(input.data().get<std::string>());
    return Value(s == "yes" || s == "on" || s == "1" || s == "true");
  }
  if (input.isNumber()) return Value(*asDouble(input.data()) == 1.0);
  return Value(false);
}

// Python's int(str, base): optional sign, digits with single underscores,
// surrounding whitespace allowed, 0x/0o/0b prefixes with base 16/8/2 or 0.
std::optional<std::int64_t> parsePythonInt(std::string_view text, int base) {
  auto s = pyStrip(text, std::nullopt, true, true);
  bool negative = false;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (s.size() > i + 1 && s[i] == '0') {
    const char p = static_cast<char>(s[i + 1] | 0x20);
    const int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefixed && (base == prefixed || base == 0)) {
      base = prefixed;
      i += 2;
      if (i < s.size() && s[i] == '_') ++i;
    }
  }
  if (base == 0) base = 10;
  std::string digits;
  for (; i < s.size(); ++i) {
    if (s[i] == '_' && !digits.empty() && i + 1 < s.size() && s[i + 1] != '_') continue;
    digits += s[i];
  }
  if (digits.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) return std::nullopt;
  return negative ? -value : value;
}

// Python's float(str): decimal, exponent, inf, nan, surrounding whitespace.
std::optional<double> parsePythonFloat(std::string_view text) {
  std::string s = pyStrip(text, std::nullopt, true, true);
  std::string cleaned;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
        i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      continue;
    }
    cleaned += s[i];
  }
  if (cleaned.empty() || cleaned.find_first_of("xXpP") != std::string::npos) return std::nullopt;
  const std::string lowered = ::sc::text::utf8::lower(cleaned);
  std::string_view body = lowered;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body == "inf" || body == "infinity" || body == "nan") {
    const double v = body == "nan" ? NAN : INFINITY;
    return lowered[0] == '-' ? -v : v;
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(cleaned.c_str(), &end);
  if (end != cleaned.c_str() + cleaned.size()) return std::nullopt;
  return v;
}

Result<Value> intFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("int", args, {"default", "base"}));
  SC_TRY_ASSIGN(auto base, a.integer(1, 10));
  const Value fallback = a.has(0) ? *a.get(0) : Value(0);
  if (input.isString()) {
    const auto& s = input.data().get_ref<const std::string&>();
    if (auto v = parsePythonInt(s, static_cast<int>(base))) return Value(*v);
    if (auto f = parsePythonFloat(s); f && std::isfinite(*f)) {
      return Value(static_cast<std::int64_t>(*f));
    }
    return fallback;
  }
  if (input.isData()) {
    if (auto i = asInteger(input.data())) return Value(*i);
    if (input.isFloat()) {
      const double f = input.data().get<double>();
      if (!std::isfinite(f) || std::fabs(f) >= 9.2e18) return fallback;
      return Value(static_cast<std::int64_t>(f));
    }
  }
  return fallback;
}

Result<Value> floatFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("float", args, {"default"}));
  const Value fallback = a.has(0) ? *a.get(0) : Value(0.0);
  if (input.isString()) {
    if (auto f = parsePythonFloat(input.data().get_ref<const std::string&>())) return Value(*f);
    return fallback;
  }
  if (input.isData()) {
    if (auto d = asDouble(input.data())) return Value(*d);
  }
  return fallback;
}

Result<Value> stringFilter(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("string", args, {}));
  SC_TRY_ASSIGN(auto text, ev.toText(input));
  return Value(std::move(text));
}

Result<Value> lengthFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY(Args::bind("length", args, {}));
  if (input.isString()) {
    return Value(static_cast<std::int64_t>(
        ::sc::text::utf8::length(input.data().get_ref<const std::string&>())));
  }
  if (input.isList() || input.isDict())
    return Value(static_cast<std::int64_t>(input.data().size()));
  if (input.isNamespace()) {
    return Value(static_cast<std::int64_t>(input.namespacePtr()->attributes.size()));
  }
  return typeError(fmt::format("object of type '{}' has no len()", input.typeName()));
}

Result<Value> firstOrLast(Evaluator& ev, const Value& input, CallArgs& args, bool first) {
  SC_TRY(Args::bind(first ? "first" : "last", args, {}));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  if (items.empty()) {
    return Value::undefined(first ? "first" : "last", first ? "No first item, sequence was empty."
                                                            : "No last item, sequence was empty.");
  }
  return first ? items.front() : items.back();
}

Result<Value> first(Evaluator& ev, Value input, CallArgs& args) {
  return firstOrLast(ev, input, args, true);
}

Result<Value> last(Evaluator& ev, Value input, CallArgs& args) {
  return firstOrLast(ev, input, args, false);
}

Result<Value> listFilter(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("list", args, {}));
  if (input.isList()) {
    input.setShape(input.shape() == Shape::Tuple ? Shape::Plain : input.shape());
    return input;
  }
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  return ev.makeList(std::move(items));
}

Result<Value> join(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("join", args, {"d", "attribute"}));
  SC_TRY_ASSIGN(auto sep, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Value item = items[i];
    if (a.has(1)) {
      SC_TRY_ASSIGN(auto attr, a.text(ev, 1, ""));
      SC_TRY_ASSIGN(item, ev.getPath(item, attr));
    }
    SC_TRY_ASSIGN(auto text, ev.toText(item));
    if (i) out += sep;
    out += text;
    SC_TRY(ev.checkSize(out.size()));
  }
  return Value(std::move(out));
}

Result<Value> ternary(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("ternary", args, {"true_val", "false_val", "none_val"}));
  if (!a.has(0) || !a.has(1)) return typeError("ternary() needs true_val and false_val");
  if (input.isNone() && a.has(2) && !a.get(2)->isNone()) return *a.get(2);
  return truthy(input) ? *a.get(0) : *a.get(1);
}

Result<Value> absFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY(Args::bind("abs", args, {}));
  if (input.isData()) {
    if (auto i = asInteger(input.data())) {
      if (*i == INT64_MIN) return typeError("integer overflow");
      return Value(*i < 0 ? -*i : *i);
    }
    if (input.isFloat()) return Value(std::fabs(input.data().get<double>()));
  }
  return typeError(fmt::format("bad operand type for abs(): '{}'", input.typeName()));
}

Result<Value> roundFilter(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("round", args, {"precision", "method"}));
  SC_TRY_ASSIGN(auto precision, a.integer(0, 0));
  std::string method = "common";
  if (a.has(1) && a.get(1)->isString()) method = a.get(1)->data().get<std::string>();
  if (method != "common" && method != "ceil" && method != "floor") {
    return typeError("method must be 'common', 'ceil' or 'floor'");
  }
  if (!input.isData() || !(input.isNumber() || input.isBool())) {
    return typeError(fmt::format("type {} doesn't define __round__ method", input.typeName()));
  }
  const double x = *asDouble(input.data());
  if (method == "common") {
    if (input.isInt() || input.isBool()) return Value(*asInteger(input.data()));
    if (!std::isfinite(x) || precision > 300) return Value(x);
    if (precision < 0) {
      const double scale = std::pow(10.0, static_cast<double>(-precision));
      return Value(std::nearbyint(x / scale) * scale);
    }
    // printf rounds the exact binary value half-to-even, as Python's round().
    const auto text = fmt::format("{:.{}f}", x, precision);
    return Value(std::strtod(text.c_str(), nullptr));
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double r = method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale);
  return Value(r / scale);
}

Result<Value> typeDebug(Evaluator&, Value input, CallArgs& args) {
  SC_TRY(Args::bind("type_debug", args, {}));
  return Value(input.typeName());
}

Result<Value> reverse(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("reverse", args, {}));
  if (input.isString()) {
    auto points = ::sc::text::utf8::decode(input.data().get_ref<const std::string&>());
    std::reverse(points.begin(), points.end());
    return Value(::sc::text::utf8::encode(points));
  }
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::reverse(items.begin(), items.end());
  return ev.makeList(std::move(items));
}

}  // namespace

void addCoreFilters(FilterTable& t) {
  t["default"] = defaultFilter;
  t["d"] = defaultFilter;
  t["mandatory"] = mandatory;
  t["bool"] = boolFilter;
  t["int"] = intFilter;
  t["float"] = floatFilter;
  t["string"] = stringFilter;
  t["length"] = lengthFilter;
  t["count"] = lengthFilter;
  t["first"] = first;
  t["last"] = last;
  t["list"] = listFilter;
  t["join"] = join;
  t["ternary"] = ternary;
  t["abs"] = absFilter;
  t["round"] = roundFilter;
  t["type_debug"] = typeDebug;
  t["reverse"] = reverse;
}

}  // namespace sc::controller::jinja
