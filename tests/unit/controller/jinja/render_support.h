// Helpers for the Jinja2 engine's unit tests: render a template or fetch
// its error text in one call.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "controller/jinja/template.h"

namespace sc::controller::jinja::testing {

class EnvOnlyHook : public LookupHook {
 public:
  Result<std::vector<Data>> run(std::string_view plugin, const std::vector<Data>& terms,
                                const Data&) override {
    if (plugin == "items") return terms;
    return Error(ErrorCode::Schema, "unknown lookup plugin '" + std::string(plugin) + "'");
  }
  std::optional<std::string> environmentVariable(std::string_view name) override {
    if (name == "HOME") return std::string("/home/tester");
    return std::nullopt;
  }
};

inline Result<std::string> tryRender(const std::string& text, const Data& vars = Data::object(),
                                     RenderOptions options = {}) {
  static EnvOnlyHook hook;
  if (!options.lookups) options.lookups = &hook;
  DataScope scope(vars);
  SC_TRY_ASSIGN(auto tmpl, parseTemplate(text, SourceMap{"t.j2", 1, 1}));
  return render(tmpl, scope, options);
}

// The output, or "ERROR: <describe()>" so a failing EXPECT_EQ shows why.
inline std::string renderText(const std::string& text, const Data& vars = Data::object()) {
  auto out = tryRender(text, vars);
  if (!out) return "ERROR: " + out.error().describe();
  return *out;
}

// The error's describe() text, or "NO ERROR: <output>".
inline std::string errorOf(const std::string& text, const Data& vars = Data::object(),
                           RenderOptions options = {}) {
  auto out = tryRender(text, vars, options);
  if (out) return "NO ERROR: " + *out;
  return out.error().describe();
}

}  // namespace sc::controller::jinja::testing
