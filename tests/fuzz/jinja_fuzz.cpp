// libFuzzer target: arbitrary bytes as a Jinja2 template and as a bare
// expression, parsed and rendered against a few variables with tight
// limits. Deep nesting, recursive macros and huge ranges must end in
// errors, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/jinja/template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sc::controller;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const Data vars =
      Data::parse(R"({"name": "web", "items": [1, 2, "three"], "d": {"a": 1, "b": [true, null]}})");
  jinja::DataScope scope(vars);
  jinja::RenderOptions options;
  options.limits.max_output_bytes = 1 << 20;
  options.limits.max_range = 10'000;
  options.limits.max_iterations = 100'000;
  jinja::SourceMap source;
  source.file = "fuzz.j2";
  if (auto tmpl = jinja::parseTemplate(text, source)) (void)jinja::render(*tmpl, scope, options);
  if (auto expr = jinja::parseExpression(text, source))
    (void)jinja::evaluate(*expr, scope, options);
  return 0;
}
