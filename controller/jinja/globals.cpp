// Global functions: range, dict, namespace, and lookup/query/q. Lookups
// other than `env` go to the caller's LookupHook (the compiler runs file,
// template, pipe and password on the controller); without a hook, or for a
// plugin the hook does not know, the template fails naming the plugin.
#include <fmt/format.h>

#include <cmath>

#include "controller/jinja/evaluator.h"
#include "controller/jinja/filters/args.h"

namespace sc::controller::jinja {
namespace {

class Builtin : public Callable {
 public:
  using Fn = Result<Value> (*)(Evaluator&, CallArgs&);
  Builtin(std::string name, Fn fn) : name_(std::move(name)), fn_(fn) {}
  std::string describe() const override { return fmt::format("<built-in function {}>", name_); }
  Result<Value> call(Evaluator& ev, CallArgs args) override {
    for (const auto& a : args.positional) SC_TRY(ev.requireDefined(a));
    for (const auto& [k, a] : args.keyword) SC_TRY(ev.requireDefined(a));
    return fn_(ev, args);
  }

 private:
  std::string name_;
  Fn fn_;
};

Result<Value> range(Evaluator& ev, CallArgs& args) {
  if (!args.keyword.empty()) return typeError("range() takes no keyword arguments");
  std::vector<std::int64_t> n;
  for (const auto& a : args.positional) {
    auto i = a.isData() ? asInteger(a.data()) : std::nullopt;
    if (!i) {
      return typeError(
          fmt::format("'{}' object cannot be interpreted as an integer", a.typeName()));
    }
    n.push_back(*i);
  }
  if (n.empty() || n.size() > 3) {
    return typeError(fmt::format("range expected 1 to 3 arguments, got {}", n.size()));
  }
  const std::int64_t start = n.size() == 1 ? 0 : n[0];
  const std::int64_t stop = n.size() == 1 ? n[0] : n[1];
  const std::int64_t step = n.size() == 3 ? n[2] : 1;
  if (step == 0) return typeError("range() arg 3 must not be zero");
  const double count =
      std::max(0.0, std::ceil((static_cast<double>(stop) - static_cast<double>(start)) /
                              static_cast<double>(step)));
  if (count > static_cast<double>(ev.options().limits.max_range)) {
    return Error(ErrorCode::TooLarge, fmt::format("range() of {:.0f} items is over the limit of {}",
                                                  count, ev.options().limits.max_range));
  }
  Data out = Data::array();
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(i);
  return Value(std::move(out));
}

Result<Value> dict(Evaluator& ev, CallArgs& args) {
  Data out = Data::object();
  if (args.positional.size() > 1) return typeError("dict expected at most 1 argument");
  if (!args.positional.empty()) {
    const Value& src = args.positional[0];
    if (src.isDict()) {
      out = src.data();
    } else {
      SC_TRY_ASSIGN(auto items, ev.iterate(src));
      for (const auto& item : items) {
        if (!item.isList() || item.data().size() != 2) {
          return typeError("dictionary update sequence element has the wrong length");
        }
        out[keyString(item.data()[0])] = item.data()[1];
      }
    }
  }
  for (auto& [key, value] : args.keyword) {
    if (!value.isData()) return typeError("dict() values must be data");
    out[key] = value.data();
  }
  return Value(std::move(out));
}

Result<Value> makeNamespace(Evaluator& ev, CallArgs& args) {
  auto ns = std::make_shared<NamespaceObject>();
  SC_TRY_ASSIGN(auto init, dict(ev, args));
  ns->attributes = std::move(init.data());
  return Value::namespaceObject(std::move(ns));
}

// Ansible's lookup: the plugin's list of results, or (for lookup() without
// wantlist) the results joined with ',' when they are all strings.
Result<Value> runLookup(Evaluator& ev, CallArgs& args, bool wantlist) {
  if (args.positional.empty() || !args.positional[0].isString()) {
    return typeError("lookup() needs the plugin name as its first argument");
  }
  const std::string plugin = args.positional[0].data().get<std::string>();
  std::vector<Data> terms;
  for (std::size_t i = 1; i < args.positional.size(); ++i) {
    if (!args.positional[i].isData()) return typeError("lookup terms must be data");
    terms.push_back(args.positional[i].data());
  }
  Data options = Data::object();
  for (auto& [key, value] : args.keyword) {
    if (key == "wantlist") {
      wantlist = truthy(value);
      continue;
    }
    if (!value.isData()) return typeError("lookup options must be data");
    options[key] = value.data();
  }
  LookupHook* hook = ev.options().lookups;
  std::vector<Data> results;
  const std::string short_name =
      plugin.rfind("ansible.builtin.", 0) == 0 ? plugin.substr(16) : plugin;
  if (short_name == "env") {
    if (!hook) return typeError("lookup('env') is not available here (no lookup hook)");
    std::string fallback;
    if (auto it = options.find("default"); it != options.end() && it->is_string()) {
      fallback = it->get<std::string>();
    }
    for (const auto& term : terms) {
      if (!term.is_string()) return typeError("lookup('env') terms must be strings");
      results.emplace_back(hook->environmentVariable(term.get<std::string>()).value_or(fallback));
    }
  } else {
    if (!hook) return typeError(fmt::format("lookup plugin '{}' is not available here", plugin));
    SC_TRY_ASSIGN(results, hook->run(short_name, terms, options));
  }
  Data list = Data::array();
  for (auto& r : results) list.push_back(std::move(r));
  if (wantlist) return Value(std::move(list));
  bool all_strings = true;
  for (const auto& r : list) all_strings = all_strings && r.is_string();
  if (list.empty()) return Value(std::move(list));
  if (all_strings) {
    std::string joined;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) joined += ',';
      joined += list[i].get_ref<const std::string&>();
    }
    return Value(std::move(joined));
  }
  if (list.size() == 1) return Value(list[0]);
  return Value(std::move(list));
}

Result<Value> lookup(Evaluator& ev, CallArgs& args) { return runLookup(ev, args, false); }
Result<Value> query(Evaluator& ev, CallArgs& args) { return runLookup(ev, args, true); }

}  // namespace

std::optional<Value> globalFunction(std::string_view name) {
  Builtin::Fn fn = nullptr;
  if (name == "range") fn = range;
  if (name == "dict") fn = dict;
  if (name == "namespace") fn = makeNamespace;
  if (name == "lookup") fn = lookup;
  if (name == "query" || name == "q") fn = query;
  if (!fn) return std::nullopt;
  return Value::callable(std::make_shared<Builtin>(std::string(name), fn));
}

}  // namespace sc::controller::jinja
