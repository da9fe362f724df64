// Text filters: case, trimming, replace, split, indent, center, wordcount,
// format, comment, quote (shlex.quote), escape, urlencode, and the path
// filters basename, dirname, realpath, expanduser, splitext, path_join.
// realpath is lexical (no symlinks resolved; the controller's files are not
// the target's) and refuses relative paths, which would depend on the
// controller's working directory (docs/jinja.md).
#include <fmt/format.h>

#include "common/text/utf8.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"
#include "controller/jinja/printf_format.h"
#include "controller/jinja/string_ops.h"

namespace sc::controller::jinja {
namespace {

Result<std::string> text(Evaluator& ev, const Value& v) { return ev.toText(v); }

#define SC_TEXT_FILTER(fn_name, filter, expr)                         \
  Result<Value> fn_name(Evaluator& ev, Value input, CallArgs& args) { \
    SC_TRY(Args::bind(filter, args, {}));                             \
    SC_TRY_ASSIGN(auto s, text(ev, input));                           \
    return Value(expr);                                               \
  }

SC_TEXT_FILTER(lower, "lower", ::sc::text::utf8::lower(s))
SC_TEXT_FILTER(upper, "upper", ::sc::text::utf8::upper(s))
SC_TEXT_FILTER(capitalize, "capitalize", pyCapitalize(s))
SC_TEXT_FILTER(title, "title", jinjaTitle(s))
#undef SC_TEXT_FILTER

Result<Value> trim(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("trim", args, {"chars"}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  std::optional<std::string> chars;
  if (a.has(0) && !a.get(0)->isNone()) {
    SC_TRY_ASSIGN(chars, a.text(ev, 0, ""));
  }
  return Value(pyStrip(s, chars, true, true));
}

Result<Value> replace(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("replace", args, {"old", "new", "count"}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  SC_TRY_ASSIGN(auto old, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto repl, a.text(ev, 1, ""));
  SC_TRY_ASSIGN(auto count, a.integer(2, -1));
  SC_TRY_ASSIGN(auto out, pyReplace(s, old, repl, count, ev.options().limits.max_output_bytes));
  return Value(std::move(out));
}

Result<Value> split(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("split", args, {"sep", "maxsplit"}));
  if (!input.isString()) return typeError("split() expects a string");
  std::optional<std::string> sep;
  if (a.has(0) && !a.get(0)->isNone()) {
    SC_TRY_ASSIGN(sep, a.text(ev, 0, ""));
  }
  SC_TRY_ASSIGN(auto maxsplit, a.integer(1, -1));
  SC_TRY_ASSIGN(auto parts, pySplit(input.data().get<std::string>(), sep, maxsplit, false));
  Data out = Data::array();
  for (auto& p : parts) out.push_back(std::move(p));
  return Value(std::move(out));
}

Result<Value> indent(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("indent", args, {"width", "first", "blank"}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  std::string indention(4, ' ');
  if (a.has(0) && a.get(0)->isString()) {
    indention = a.get(0)->data().get<std::string>();
  } else {
    SC_TRY_ASSIGN(auto width, a.integer(0, 4));
    indention =
        std::string(static_cast<std::size_t>(std::clamp<std::int64_t>(width, 0, 4096)), ' ');
  }
  // Jinja2 appends a newline so that splitlines() keeps a final empty line.
  auto lines = pySplitLines(s + "\n", false);
  std::string out;
  if (a.flag(2, false)) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i) out += "\n" + indention;
      out += lines[i];
    }
  } else if (!lines.empty()) {
    out = lines[0];
    for (std::size_t i = 1; i < lines.size(); ++i) {
      out += "\n";
      if (!lines[i].empty()) out += indention;
      out += lines[i];
    }
  }
  if (a.flag(1, false)) out = indention + out;
  SC_TRY(ev.checkSize(out.size()));
  return Value(std::move(out));
}

Result<Value> center(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("center", args, {"width"}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  SC_TRY_ASSIGN(auto width, a.integer(0, 80));
  SC_TRY(ev.checkSize(static_cast<std::size_t>(std::max<std::int64_t>(width, 0))));
  return Value(pyPad(s, "center", width, " "));
}

Result<Value> wordcount(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("wordcount", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  std::int64_t words = 0;
  bool in_word = false;
  for (char32_t c : ::sc::text::utf8::decode(s)) {
    const bool word = ::sc::text::utf8::isAlnum(c) || c == '_' ||
                      (c > 0x7F && !::sc::text::utf8::isSpace(c) && c != 0xA0);
    if (word && !in_word) ++words;
    in_word = word;
  }
  return Value(words);
}

Result<Value> format(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto s, text(ev, input));
  if (!args.keyword.empty() && !args.positional.empty()) {
    return typeError("format() accepts either positional or keyword arguments, not both");
  }
  Value packed;
  if (!args.keyword.empty()) {
    Data dict = Data::object();
    for (auto& [key, value] : args.keyword) {
      if (!value.isData()) return typeError("format() arguments must be data");
      dict[key] = value.data();
    }
    packed = Value(std::move(dict));
  } else {
    SC_TRY_ASSIGN(packed, ev.makeList(args.positional, Shape::Tuple));
  }
  SC_TRY_ASSIGN(auto out, percentFormat(ev, s, packed));
  return Value(std::move(out));
}

Result<Value> comment(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto s, text(ev, input));
  std::string style = "plain";
  if (!args.positional.empty()) {
    SC_TRY_ASSIGN(style, ev.toText(args.positional[0]));
  }
  struct Style {
    const char* name;
    const char* beginning;
    const char* decoration;
    const char* end;
  };
  static const Style kStyles[] = {{"plain", "", "# ", ""},
                                  {"erlang", "", "% ", ""},
                                  {"c", "", "// ", ""},
                                  {"cblock", "/*", " * ", " */"},
                                  {"xml", "<!--", " - ", "-->"}};
  const Style* st = nullptr;
  for (const auto& candidate : kStyles) {
    if (style == candidate.name) st = &candidate;
  }
  if (!st) return typeError(fmt::format("unknown comment style '{}'", style));
  std::string prepostfix = st->decoration;
  std::map<std::string, std::string> p;
  for (auto& [key, value] : args.keyword) {
    SC_TRY_ASSIGN(p[key], ev.toText(value));
  }
  if (p.count("decoration")) prepostfix = p["decoration"];
  auto rstrip = [](std::string x) { return pyStrip(x, std::nullopt, false, true); };
  auto get = [&](const std::string& key, std::string fallback) {
    auto it = p.find(key);
    return it == p.end() ? fallback : it->second;
  };
  const std::string newline = get("newline", "\n");
  const std::string beginning = get("beginning", st->beginning);
  const std::string prefix = get("prefix", rstrip(prepostfix));
  const std::string decoration = get("decoration", st->decoration);
  const std::string postfix = get("postfix", rstrip(prepostfix));
  const std::string end = get("end", st->end);
  std::int64_t prefix_count = 1;
  std::int64_t postfix_count = 1;
  if (p.count("prefix_count")) prefix_count = std::stoll(p["prefix_count"]);
  if (p.count("postfix_count")) postfix_count = std::stoll(p["postfix_count"]);
  if (prefix_count > 1000 || postfix_count > 1000) return typeError("comment counts too large");
  std::string out;
  if (!beginning.empty()) out += beginning + newline;
  if (!prefix.empty()) {
    for (std::int64_t i = 0; i < prefix_count; ++i) {
      out += prefix != newline ? prefix + newline : newline;
    }
  }
  SC_TRY_ASSIGN(auto body, pyReplace(s, newline, newline + decoration, -1,
                                     ev.options().limits.max_output_bytes));
  SC_TRY_ASSIGN(body,
                pyReplace(decoration + body, decoration + newline, rstrip(decoration) + newline, -1,
                          ev.options().limits.max_output_bytes));
  out += body;
  for (std::int64_t i = 0; i < postfix_count; ++i) out += newline + postfix;
  if (!end.empty()) out += newline + end;
  return Value(std::move(out));
}

Result<Value> quote(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("quote", args, {}));
  std::string s;
  if (!input.isNone()) {
    SC_TRY_ASSIGN(s, text(ev, input));
  }
  if (s.empty()) return Value(std::string("''"));
  bool safe = true;
  for (char c : s) {
    const bool ok_char = std::isalnum(static_cast<unsigned char>(c)) ||
                         std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
    safe = safe && ok_char;
  }
  if (safe) return Value(s);
  SC_TRY_ASSIGN(auto body, pyReplace(s, "'", "'\"'\"'", -1, ev.options().limits.max_output_bytes));
  return Value("'" + body + "'");
}

