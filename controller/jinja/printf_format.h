// Python's printf-style formatting, `'%s-%05.1f' % (a, b)`, used by the
// `%` operator on strings and by the `format` filter. `args` is a tuple
// (several values), a dict (for %(name)s) or any other single value.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "controller/jinja/value.h"

namespace sc::controller::jinja {

Result<std::string> percentFormat(Evaluator& ev, std::string_view format, const Value& args);

}  // namespace sc::controller::jinja
