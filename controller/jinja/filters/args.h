// Binding a filter's, test's or function's arguments to its parameter
// names as Python does: positional first, then keywords; too many or an
// unknown keyword is an error naming the function.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/jinja/evaluator.h"

namespace sc::controller::jinja {

class Args {
 public:
  static Result<Args> bind(std::string_view function, const CallArgs& args,
                           std::initializer_list<std::string_view> names);

  // Null when the argument was not given.
  const Value* get(std::size_t i) const { return values_[i] ? &*values_[i] : nullptr; }
  bool has(std::size_t i) const { return values_[i].has_value(); }
  // str() of the argument, or `fallback`.
  Result<std::string> text(Evaluator& ev, std::size_t i, std::string_view fallback) const;
  // Truthiness of the argument, or `fallback`.
  bool flag(std::size_t i, bool fallback) const;
  // An int (or bool, or integral float) argument, or `fallback`.
  Result<std::int64_t> integer(std::size_t i, std::int64_t fallback) const;

 private:
  std::string function_;
  std::vector<std::string_view> names_;
  std::vector<std::optional<Value>> values_;
};

// Requires a string input ("x | lower" on a list is Python's str() of it
// for most filters; these take str() as Jinja2's soft_str does).
Result<std::string> textOf(Evaluator& ev, const Value& value);

}  // namespace sc::controller::jinja
