#include "controller/jinja/string_ops.h"

#include <fmt/format.h>

#include "common/text/utf8.h"
#include "controller/jinja/evaluator.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::jinja {

Result<std::vector<std::string>> pySplit(std::string_view s, const std::optional<std::string>& sep,
                                         std::int64_t maxsplit, bool from_right) {
  std::vector<std::string> out;
  if (sep) {
    if (sep->empty()) return typeError("empty separator");
    if (!from_right) {
      std::size_t start = 0;
      while (maxsplit < 0 || static_cast<std::int64_t>(out.size()) < maxsplit) {
        const auto at = s.find(*sep, start);
        if (at == std::string_view::npos) break;
        out.emplace_back(s.substr(start, at - start));
        start = at + sep->size();
      }
      out.emplace_back(s.substr(start));
      return out;
    }
    std::size_t end = s.size();
    std::int64_t splits = 0;
    while (maxsplit < 0 || splits < maxsplit) {
      if (end < sep->size()) break;
      const auto at = s.rfind(*sep, end - sep->size());
      if (at == std::string_view::npos) break;
      out.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
      end = at;
      ++splits;
    }
    out.emplace_back(s.substr(0, end));
    return std::vector<std::string>(out.rbegin(), out.rend());
  }
  auto points = ::sc::text::utf8::decode(s);
  if (from_right) std::reverse(points.begin(), points.end());
  std::vector<std::vector<char32_t>> words;
  std::size_t i = 0;
  while (i < points.size()) {
    while (i < points.size() && ::sc::text::utf8::isSpace(points[i])) ++i;
    if (i >= points.size()) break;
    if (maxsplit >= 0 && static_cast<std::int64_t>(words.size()) == maxsplit) {
      std::size_t end = points.size();
      while (end > i && ::sc::text::utf8::isSpace(points[end - 1])) --end;
      words.emplace_back(points.begin() + static_cast<std::ptrdiff_t>(i),
                         points.begin() + static_cast<std::ptrdiff_t>(end));
      break;
    }
    const std::size_t start = i;
    while (i < points.size() && !::sc::text::utf8::isSpace(points[i])) ++i;
    words.emplace_back(points.begin() + static_cast<std::ptrdiff_t>(start),
                       points.begin() + static_cast<std::ptrdiff_t>(i));
  }
  for (auto& w : words) {
    if (from_right) std::reverse(w.begin(), w.end());
    out.push_back(::sc::text::utf8::encode(w));
  }
  if (from_right) std::reverse(out.begin(), out.end());
  return out;
}

Result<std::string> pyReplace(std::string_view s, std::string_view old, std::string_view repl,
                              std::int64_t count, std::size_t max_bytes) {
  std::string out;
  std::int64_t done = 0;
  if (old.empty()) {
    // Python inserts `repl` before every code point and at the end.
    const auto points = ::sc::text::utf8::decode(s);
    for (std::size_t i = 0; i <= points.size(); ++i) {
      if (count < 0 || done < count) {
        out += repl;
        ++done;
      }
      if (i < points.size()) ::sc::text::utf8::append(out, points[i]);
      if (out.size() > max_bytes) return Error(ErrorCode::TooLarge, "replace() result too large");
    }
    return out;
  }
  std::size_t start = 0;
  while (count < 0 || done < count) {
    const auto at = s.find(old, start);
    if (at == std::string_view::npos) break;
    out += s.substr(start, at - start);
    out += repl;
    start = at + old.size();
    ++done;
    if (out.size() > max_bytes) return Error(ErrorCode::TooLarge, "replace() result too large");
  }
  out += s.substr(start);
  return out;
}

std::int64_t pyCount(std::string_view s, std::string_view sub) {
  if (sub.empty()) return static_cast<std::int64_t>(::sc::text::utf8::length(s)) + 1;
  std::int64_t n = 0;
  for (auto at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size())) {
    ++n;
  }
  return n;
}

std::string pyStrip(std::string_view s, const std::optional<std::string>& chars, bool left,
                    bool right) {
  const auto points = ::sc::text::utf8::decode(s);
  const auto set = chars ? ::sc::text::utf8::decode(*chars) : std::vector<char32_t>{};
  auto strip = [&](char32_t c) {
    if (!chars) return ::sc::text::utf8::isSpace(c);
    return std::find(set.begin(), set.end(), c) != set.end();
  };
  std::size_t b = 0;
  std::size_t e = points.size();
  if (left) {
    while (b < e && strip(points[b])) ++b;
  }
  if (right) {
    while (e > b && strip(points[e - 1])) --e;
  }
  return ::sc::text::utf8::encode(
      std::vector<char32_t>(points.begin() + static_cast<std::ptrdiff_t>(b),
                            points.begin() + static_cast<std::ptrdiff_t>(e)));
}

