#include "controller/jinja/printf_format.h"

#include <fmt/format.h>

#include <cmath>

#include "common/text/utf8.h"
#include "controller/jinja/evaluator.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::jinja {
namespace {

struct Spec {
  bool left = false;
  bool zero = false;
  char sign = '\0';  // '+', ' ' or none
  bool alt = false;
  int width = -1;
  int precision = -1;
  char type = 's';
};

std::string pad(std::string text, const Spec& spec, bool numeric) {
  const auto len = static_cast<int>(::sc::text::utf8::length(text));
  if (spec.width <= len) return text;
  const auto fill = static_cast<std::size_t>(spec.width - len);
  if (spec.left) return text + std::string(fill, ' ');
  if (spec.zero && numeric) {
    std::size_t at = 0;
    if (!text.empty() && (text[0] == '-' || text[0] == '+' || text[0] == ' ')) at = 1;
    if (text.size() > at + 1 && text[at] == '0' &&
        (text[at + 1] == 'x' || text[at + 1] == 'X' || text[at + 1] == 'o')) {
      at += 2;
    }
    return text.substr(0, at) + std::string(fill, '0') + text.substr(at);
  }
  return std::string(fill, ' ') + text;
}

std::string signed_(std::string digits, bool negative, const Spec& spec) {
  if (negative) return "-" + digits;
  if (spec.sign) return std::string(1, spec.sign) + digits;
  return digits;
}

Result<std::string> formatOne(Evaluator& ev, const Spec& spec, const Value& v) {
  switch (spec.type) {
    case 's':
    case 'r':
    case 'a': {
      std::string text;
      if (spec.type == 's') {
        SC_TRY_ASSIGN(text, ev.toText(v));
      } else {
        SC_TRY(ev.requireDefined(v));
        text = v.isData() ? pyRepr(v.data(), v.shape()) : "<object>";
      }
      if (spec.precision >= 0) {
        auto points = ::sc::text::utf8::decode(text);
        if (points.size() > static_cast<std::size_t>(spec.precision)) {
          points.resize(static_cast<std::size_t>(spec.precision));
        }
        text = ::sc::text::utf8::encode(points);
      }
      return pad(std::move(text), spec, false);
    }
    case 'c': {
      std::string text;
      if (v.isString() && ::sc::text::utf8::length(v.data().get_ref<const std::string&>()) == 1) {
        text = v.data().get<std::string>();
      } else if (v.isInt()) {
        ::sc::text::utf8::append(text, static_cast<char32_t>(v.data().get<std::int64_t>()));
      } else {
        return typeError("%c requires int or char");
      }
      return pad(std::move(text), spec, false);
    }
    default:
      break;
  }
  if (!v.isData() || !(v.isNumber() || v.isBool())) {
    return typeError(
        fmt::format("%{} format: a real number is required, not {}", spec.type, v.typeName()));
  }
  const Data& d = v.data();
  if (spec.type == 'd' || spec.type == 'i' || spec.type == 'u' || spec.type == 'x' ||
      spec.type == 'X' || spec.type == 'o') {
    std::int64_t n = 0;
    if (auto i = asInteger(d)) {
      n = *i;
    } else {
      const double f = d.get<double>();
      if (!std::isfinite(f)) return typeError("cannot convert float infinity or NaN to integer");
      if (spec.type != 'd' && spec.type != 'i' && spec.type != 'u') {
        return typeError(fmt::format("%{} format: an integer is required, not float", spec.type));
      }
      n = static_cast<std::int64_t>(f);
    }
    const bool negative = n < 0;
    const auto magnitude =
        negative ? static_cast<std::uint64_t>(-(n + 1)) + 1u : static_cast<std::uint64_t>(n);
    std::string digits;
    if (spec.type == 'x') {
      digits = fmt::format("{}{:x}", spec.alt ? "0x" : "", magnitude);
    } else if (spec.type == 'X') {
      digits = fmt::format("{}{:X}", spec.alt ? "0X" : "", magnitude);
    } else if (spec.type == 'o') {
      digits = fmt::format("{}{:o}", spec.alt ? "0o" : "", magnitude);
    } else {
      digits = std::to_string(magnitude);
    }
    if (spec.precision > 0 && digits.size() < static_cast<std::size_t>(spec.precision)) {
      digits = std::string(static_cast<std::size_t>(spec.precision) - digits.size(), '0') + digits;
    }
    return pad(signed_(digits, negative, spec), spec, true);
  }
  const double f = *asDouble(d);
  const int precision = spec.precision < 0 ? 6 : spec.precision;
  std::string body;
  const double magnitude = std::fabs(f);
  if (std::isinf(f)) {
    body = spec.type >= 'a' ? "inf" : "INF";
  } else if (std::isnan(f)) {
    body = spec.type >= 'a' ? "nan" : "NAN";
  } else {
    switch (spec.type) {
      case 'f':
      case 'F':
        body = fmt::format(fmt::runtime(spec.alt ? "{:#.{}f}" : "{:.{}f}"), magnitude, precision);
        break;
      case 'e':
        body = fmt::format(fmt::runtime(spec.alt ? "{:#.{}e}" : "{:.{}e}"), magnitude, precision);
        break;
      case 'E':
        body = fmt::format(fmt::runtime(spec.alt ? "{:#.{}E}" : "{:.{}E}"), magnitude, precision);
        break;
      case 'g':
        body = fmt::format(fmt::runtime(spec.alt ? "{:#.{}g}" : "{:.{}g}"), magnitude,
                           precision == 0 ? 1 : precision);
        break;
      case 'G':
        body = fmt::format(fmt::runtime(spec.alt ? "{:#.{}G}" : "{:.{}G}"), magnitude,
                           precision == 0 ? 1 : precision);
        break;
      default:
        return typeError(fmt::format("unsupported format character '{}'", spec.type));
    }
  }
  return pad(signed_(body, std::signbit(f) && !std::isnan(f), spec), spec, true);
}

}  // namespace

