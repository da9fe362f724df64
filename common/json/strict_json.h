// Strict JSON reading for untrusted documents (manifests now, reports later).
//
// nlohmann::json alone accepts what we must refuse: it keeps the last of two
// duplicate keys, skips a byte-order mark and nests as deep as memory allows.
// parseStrictJson() adds those checks (SECURITY.md B-02, B-04, B-06) and
// never throws: errors come back as sc::Error with "source:line:col" or a
// JSON pointer in where().
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::json {

struct ParseLimits {
  std::size_t max_depth;
  std::uint64_t max_bytes;
};

Result<nlohmann::json> parseStrictJson(std::string_view bytes, std::string_view source_name,
                                       const ParseLimits& limits);

// Escapes one reference token for a JSON pointer (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointerToken(std::string_view token);

// "line:col" (1-based) of a byte offset in text.
std::string lineColumn(std::string_view text, std::size_t offset);

}  // namespace sc::json