std::string pyTitle(std::string_view s) {
  std::string out;
  bool previous_cased = false;
  for (char32_t c : ::sc::text::utf8::decode(s)) {
    const bool cased = ::sc::text::utf8::isUpper(c) || ::sc::text::utf8::isLower(c);
    ::sc::text::utf8::append(
        out,
        cased ? (previous_cased ? ::sc::text::utf8::toLower(c) : ::sc::text::utf8::toUpper(c)) : c);
    previous_cased = cased;
  }
  return out;
}

std::string jinjaTitle(std::string_view s) {
  // Jinja2 splits on runs of [-\s({[<] and capitalises each piece's first
  // character, lowering the rest.
  std::string out;
  bool at_start = true;
  for (char32_t c : ::sc::text::utf8::decode(s)) {
    const bool boundary =
        c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || ::sc::text::utf8::isSpace(c);
    if (boundary) {
      ::sc::text::utf8::append(out, c);
      at_start = true;
      continue;
    }
    ::sc::text::utf8::append(
        out, at_start ? ::sc::text::utf8::toUpper(c) : ::sc::text::utf8::toLower(c));
    at_start = false;
  }
  return out;
}

std::string pyCapitalize(std::string_view s) {
  std::string out;
  bool first = true;
  for (char32_t c : ::sc::text::utf8::decode(s)) {
    ::sc::text::utf8::append(out,
                             first ? ::sc::text::utf8::toUpper(c) : ::sc::text::utf8::toLower(c));
    first = false;
  }
  return out;
}

std::vector<std::string> pySplitLines(std::string_view s, bool keepends) {
  std::vector<std::string> out;
  const auto points = ::sc::text::utf8::decode(s);
  std::string line;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const char32_t c = points[i];
    const bool breaks = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C ||
                        c == 0x1D || c == 0x1E || c == 0x85 || c == 0x2028 || c == 0x2029;
    if (!breaks) {
      ::sc::text::utf8::append(line, c);
      continue;
    }
    std::string end;
    ::sc::text::utf8::append(end, c);
    if (c == '\r' && i + 1 < points.size() && points[i + 1] == '\n') {
      end += '\n';
      ++i;
    }
    out.push_back(keepends ? line + end : line);
    line.clear();
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

std::string pyPad(std::string_view s, std::string_view how, std::int64_t width,
                  std::string_view fill) {
  const auto len = static_cast<std::int64_t>(::sc::text::utf8::length(s));
  if (width <= len) return std::string(s);
  const auto pad = width - len;
  auto repeat = [&](std::int64_t n) {
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) out += fill;
    return out;
  };
  if (how == "ljust") return std::string(s) + repeat(pad);
  if (how == "rjust") return repeat(pad) + std::string(s);
  if (how == "zfill") {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
      return std::string(1, s[0]) + repeat(pad) + std::string(s.substr(1));
    }
    return repeat(pad) + std::string(s);
  }
  const std::int64_t left = pad / 2 + (pad & width & 1);
  return repeat(left) + std::string(s) + repeat(pad - left);
}

