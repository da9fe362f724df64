// Python's str operations that both methods (`s.split()`) and filters
// (`split`, `replace`, `center`, `title`) use, counting code points.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/jinja/value.h"

namespace sc::controller::jinja {

// str.split / str.rsplit; without `sep`, on runs of whitespace.
Result<std::vector<std::string>> pySplit(std::string_view s, const std::optional<std::string>& sep,
                                         std::int64_t maxsplit, bool from_right);
Result<std::string> pyReplace(std::string_view s, std::string_view old, std::string_view repl,
                              std::int64_t count, std::size_t max_bytes);
std::int64_t pyCount(std::string_view s, std::string_view sub);
// str.strip/lstrip/rstrip; without `chars`, Python's whitespace.
std::string pyStrip(std::string_view s, const std::optional<std::string>& chars, bool left,
                    bool right);
std::string pyTitle(std::string_view s);       // str.title()
std::string jinjaTitle(std::string_view s);    // the `title` filter's own rule
std::string pyCapitalize(std::string_view s);  // str.capitalize()
std::vector<std::string> pySplitLines(std::string_view s, bool keepends);
// center / ljust / rjust / zfill to `width` code points.
std::string pyPad(std::string_view s, std::string_view how, std::int64_t width,
                  std::string_view fill);
// str.format(*args, **kwargs) with the common format specs.
Result<Value> pyStrFormat(Evaluator& ev, std::string_view format, CallArgs& args);

}  // namespace sc::controller::jinja
