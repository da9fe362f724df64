// `when:`, `changed_when:` and `failed_when:` that read a result registered
// on the host (`out.rc != 0`, `'created' in out.stdout`, `st.stat.exists`,
// `result is changed`) cannot be decided by the controller. They become a
// condition tree in the manifest (common/manifest/condition.h), which the
// agent evaluates with its small, fixed interpreter; everything in the
// expression that does not read a run-time name is evaluated here and
// enters the tree as a constant.
//
// Supported shapes over a run-time field (a registered name followed by
// .attr, ['key'] or [index] steps): comparisons with ==, !=, <, <=, >, >=
// against a compile-time value (either side), `in` / `not in` (a constant
// in the field, or the field in a constant list), bare truthiness and
// `not`, `and` / `or`, the tests defined, undefined, none, changed, failed,
// succeeded/success, skipped, match, search, and `| bool` on a field.
// Anything else that reads a run-time name is an error naming the place and
// the construct.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "common/manifest/condition.h"
#include "controller/jinja/template.h"

namespace sc::controller::compiler {

// Whether the expression reads any of `run_time_names`.
bool readsRunTime(const jinja::Expr& expr, const std::set<std::string>& run_time_names);

// "out.stat.exists" for a chain of .attr, ['key'] and [index] steps (the
// index a compile-time value) from a run-time name; nullopt when `expr` is
// no such chain. `scope` evaluates the indexes; errors point into `source`.
Result<std::optional<std::string>> runTimeField(const jinja::Expr& expr,
                                                const std::set<std::string>& run_time_names,
                                                const jinja::SourceMap& source,
                                                jinja::Scope& scope);

// The condition tree for `expression`. `scope` evaluates the compile-time
// parts.
Result<manifest::Condition> toRunTimeCondition(const jinja::Expression& expression,
                                               const std::set<std::string>& run_time_names,
                                               jinja::Scope& scope);

}  // namespace sc::controller::compiler
