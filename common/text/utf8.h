// UTF-8 text as Python's str sees it: a sequence of code points. Lengths,
// indexes, slices and case changes in templates count code points, not
// bytes, or `{{ 'café' | length }}` would print 5. Invalid UTF-8 bytes are
// kept as single "code points" (U+DC80.. as Python's surrogateescape does)
// so that no input is lost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sc::text::utf8 {

// Where the first byte that is not well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF) is; npos if none.
// JSON output (nlohmann) accepts only well-formed text.
std::size_t firstInvalid(std::string_view text);
inline bool isValid(std::string_view text) { return firstInvalid(text) == std::string_view::npos; }

std::vector<char32_t> decode(std::string_view text);
std::string encode(const std::vector<char32_t>& points);
void append(std::string& out, char32_t point);
std::size_t length(std::string_view text);

// Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic;
// other scripts are left unchanged (docs/jinja.md lists this).
char32_t toLower(char32_t c);
char32_t toUpper(char32_t c);
bool isUpper(char32_t c);
bool isLower(char32_t c);
bool isAlpha(char32_t c);
bool isDigit(char32_t c);
bool isAlnum(char32_t c);
// Python's str.isspace() set.
bool isSpace(char32_t c);

std::string lower(std::string_view text);
std::string upper(std::string_view text);

}  // namespace sc::text::utf8