Result<Value> escape(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("escape", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return Value(std::move(out));
}

std::string urlQuote(std::string_view s, bool for_query) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' ||
        (!for_query && c == '/')) {
      out += ch;
    } else if (for_query && c == ' ') {
      out += '+';
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Result<Value> urlencode(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("urlencode", args, {}));
  if (input.isDict() || input.isList()) {
    std::vector<std::pair<Value, Value>> pairs;
    if (input.isDict()) {
      for (auto it = input.data().begin(); it != input.data().end(); ++it) {
        pairs.emplace_back(Value(it.key()), Value(it.value()));
      }
    } else {
      for (const auto& item : input.data()) {
        if (!item.is_array() || item.size() != 2) return typeError("urlencode expects pairs");
        pairs.emplace_back(Value(item[0]), Value(item[1]));
      }
    }
    std::string out;
    for (const auto& [k, v] : pairs) {
      SC_TRY_ASSIGN(auto ks, text(ev, k));
      SC_TRY_ASSIGN(auto vs, text(ev, v));
      if (!out.empty()) out += '&';
      out += urlQuote(ks, true) + "=" + urlQuote(vs, true);
    }
    return Value(std::move(out));
  }
  SC_TRY_ASSIGN(auto s, text(ev, input));
  return Value(urlQuote(s, false));
}

