// Renders a batch of Jinja2 templates with the controller's engine, for
// tests/ansible/jinja_differential.py: one process for all cases.
//
//   jinja_render CASES.json > RESULTS.json
//
// CASES.json is [{"template": TEXT, "vars": {...}, "mode": "template"|"value"}, ...];
// the output is one entry per case, {"output": TEXT} or {"error": MESSAGE}.
// Mode "value" applies Ansible's rule for playbook values
// (controller/jinja/template_value.h) and gives {"value": DATA}.
// lookup('env') reads this process's environment; other lookups fail.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "controller/jinja/template.h"
#include "controller/jinja/template_value.h"

namespace {

using sc::controller::Data;
namespace jinja = sc::controller::jinja;

class EnvHook : public jinja::LookupHook {
 public:
  sc::Result<std::vector<Data>> run(std::string_view plugin, const std::vector<Data>&,
                                    const Data&) override {
    return sc::Error(sc::ErrorCode::Schema, "lookup plugin '" + std::string(plugin) +
                                                "' is not available in jinja_render");
  }
  std::optional<std::string> environmentVariable(std::string_view name) override {
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (!value) return std::nullopt;
    return std::string(value);
  }
};

Data renderOne(const Data& c, EnvHook& hook) {
  const std::string text = c.value("template", "");
  const Data vars = c.contains("vars") ? c["vars"] : Data::object();
  const std::string name = c.value("name", "case.j2");
  jinja::DataScope scope(vars);
  jinja::RenderOptions options;
  options.lookups = &hook;
  const jinja::SourceMap source{name, 1, 1};
  if (c.value("mode", "template") == "value") {
    auto value = jinja::templateValue(Data(text), source, scope, options);
    if (!value) return Data{{"error", value.error().describe()}};
    return Data{{"value", *value}};
  }
  auto tmpl = jinja::parseTemplate(text, source);
  if (!tmpl) return Data{{"error", tmpl.error().describe()}};
  auto out = jinja::render(*tmpl, scope, options);
  if (!out) return Data{{"error", out.error().describe()}};
  return Data{{"output", *out}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: jinja_render CASES.json\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const Data cases = Data::parse(buffer.str(), nullptr, false);
  if (!cases.is_array()) {
    std::cerr << "jinja_render: " << argv[1] << " is not a JSON list\n";
    return 2;
  }
  EnvHook hook;
  Data results = Data::array();
  for (const auto& c : cases) results.push_back(renderOne(c, hook));
  // Invalid UTF-8 in an output must not stop the report.
  std::cout << results.dump(-1, ' ', false, Data::error_handler_t::replace) << "\n";
  return 0;
}
