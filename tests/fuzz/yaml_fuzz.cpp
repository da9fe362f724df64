// libFuzzer target: arbitrary bytes through the YAML loader and Ansible's
// typing of what it loads. Any input must end in a value or an error,
// never a crash, a hang or unbounded memory (SECURITY.md B-01..B-03).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/playbook/yaml_document.h"
#include "controller/playbook/yaml_value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto documents = sc::controller::yaml::parseYaml(text, "fuzz.yml");
  if (!documents) {
    (void)sc::controller::yaml::renderDiagnostic(documents.error(), text);
    return 0;
  }
  for (const auto& document : *documents) (void)sc::controller::toData(document);
  return 0;
}
