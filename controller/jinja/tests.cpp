// Tests (`x is defined`, `r is changed`, `v is version('2.0', '>=')`), as
// Jinja2 3.1 and Ansible 2.14 define them. Type tests answer false for an
// undefined value, as Python's isinstance does; the others raise its error.
#include <fmt/format.h>

#include "common/text/utf8.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"
#include "controller/jinja/regex.h"
#include "controller/jinja/version_compare.h"

namespace sc::controller::jinja {
namespace {

Result<bool> defined(Evaluator&, const Value& v, CallArgs&) { return !v.isUndefined(); }
Result<bool> undefined(Evaluator&, const Value& v, CallArgs&) { return v.isUndefined(); }
Result<bool> none(Evaluator&, const Value& v, CallArgs&) { return v.isNone(); }
Result<bool> string(Evaluator&, const Value& v, CallArgs&) { return v.isString(); }
Result<bool> number(Evaluator&, const Value& v, CallArgs&) { return v.isNumber() || v.isBool(); }
Result<bool> integer(Evaluator&, const Value& v, CallArgs&) { return v.isInt(); }
Result<bool> floatTest(Evaluator&, const Value& v, CallArgs&) { return v.isFloat(); }
Result<bool> boolean(Evaluator&, const Value& v, CallArgs&) { return v.isBool(); }
Result<bool> mapping(Evaluator&, const Value& v, CallArgs&) { return v.isDict(); }
Result<bool> sequence(Evaluator&, const Value& v, CallArgs&) {
  return v.isList() || v.isString() || v.isDict();
}
Result<bool> iterable(Evaluator&, const Value& v, CallArgs&) {
  return v.isList() || v.isString() || v.isDict();
}
Result<bool> callable(Evaluator&, const Value& v, CallArgs&) { return v.isCallable(); }

Result<Value> one(Evaluator& ev, const Value& input, CallArgs& args, std::string_view name) {
  SC_TRY(ev.requireDefined(input));
  SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"other"}));
  if (!a.has(0)) return typeError(fmt::format("test '{}' needs an argument", name));
  return *a.get(0);
}

#define SC_COMPARE_TEST(fn_name, test, op)                              \
  Result<bool> fn_name(Evaluator& ev, const Value& v, CallArgs& args) { \
    SC_TRY_ASSIGN(auto other, one(ev, v, args, test));                  \
    return compareOp(op, v, other);                                     \
  }
SC_COMPARE_TEST(eq, "eq", "==")
SC_COMPARE_TEST(ne, "ne", "!=")
SC_COMPARE_TEST(lt, "lt", "<")
SC_COMPARE_TEST(le, "le", "<=")
SC_COMPARE_TEST(gt, "gt", ">")
SC_COMPARE_TEST(ge, "ge", ">=")
SC_COMPARE_TEST(in, "in", "in")
#undef SC_COMPARE_TEST

Result<bool> contains(Evaluator& ev, const Value& v, CallArgs& args) {
  SC_TRY_ASSIGN(auto other, one(ev, v, args, "contains"));
  return containsOp(other, v);
}

Result<bool> sameas(Evaluator& ev, const Value& v, CallArgs& args) {
  SC_TRY_ASSIGN(auto other, one(ev, v, args, "sameas"));
  // Python's `is`: only None, True and False are reliably the same object.
  if (v.isNone() || v.isBool())
    return other.isData() && v.data() == other.data() && other.data().type() == v.data().type();
  if (v.isNamespace() && other.isNamespace()) return v.namespacePtr() == other.namespacePtr();
  return false;
}

Result<std::int64_t> integral(Evaluator& ev, const Value& v) {
  SC_TRY(ev.requireDefined(v));
  if (v.isData()) {
    if (auto i = asInteger(v.data())) return *i;
  }
  return typeError(fmt::format("expected an integer, got {}", v.typeName()));
}

Result<bool> divisibleby(Evaluator& ev, const Value& v, CallArgs& args) {
  SC_TRY_ASSIGN(auto other, one(ev, v, args, "divisibleby"));
  SC_TRY_ASSIGN(auto n, integral(ev, v));
  SC_TRY_ASSIGN(auto d, integral(ev, other));
  if (d == 0) return typeError("integer division or modulo by zero");
  return n % d == 0;
}

Result<bool> even(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto n, integral(ev, v));
  return n % 2 == 0;
}

Result<bool> odd(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto n, integral(ev, v));
  return n % 2 != 0;
}

Result<bool> lower(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto s, ev.toText(v));
  return ::sc::text::utf8::lower(s) == s;
}

Result<bool> upper(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto s, ev.toText(v));
  return ::sc::text::utf8::upper(s) == s;
}

