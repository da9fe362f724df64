#include "common/text/utf8.h"

namespace sc::text::utf8 {
namespace {

// Invalid bytes map to U+DC80..U+DCFF (Python's surrogateescape) and back.
constexpr char32_t kEscapeBase = 0xDC00;

}  // namespace

std::size_t firstInvalid(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    // The range the second byte must fall in (RFC 3629's table): it rules
    // out overlong forms, surrogates and code points past U+10FFFF.
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

std::vector<char32_t> decode(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    char32_t point = 0;
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    if ((b0 & 0xE0) == 0xC0 && b0 >= 0xC2) {
      extra = 1;
      point = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      extra = 2;
      point = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0 && b0 <= 0xF4) {
      extra = 3;
      point = b0 & 0x07u;
    } else {
      out.push_back(kEscapeBase + b0);
      ++i;
      continue;
    }
    bool valid = true;
    for (std::size_t k = 1; valid && k <= extra; ++k) {
      if (i + k >= text.size()) {
        valid = false;
        break;
      }
      const auto bk = static_cast<unsigned char>(text[i + k]);
      if ((bk & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      point = (point << 6) | (bk & 0x3Fu);
    }
    if (valid && ((extra == 2 && (point < 0x800 || (point >= 0xD800 && point <= 0xDFFF))) ||
                  (extra == 3 && (point < 0x10000 || point > 0x10FFFF)))) {
      valid = false;
    }
    if (!valid) {
      out.push_back(kEscapeBase + b0);
      ++i;
      continue;
    }
    out.push_back(point);
    i += extra + 1;
  }
  return out;
}

void append(std::string& out, char32_t c) {
  if (c >= kEscapeBase + 0x80 && c <= kEscapeBase + 0xFF) {
    out += static_cast<char>(c - kEscapeBase);
  } else if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string encode(const std::vector<char32_t>& points) {
  std::string out;
  out.reserve(points.size());
  for (char32_t c : points) append(out, c);
  return out;
}

std::size_t length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  // Continuation bytes without a lead byte still count as one point each in
  // decode(); fall back to it when the quick count cannot be trusted.
  return n == text.size() ? n : decode(text).size();
}

namespace {

// Latin-1 / Latin Extended-A / Greek / Cyrillic pairs that differ by a
// fixed offset; the table covers what configuration files realistically
// contain.
bool inPairRange(char32_t c) { return (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131); }

}  // namespace

bool isUpper(char32_t c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return true;
  if (c == 0x138) return false;
  if (inPairRange(c))
    return (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) ? (c % 2 == 1) : (c % 2 == 0);
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return true;
  if (c >= 0x400 && c <= 0x42F) return true;
  return false;
}

bool isLower(char32_t c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 0xDF && c <= 0xFF && c != 0xF7) return true;
  if (inPairRange(c)) return !isUpper(c) && c != 0x138 && c != 0x149;
  if (c >= 0x3AC && c <= 0x3CE) return true;
  if (c >= 0x430 && c <= 0x45F) return true;
  return false;
}

char32_t toLower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (inPairRange(c) && isUpper(c)) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

char32_t toUpper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (inPairRange(c) && isLower(c)) return c - 1;
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

bool isAlpha(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return isUpper(c) || isLower(c) || c == 0xAA || c == 0xBA || c == 0xB5;
}

bool isDigit(char32_t c) { return c >= '0' && c <= '9'; }

bool isAlnum(char32_t c) { return isAlpha(c) || isDigit(c); }

bool isSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : decode(text)) append(out, toLower(c));
  return out;
}

std::string upper(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : decode(text)) {
    if (c == 0xDF) {
      out += "SS";  // Python: 'ß'.upper() == 'SS'
      continue;
    }
    append(out, toUpper(c));
  }
  return out;
}

}  // namespace sc::text::utf8
