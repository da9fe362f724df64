// Methods called on values, as Python's str, dict and list have them
// (`s.split(',')`, `d.items()`, `l.index(x)`), and the attributes of the
// `loop` object. Only the methods listed in isMethodName() exist; calling
// another Python method is an error naming it.
#include <fmt/format.h>

#include <set>

#include "common/text/utf8.h"
#include "controller/jinja/evaluator.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/py_format.h"
#include "controller/jinja/string_ops.h"

namespace sc::controller::jinja {
namespace {

const std::set<std::string_view, std::less<>> kStringMethods = {
    "split",      "rsplit",     "join",       "replace",  "find",       "rfind",   "index",
    "startswith", "endswith",   "strip",      "lstrip",   "rstrip",     "lower",   "upper",
    "format",     "splitlines", "count",      "title",    "capitalize", "isdigit", "isalpha",
    "isalnum",    "isspace",    "islower",    "isupper",  "zfill",      "center",  "ljust",
    "rjust",      "partition",  "rpartition", "swapcase", "casefold",   "encode",  "decode"};
const std::set<std::string_view, std::less<>> kDictMethods = {
    "items",  "keys",       "values", "get",     "copy",    "pop",
    "update", "setdefault", "clear",  "popitem", "fromkeys"};
const std::set<std::string_view, std::less<>> kListMethods = {
    "index",  "count",   "append", "extend", "insert", "pop",
    "remove", "reverse", "sort",   "copy",   "clear"};

Result<Value> stringMethod(Evaluator& ev, const std::string& s, std::string_view name,
                           CallArgs& args) {
  if (name == "split" || name == "rsplit") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"sep", "maxsplit"}));
    SC_TRY_ASSIGN(auto maxsplit, a.integer(1, -1));
    std::optional<std::string> sep;
    if (a.has(0) && !a.get(0)->isNone()) {
      SC_TRY_ASSIGN(sep, a.text(ev, 0, ""));
    }
    SC_TRY_ASSIGN(auto parts, pySplit(s, sep, maxsplit, name == "rsplit"));
    Data out = Data::array();
    for (auto& p : parts) out.push_back(std::move(p));
    return Value(std::move(out));
  }
  if (name == "join") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"iterable"}));
    if (!a.has(0)) return typeError("join() takes exactly one argument");
    SC_TRY_ASSIGN(auto items, ev.iterate(*a.get(0)));
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i].isString()) {
        return typeError(fmt::format("sequence item {}: expected str instance, {} found", i,
                                     items[i].typeName()));
      }
      if (i) out += s;
      out += items[i].data().get_ref<const std::string&>();
      SC_TRY(ev.checkSize(out.size()));
    }
    return Value(std::move(out));
  }
  if (name == "replace") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"old", "new", "count"}));
    SC_TRY_ASSIGN(auto old, a.text(ev, 0, ""));
    SC_TRY_ASSIGN(auto repl, a.text(ev, 1, ""));
    SC_TRY_ASSIGN(auto count, a.integer(2, -1));
    SC_TRY_ASSIGN(auto out, pyReplace(s, old, repl, count, ev.options().limits.max_output_bytes));
    return Value(std::move(out));
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "count") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"sub"}));
    SC_TRY_ASSIGN(auto sub, a.text(ev, 0, ""));
    if (name == "count") return Value(pyCount(s, sub));
    const auto at = name == "rfind" ? s.rfind(sub) : s.find(sub);
    if (at == std::string::npos) {
      if (name == "index") return typeError("substring not found");
      return Value(-1);
    }
    return Value(
        static_cast<std::int64_t>(::sc::text::utf8::length(std::string_view(s).substr(0, at))));
  }
  if (name == "startswith" || name == "endswith") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"prefix"}));
    if (!a.has(0)) return typeError(fmt::format("{}() takes at least 1 argument", name));
    std::vector<std::string> options;
    if (a.get(0)->isList()) {
      for (const auto& o : a.get(0)->data()) {
        if (!o.is_string()) return typeError("tuple for startswith must only contain str");
        options.push_back(o.get<std::string>());
      }
    } else if (a.get(0)->isString()) {
      options.push_back(a.get(0)->data().get<std::string>());
    } else {
      return typeError(fmt::format("{} first arg must be str or a tuple of str", name));
    }
    for (const auto& o : options) {
      if (o.size() > s.size()) continue;
      if (name == "startswith" ? s.compare(0, o.size(), o) == 0
                               : s.compare(s.size() - o.size(), o.size(), o) == 0) {
        return Value(true);
      }
    }
    return Value(false);
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"chars"}));
    std::optional<std::string> chars;
    if (a.has(0) && !a.get(0)->isNone()) {
      SC_TRY_ASSIGN(chars, a.text(ev, 0, ""));
    }
    return Value(pyStrip(s, chars, name != "rstrip", name != "lstrip"));
  }
  if (name == "lower" || name == "casefold") return Value(::sc::text::utf8::lower(s));
  if (name == "upper") return Value(::sc::text::utf8::upper(s));
  if (name == "title") return Value(pyTitle(s));
  if (name == "capitalize") return Value(pyCapitalize(s));
  if (name == "swapcase") {
    std::string out;
    for (char32_t c : ::sc::text::utf8::decode(s)) {
      ::sc::text::utf8::append(out, ::sc::text::utf8::isUpper(c) ? ::sc::text::utf8::toLower(c)
                                                                 : ::sc::text::utf8::toUpper(c));
    }
    return Value(std::move(out));
  }
  if (name == "splitlines") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"keepends"}));
    Data out = Data::array();
    for (auto& line : pySplitLines(s, a.flag(0, false))) out.push_back(std::move(line));
    return Value(std::move(out));
  }
  if (name == "format") return pyStrFormat(ev, s, args);
  if (name.substr(0, 2) == "is") {
    const auto points = ::sc::text::utf8::decode(s);
    bool result = !points.empty();
    bool cased = false;
    for (char32_t c : points) {
      if (name == "isdigit") result = result && ::sc::text::utf8::isDigit(c);
      if (name == "isalpha") result = result && ::sc::text::utf8::isAlpha(c);
      if (name == "isalnum") result = result && ::sc::text::utf8::isAlnum(c);
      if (name == "isspace") result = result && ::sc::text::utf8::isSpace(c);
      if (name == "islower") result = result && !::sc::text::utf8::isUpper(c);
      if (name == "isupper") result = result && !::sc::text::utf8::isLower(c);
      cased = cased || ::sc::text::utf8::isUpper(c) || ::sc::text::utf8::isLower(c);
    }
    if (name == "islower" || name == "isupper") result = result && cased;
    return Value(result);
  }
  if (name == "zfill" || name == "center" || name == "ljust" || name == "rjust") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"width", "fillchar"}));
    SC_TRY_ASSIGN(auto width, a.integer(0, 0));
    SC_TRY_ASSIGN(auto fill, a.text(ev, 1, name == "zfill" ? "0" : " "));
    SC_TRY(ev.checkSize(static_cast<std::size_t>(std::max<std::int64_t>(width, 0))));
    return Value(pyPad(s, name, width, fill));
  }
  if (name == "partition" || name == "rpartition") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"sep"}));
    SC_TRY_ASSIGN(auto sep, a.text(ev, 0, ""));
    if (sep.empty()) return typeError("empty separator");
    const auto at = name == "partition" ? s.find(sep) : s.rfind(sep);
    Data out = Data::array();
    if (at == std::string::npos) {
      out = name == "partition" ? Data::array({s, "", ""}) : Data::array({"", "", s});
    } else {
      out = Data::array({s.substr(0, at), sep, s.substr(at + sep.size())});
    }
    return Value(std::move(out), Shape::Tuple);
  }
  return typeError(fmt::format("the str method '{}' is not supported", name));
}

