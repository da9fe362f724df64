#include "controller/jinja/py_format.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "common/text/utf8.h"

namespace sc::controller::jinja {

std::string floatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0.0) return std::signbit(value) ? "-0.0" : "0.0";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  // sci is "[-]d[.ddd]e[+-]xx": split it into sign, digits and exponent.
  const bool negative = sci.front() == '-';
  const auto epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(negative ? 1 : 0, epos - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  const int exponent = std::stoi(std::string(sci.substr(epos + 1)));
  const int decpt = exponent + 1;  // position of the decimal point in digits
  std::string out = negative ? "-" : "";
  if (decpt > 16 || decpt <= -4) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out;
  }
  if (decpt <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
  } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
    out += digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
  } else {
    const auto point = static_cast<std::size_t>(decpt);
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

namespace {

// Python's str.isprintable() is false for control, format, separator
// (other than ' '), surrogate and private-use code points; this covers the
// ones that occur in practice.
bool printable(char32_t c) {
  if (c < 0x20 || c == 0x7F) return false;
  if (c < 0x7F) return true;
  if (c <= 0xA0 || c == 0xAD) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F)) return false;
  if ((c >= 0x205F && c <= 0x2064) || c == 0x3000 || c == 0xFEFF) return false;
  if (c >= 0xD800 && c <= 0xF8FF) return false;
  if (c >= 0xFFF9 && c <= 0xFFFB) return false;
  return c <= 0x10FFFF;
}

}  // namespace

std::string stringRepr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : ::sc::text::utf8::decode(text)) {
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (printable(c)) {
      ::sc::text::utf8::append(out, c);
    } else if (c <= 0xFF) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else if (c <= 0xFFFF) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += fmt::format("\\U{:08x}", static_cast<unsigned>(c));
    }
  }
  out += quote;
  return out;
}

std::string pyRepr(const Data& data, Shape shape) {
  switch (data.type()) {
    case Data::value_t::null:
      return "None";
    case Data::value_t::boolean:
      return data.get<bool>() ? "True" : "False";
    case Data::value_t::number_integer:
      return std::to_string(data.get<std::int64_t>());
    case Data::value_t::number_unsigned:
      return std::to_string(data.get<std::uint64_t>());
    case Data::value_t::number_float:
      return floatRepr(data.get<double>());
    case Data::value_t::string:
      return stringRepr(data.get_ref<const std::string&>());
    case Data::value_t::array: {
      const bool tuple = shape == Shape::Tuple;
      const Shape inner = shape == Shape::ListOfTuples ? Shape::Tuple : Shape::Plain;
      std::string out = tuple ? "(" : "[";
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (i) out += ", ";
        out += pyRepr(data[i], inner);
      }
      if (tuple && data.size() == 1) out += ",";
      out += tuple ? ")" : "]";
      return out;
    }
    case Data::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (auto it = data.begin(); it != data.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += stringRepr(it.key());
        out += ": ";
        out += pyRepr(it.value());
      }
      return out + "}";
    }
    default:
      return "b''";
  }
}

std::string pyStr(const Data& data, Shape shape) {
  if (data.is_string()) return data.get<std::string>();
  return pyRepr(data, shape);
}

std::string keyString(const Data& key) { return pyStr(key); }

}  // namespace sc::controller::jinja