namespace {

// One replacement field's format spec: [[fill]align][sign][#][0][width][,][.precision][type].
Result<std::string> formatSpec(Evaluator& ev, const Value& v, std::string_view spec) {
  if (spec.empty()) return ev.toText(v);
  std::size_t i = 0;
  std::string fill = " ";
  char align = '\0';
  auto isAlign = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && isAlign(spec[1])) {
    fill = std::string(1, spec[0]);
    align = spec[1];
    i = 2;
  } else if (!spec.empty() && isAlign(spec[0])) {
    align = spec[0];
    i = 1;
  }
  std::string sign;
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  if (i < spec.size() && spec[i] == '0') {
    if (!align) {
      fill = "0";
      align = '=';
    }
    ++i;
  }
  std::int64_t width = 0;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9')
    width = width * 10 + (spec[i++] - '0');
  char grouping = '\0';
  if (i < spec.size() && (spec[i] == ',' || spec[i] == '_')) grouping = spec[i++];
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    precision = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9')
      precision = precision * 10 + (spec[i++] - '0');
  }
  char type = i < spec.size() ? spec[i++] : '\0';
  if (i != spec.size()) return typeError(fmt::format("unsupported format spec '{}'", spec));
  std::string body;
  bool numeric = false;
  if (v.isString() || (!v.isData())) {
    if (type != '\0' && type != 's') return typeError("unknown format code for str");
    SC_TRY_ASSIGN(body, ev.toText(v));
    if (precision >= 0) {
      auto p = ::sc::text::utf8::decode(body);
      if (p.size() > static_cast<std::size_t>(precision))
        p.resize(static_cast<std::size_t>(precision));
      body = ::sc::text::utf8::encode(p);
    }
  } else if (v.isNumber() || v.isBool()) {
    numeric = true;
    const bool is_int = v.isInt() || v.isBool();
    if (type == '\0' && is_int) type = 'd';
    std::string fs = "{:" + sign + (precision >= 0 ? "." + std::to_string(precision) : "") +
                     std::string(1, type == '\0' ? 'g' : type) + "}";
    try {
      if (type == 'd' || type == 'x' || type == 'X' || type == 'o' || type == 'b') {
        if (!is_int) return typeError(fmt::format("unknown format code '{}' for float", type));
        body = fmt::format(fmt::runtime("{:" + sign + std::string(1, type) + "}"),
                           *asInteger(v.data()));
      } else if (type == '\0' && precision < 0) {
        body = pyStr(v.data());
        if (!sign.empty() && sign != "-" && body[0] != '-') body = sign + body;
      } else {
        body = fmt::format(fmt::runtime(fs), *asDouble(v.data()));
      }
    } catch (const fmt::format_error& e) {
      return typeError(fmt::format("bad format spec '{}': {}", spec, e.what()));
    }
  } else {
    SC_TRY_ASSIGN(body, ev.toText(v));
  }
  if (grouping && numeric) {
    // Thousands separators in the integer part: '{:,}'.format(1234567).
    std::size_t start = body.find_first_of("0123456789");
    std::size_t end = body.find_first_not_of("0123456789", start == std::string::npos ? 0 : start);
    if (end == std::string::npos) end = body.size();
    for (std::size_t at = end; start != std::string::npos && at > start + 3; at -= 3) {
      body.insert(at - 3, 1, grouping);
    }
  }
  if (!align) align = numeric ? '>' : '<';
  return pyPad(body,
               align == '<'   ? "ljust"
               : align == '>' ? "rjust"
               : align == '^' ? "center"
                              : "zfill",
               width, fill);
}

}  // namespace

Result<Value> pyStrFormat(Evaluator& ev, std::string_view format, CallArgs& args) {
  std::string out;
  std::size_t auto_index = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '}') {
      if (i + 1 < format.size() && format[i + 1] == '}') ++i;
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const auto close = format.find('}', i);
    if (close == std::string_view::npos)
      return typeError("Single '{' encountered in format string");
    std::string_view field = format.substr(i + 1, close - i - 1);
    i = close;
    std::string_view spec;
    if (auto colon = field.find(':'); colon != std::string_view::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    char conversion = '\0';
    if (auto bang = field.find('!'); bang != std::string_view::npos) {
      conversion = bang + 1 < field.size() ? field[bang + 1] : '\0';
      field = field.substr(0, bang);
    }
    const auto dot = field.find_first_of(".[");
    std::string_view head = field.substr(0, dot);
    Value value;
    if (head.empty() || head.find_first_not_of("0123456789") == std::string_view::npos) {
      const std::size_t index = head.empty() ? auto_index++ : std::stoul(std::string(head));
      if (index >= args.positional.size()) {
        return typeError(fmt::format("Replacement index {} out of range", index));
      }
      value = args.positional[index];
    } else {
      bool found = false;
      for (auto& [name, v] : args.keyword) {
        if (name == head) {
          value = v;
          found = true;
        }
      }
      if (!found) return typeError(fmt::format("KeyError: '{}'", head));
    }
    if (dot != std::string_view::npos) {
      SC_TRY_ASSIGN(value, ev.getPath(value, field.substr(dot + 1)));
      SC_TRY(ev.requireDefined(value));
    }
    if (conversion == 'r') {
      SC_TRY(ev.requireDefined(value));
      value = Value(value.isData() ? pyRepr(value.data(), value.shape()) : std::string("?"));
    }
    SC_TRY_ASSIGN(auto piece, formatSpec(ev, value, spec));
    out += piece;
    SC_TRY(ev.checkSize(out.size()));
  }
  return Value(std::move(out));
}

}  // namespace sc::controller::jinja