Result<Value> dictMethod(Evaluator& ev, const Data& d, std::string_view name, CallArgs& args) {
  if (name == "items" || name == "keys" || name == "values") {
    SC_TRY(Args::bind(name, args, {}));
    Data out = Data::array();
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (name == "items") {
        out.push_back(Data::array({it.key(), it.value()}));
      } else {
        out.push_back(name == "keys" ? Data(it.key()) : it.value());
      }
    }
    return Value(std::move(out), name == "items" ? Shape::ListOfTuples : Shape::Plain);
  }
  if (name == "get") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"key", "default"}));
    if (!a.has(0)) return typeError("get expected at least 1 argument, got 0");
    if (a.get(0)->isData() && a.get(0)->data().is_primitive()) {
      auto it = d.find(keyString(a.get(0)->data()));
      if (it != d.end()) return Value(*it);
    }
    return a.has(1) ? *a.get(1) : Value();
  }
  if (name == "copy") return Value(d);
  (void)ev;
  return typeError(
      fmt::format("the dict method '{}' is not supported (it would change the "
                  "value in place)",
                  name));
}

Result<Value> listMethod(const Data& l, std::string_view name, CallArgs& args) {
  if (name == "index" || name == "count") {
    SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"value"}));
    if (!a.has(0) || !a.get(0)->isData())
      return typeError(fmt::format("{}() takes 1 argument", name));
    std::int64_t count = 0;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (!pyEqual(l[i], a.get(0)->data())) continue;
      if (name == "index") return Value(static_cast<std::int64_t>(i));
      ++count;
    }
    if (name == "index") return typeError("list.index(x): x not in list");
    return Value(count);
  }
  if (name == "copy") return Value(l);
  return typeError(fmt::format(
      "the list method '{}' is not supported (it would change the value in place)", name));
}

}  // namespace

