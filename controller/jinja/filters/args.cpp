#include "controller/jinja/filters/args.h"

#include <fmt/format.h>

#include <cmath>

namespace sc::controller::jinja {

Result<Args> Args::bind(std::string_view function, const CallArgs& args,
                        std::initializer_list<std::string_view> names) {
  Args out;
  out.function_ = std::string(function);
  out.names_.assign(names.begin(), names.end());
  out.values_.resize(names.size());
  if (args.positional.size() > names.size()) {
    return typeError(fmt::format("{}() takes at most {} argument(s) ({} given)", function,
                                 names.size(), args.positional.size()));
  }
  for (std::size_t i = 0; i < args.positional.size(); ++i) out.values_[i] = args.positional[i];
  for (const auto& [name, value] : args.keyword) {
    bool found = false;
    for (std::size_t i = 0; i < out.names_.size(); ++i) {
      if (out.names_[i] != name) continue;
      if (out.values_[i]) {
        return typeError(fmt::format("{}() got multiple values for argument '{}'", function, name));
      }
      out.values_[i] = value;
      found = true;
    }
    if (!found) {
      return typeError(fmt::format("{}() got an unexpected keyword argument '{}'", function, name));
    }
  }
  return out;
}

Result<std::string> Args::text(Evaluator& ev, std::size_t i, std::string_view fallback) const {
  if (!values_[i]) return std::string(fallback);
  return ev.toText(*values_[i]);
}

bool Args::flag(std::size_t i, bool fallback) const {
  if (!values_[i]) return fallback;
  return truthy(*values_[i]);
}

Result<std::int64_t> Args::integer(std::size_t i, std::int64_t fallback) const {
  if (!values_[i] || values_[i]->isNone()) return fallback;
  const Value& v = *values_[i];
  if (v.isData()) {
    if (auto n = asInteger(v.data())) return *n;
    if (v.isFloat() && std::isfinite(v.data().get<double>())) {
      return static_cast<std::int64_t>(v.data().get<double>());
    }
  }
  return typeError(fmt::format("{}(): argument '{}' must be an integer, not {}", function_,
                               names_[i], v.typeName()));
}

Result<std::string> textOf(Evaluator& ev, const Value& value) { return ev.toText(value); }

}  // namespace sc::controller::jinja