// ---- paths (POSIX os.path) ----------------------------------------------

Result<Value> basename(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("basename", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  const auto slash = s.rfind('/');
  return Value(slash == std::string::npos ? s : s.substr(slash + 1));
}

Result<Value> dirname(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("dirname", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  const auto slash = s.rfind('/');
  if (slash == std::string::npos) return Value(std::string());
  std::string head = s.substr(0, slash + 1);
  if (head.find_first_not_of('/') != std::string::npos) {
    while (!head.empty() && head.back() == '/') head.pop_back();
  }
  return Value(std::move(head));
}

std::string normpath(std::string_view path) {
  if (path.empty()) return ".";
  const bool absolute = path[0] == '/';
  // POSIX keeps exactly two leading slashes; Python's normpath does too.
  const bool two =
      absolute && path.size() > 1 && path[1] == '/' && (path.size() == 2 || path[2] != '/');
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    const auto next = path.find('/', i);
    const auto part = path.substr(i, next == std::string_view::npos ? path.npos : next - i);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.emplace_back("..");
      }
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    if (next == std::string_view::npos) break;
    i = next + 1;
  }
  std::string out = absolute ? (two ? "//" : "/") : "";
  for (std::size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
  return out.empty() ? "." : out;
}

Result<Value> realpath(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("realpath", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  if (s.empty() || s[0] != '/') {
    return typeError(
        fmt::format("realpath of the relative path '{}' would depend on the "
                    "controller's working directory; use an absolute path",
                    s));
  }
  std::string out = normpath(s);
  if (out.rfind("//", 0) == 0) out.erase(0, 1);
  return Value(std::move(out));
}

Result<Value> expanduser(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("expanduser", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  if (s.empty() || s[0] != '~') return Value(s);
  const auto slash = s.find('/');
  if (slash != 1 && s.size() != 1) {
    return typeError(fmt::format("expanduser of '{}' (another user's home) is not supported", s));
  }
  LookupHook* hook = ev.options().lookups;
  std::optional<std::string> home = hook ? hook->environmentVariable("HOME") : std::nullopt;
  if (!home) return typeError("expanduser needs HOME on the controller");
  std::string h = *home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  return Value(h + (slash == std::string::npos ? "" : s.substr(slash)));
}

Result<Value> splitext(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("splitext", args, {}));
  SC_TRY_ASSIGN(auto s, text(ev, input));
  const auto slash = s.rfind('/');
  const auto base = slash == std::string::npos ? 0 : slash + 1;
  auto dot = s.rfind('.');
  if (dot != std::string::npos && dot > base) {
    // Leading dots of the name do not start an extension (".bashrc").
    const auto first_non_dot = s.find_first_not_of('.', base);
    if (first_non_dot != std::string::npos && dot > first_non_dot) {
      return Value(Data::array({s.substr(0, dot), s.substr(dot)}), Shape::Tuple);
    }
  }
  return Value(Data::array({s, ""}), Shape::Tuple);
}

Result<Value> pathJoin(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("path_join", args, {}));
  if (input.isString()) return input;
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::string out;
  for (const auto& item : items) {
    if (!item.isString()) return typeError("path_join expects strings");
    const auto& part = item.data().get_ref<const std::string&>();
    if (!part.empty() && part[0] == '/') {
      out = part;
    } else if (out.empty() || out.back() == '/') {
      out += part;
    } else {
      out += "/" + part;
    }
  }
  return Value(std::move(out));
}

}  // namespace

void addStringFilters(FilterTable& t) {
  t["lower"] = lower;
  t["upper"] = upper;
  t["capitalize"] = capitalize;
  t["title"] = title;
  t["trim"] = trim;
  t["replace"] = replace;
  t["split"] = split;
  t["indent"] = indent;
  t["center"] = center;
  t["wordcount"] = wordcount;
  t["format"] = format;
  t["comment"] = comment;
  t["quote"] = quote;
  t["e"] = escape;
  t["escape"] = escape;
  t["urlencode"] = urlencode;
  t["basename"] = basename;
  t["dirname"] = dirname;
  t["realpath"] = realpath;
  t["expanduser"] = expanduser;
  t["splitext"] = splitext;
  t["path_join"] = pathJoin;
}

}  // namespace sc::controller::jinja
