// libFuzzer target: arbitrary bytes as an agent's answer to a push, the way
// `scctl apply` takes them in (SECURITY.md T-19, T-20): strict JSON, the
// strict decoder, the recap entry and the progress lines. It must never
// crash or throw, and nothing it prints may hold a control byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/json/strict_json.h"
#include "controller/push/fleet_run.h"

namespace {

bool printable(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto answer = sc::json::parseStrictJson(bytes, "answer", {16, 1024 * 1024});
  if (!answer) return 0;
  const auto outcome = sc::controller::push::outcomeOfResult(*answer);
  if (!printable(outcome.detail)) std::abort();
  for (const auto& line : sc::controller::push::progressLines("web1", *answer)) {
    if (!printable(line)) std::abort();
  }
  return 0;
}