// match / search / regex (Ansible's tests: match anchors at the start).
Result<bool> regexTest(Evaluator& ev, const Value& v, CallArgs& args, std::string_view name,
                       std::string_view default_type) {
  SC_TRY(ev.requireDefined(v));
  SC_TRY_ASSIGN(auto a,
                Args::bind(name, args, {"pattern", "ignorecase", "multiline", "match_type"}));
  SC_TRY_ASSIGN(auto pattern, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto match_type, a.text(ev, 3, default_type));
  SC_TRY_ASSIGN(auto subject, ev.toText(v));
  SC_TRY_ASSIGN(auto re, compileRegex(pattern, a.flag(1, false), a.flag(2, false)));
  RegexAnchor anchor = RegexAnchor::None;
  if (match_type == "match") {
    anchor = RegexAnchor::Start;
  } else if (match_type == "fullmatch") {
    anchor = RegexAnchor::Full;
  } else if (match_type != "search") {
    return typeError(fmt::format("unknown match_type '{}'", match_type));
  }
  SC_TRY_ASSIGN(auto found, regexSearch(re, subject, anchor));
  return found.has_value();
}

Result<bool> match(Evaluator& ev, const Value& v, CallArgs& args) {
  return regexTest(ev, v, args, "match", "match");
}
Result<bool> search(Evaluator& ev, const Value& v, CallArgs& args) {
  return regexTest(ev, v, args, "search", "search");
}
Result<bool> regex(Evaluator& ev, const Value& v, CallArgs& args) {
  return regexTest(ev, v, args, "regex", "search");
}

Result<bool> version(Evaluator& ev, const Value& v, CallArgs& args) {
  SC_TRY(ev.requireDefined(v));
  SC_TRY_ASSIGN(auto a,
                Args::bind("version", args, {"version", "operator", "strict", "version_type"}));
  SC_TRY_ASSIGN(auto left, ev.toText(v));
  SC_TRY_ASSIGN(auto right, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto op, a.text(ev, 1, "eq"));
  std::string type = "loose";
  if (a.flag(2, false)) type = "strict";
  if (a.has(3) && !a.get(3)->isNone()) {
    SC_TRY_ASSIGN(type, a.text(ev, 3, "loose"));
  }
  return versionCompare(left, right, op, type);
}

// The registered-result tests read a task result dict.
Result<const Data*> taskResult(Evaluator& ev, const Value& v, std::string_view name) {
  SC_TRY(ev.requireDefined(v));
  if (!v.isDict()) {
    return typeError(fmt::format("The '{}' test expects a dictionary", name));
  }
  return &v.data();
}

bool flagIn(const Data& result, const char* key) {
  auto it = result.find(key);
  return it != result.end() && truthy(*it);
}

Result<bool> failed(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto r, taskResult(ev, v, "failed"));
  return flagIn(*r, "failed");
}

Result<bool> succeeded(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto r, taskResult(ev, v, "succeeded"));
  return !flagIn(*r, "failed");
}

Result<bool> changed(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto r, taskResult(ev, v, "changed"));
  // A loop's result changed when any item did (Ansible's changed test).
  if (!r->contains("changed") && r->contains("results") && (*r)["results"].is_array()) {
    for (const auto& item : (*r)["results"]) {
      if (item.is_object() && flagIn(item, "changed")) return true;
    }
    return false;
  }
  return flagIn(*r, "changed");
}

Result<bool> skipped(Evaluator& ev, const Value& v, CallArgs&) {
  SC_TRY_ASSIGN(auto r, taskResult(ev, v, "skipped"));
  return flagIn(*r, "skipped");
}

}  // namespace

void addTests(TestTable& t) {
  t["defined"] = defined;
  t["undefined"] = undefined;
  t["none"] = none;
  t["string"] = string;
  t["number"] = number;
  t["integer"] = integer;
  t["float"] = floatTest;
  t["boolean"] = boolean;
  t["mapping"] = mapping;
  t["sequence"] = sequence;
  t["iterable"] = iterable;
  t["callable"] = callable;
  t["sameas"] = sameas;
  for (const char* n : {"eq", "equalto", "=="}) t[n] = eq;
  for (const char* n : {"ne", "!="}) t[n] = ne;
  for (const char* n : {"lt", "lessthan", "<"}) t[n] = lt;
  for (const char* n : {"le", "<="}) t[n] = le;
  for (const char* n : {"gt", "greaterthan", ">"}) t[n] = gt;
  for (const char* n : {"ge", ">="}) t[n] = ge;
  t["in"] = in;
  t["contains"] = contains;
  t["divisibleby"] = divisibleby;
  t["even"] = even;
  t["odd"] = odd;
  t["lower"] = lower;
  t["upper"] = upper;
  t["match"] = match;
  t["search"] = search;
  t["regex"] = regex;
  t["version"] = version;
  t["version_compare"] = version;
  t["failed"] = failed;
  t["failure"] = failed;
  t["succeeded"] = succeeded;
  t["success"] = succeeded;
  t["successful"] = succeeded;
  t["changed"] = changed;
  t["change"] = changed;
  t["skipped"] = skipped;
  t["skip"] = skipped;
}

}  // namespace sc::controller::jinja
