// libFuzzer target: arbitrary bytes, cut at arbitrary points, through the
// wire frame decoder (SECURITY.md B-21). It must deliver frames or fail,
// never crash, and never hold more than one header and the largest body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/protocol/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sc::protocol::FrameDecoder decoder;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    // The first byte of each step says how many of the next bytes arrive.
    const std::size_t chunk =
        std::min<std::size_t>(rest.size() - 1, static_cast<unsigned char>(rest[0]) + 1u);
    const auto fed = decoder.feed(rest.substr(1, chunk));
    rest.remove_prefix(1 + chunk);
    while (auto frame = decoder.next()) {
      if (frame->body.empty()) std::abort();
    }
    if (decoder.buffered() > sc::protocol::kHeaderBytes + sc::protocol::largestBody()) std::abort();
    if (!fed) break;
  }
  return 0;
}