Result<std::string> percentFormat(Evaluator& ev, std::string_view format, const Value& args) {
  std::vector<Value> positional;
  const bool mapping = args.isDict();
  if (args.isList() && args.shape() == Shape::Tuple) {
    for (const auto& item : args.data()) positional.emplace_back(item);
  } else {
    positional.push_back(args);
  }
  std::size_t next = 0;
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) return typeError("incomplete format");
    if (format[i] == '%') {
      out += '%';
      continue;
    }
    Value value;
    bool have_value = false;
    if (format[i] == '(') {
      const auto close = format.find(')', i);
      if (close == std::string_view::npos) return typeError("incomplete format key");
      if (!mapping) return typeError("format requires a mapping");
      const std::string key(format.substr(i + 1, close - i - 1));
      auto it = args.data().find(key);
      if (it == args.data().end()) return typeError(fmt::format("KeyError: '{}'", key));
      value = Value(*it);
      have_value = true;
      i = close + 1;
    }
    Spec spec;
    for (; i < format.size(); ++i) {
      const char c = format[i];
      if (c == '-') {
        spec.left = true;
      } else if (c == '0') {
        spec.zero = true;
      } else if (c == '+') {
        spec.sign = '+';
      } else if (c == ' ') {
        if (spec.sign != '+') spec.sign = ' ';
      } else if (c == '#') {
        spec.alt = true;
      } else {
        break;
      }
    }
    auto number = [&]() {
      int n = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        n = std::min(n * 10 + (format[i++] - '0'), 100000);
      }
      return n;
    };
    if (i < format.size() && format[i] >= '0' && format[i] <= '9') spec.width = number();
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.precision = number();
    }
    while (i < format.size() && (format[i] == 'l' || format[i] == 'h' || format[i] == 'L')) ++i;
    if (i >= format.size()) return typeError("incomplete format");
    spec.type = format[i];
    if (std::string_view("sradiouxXeEfFgGc").find(spec.type) == std::string_view::npos) {
      return typeError(fmt::format("unsupported format character '{}'", spec.type));
    }
    if (!have_value) {
      if (mapping && positional.size() == 1 && next == 0 && args.isDict()) {
        value = args;
        ++next;
      } else {
        if (next >= positional.size()) return typeError("not enough arguments for format string");
        value = positional[next++];
      }
    }
    SC_TRY_ASSIGN(auto piece, formatOne(ev, spec, value));
    out += piece;
    SC_TRY(ev.checkSize(out.size()));
  }
  if (!mapping && next < positional.size()) {
    return typeError("not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace sc::controller::jinja