bool isMethodName(const Value& receiver, std::string_view name) {
  if (receiver.isString()) return kStringMethods.count(name) > 0;
  if (receiver.isDict()) return kDictMethods.count(name) > 0;
  if (receiver.isList()) return kListMethods.count(name) > 0;
  if (receiver.isLoop()) return name == "cycle" || name == "changed";
  return false;
}

Result<Value> callMethod(Evaluator& ev, const Value& receiver, std::string_view name,
                         CallArgs args) {
  if (receiver.isString()) {
    return stringMethod(ev, receiver.data().get_ref<const std::string&>(), name, args);
  }
  if (receiver.isDict()) return dictMethod(ev, receiver.data(), name, args);
  if (receiver.isList()) return listMethod(receiver.data(), name, args);
  if (receiver.isLoop()) {
    LoopObject& loop = *receiver.loopPtr();
    if (name == "cycle") {
      if (args.positional.empty()) return typeError("no items for cycling given");
      const auto n = static_cast<std::int64_t>(args.positional.size());
      return args.positional[static_cast<std::size_t>(loop.index0 % n)];
    }
    // loop.changed(*values): true when the values differ from last call.
    SC_TRY_ASSIGN(auto list, ev.makeList(std::move(args.positional)));
    const bool changed = !loop.last_changed || !pyEqual(*loop.last_changed, list.data());
    loop.last_changed = list.data();
    return Value(changed);
  }
  return typeError(fmt::format("'{}' object has no method '{}'", receiver.typeName(), name));
}

Result<Value> loopAttribute(const LoopObject& loop, std::string_view name) {
  const std::int64_t i = loop.index0;
  const std::int64_t n = loop.length;
  if (name == "index") return Value(i + 1);
  if (name == "index0") return Value(i);
  if (name == "revindex") return Value(n - i);
  if (name == "revindex0") return Value(n - i - 1);
  if (name == "first") return Value(i == 0);
  if (name == "last") return Value(i == n - 1);
  if (name == "length") return Value(n);
  if (name == "depth") return Value(loop.depth0 + 1);
  if (name == "depth0") return Value(loop.depth0);
  if (name == "previtem") {
    if (i == 0) return Value::undefined("loop.previtem", "there is no previous item");
    return (*loop.items)[static_cast<std::size_t>(i - 1)];
  }
  if (name == "nextitem") {
    if (i + 1 >= n) return Value::undefined("loop.nextitem", "there is no next item");
    return (*loop.items)[static_cast<std::size_t>(i + 1)];
  }
  return Value::undefined(std::string(name),
                          fmt::format("'LoopContext' object has no attribute '{}'", name));
}

}  // namespace sc::controller::jinja
