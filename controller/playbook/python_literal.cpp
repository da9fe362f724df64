#include "controller/playbook/python_literal.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include "common/text/utf8.h"
#include "controller/playbook/yaml_value.h"

namespace sc::controller {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// A recursive-descent reader for the literal subset of Python's grammar.
// Every parse function returns nullopt when the text is not a literal
// (Python would raise SyntaxError or ValueError, and Ansible keeps the
// text); refused_ records a form that parses but that we do not carry.
class Reader {
 public:
  Reader(std::string_view text, std::string where) : s_(text), where_(std::move(where)) {}

  Result<std::optional<Data>> run() {
    skipSpace();
    auto items = exprList(/*top=*/true);
    skipSpace();
    if (!items || pos_ != s_.size()) return std::optional<Data>();
    if (refused_) {
      return Error(ErrorCode::Schema,
                   fmt::format("'{}' is a Python {} in an INI value, which Ansible cannot "
                               "represent either; quote the value to keep it text",
                               s_, *refused_),
                   where_);
    }
    return std::optional<Data>(std::move(items->value));
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }

  void skipSpace() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        pos_ = s_.size();
      } else {
        break;
      }
    }
  }

  bool eat(char c) {
    skipSpace();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  void refuse(const char* what) {
    if (!refused_) refused_ = what;
  }

  // expr (',' expr)* [','], and whether a comma made it a tuple (a list
  // here). At top level it ends at the end of the text, inside brackets
  // at `close`.
  struct Items {
    Data value;
    bool tuple = false;
  };
  std::optional<Items> exprList(bool top, char close = '\0') {
    auto first = expr();
    if (!first) return std::nullopt;
    skipSpace();
    if (peek() != ',') return Items{std::move(*first), false};
    Data items = Data::array();
    items.push_back(std::move(*first));
    while (eat(',')) {
      skipSpace();
      if ((top && pos_ == s_.size()) || (!top && peek() == close)) break;
      auto next = expr();
      if (!next) return std::nullopt;
      items.push_back(std::move(*next));
    }
    return Items{std::move(items), true};
  }

  std::optional<Data> expr() {
    skipSpace();
    const char c = peek();
    if (c == '-' || c == '+') {
      ++pos_;
      skipSpace();
      // literal_eval takes one sign directly on a number (parentheses are
      // not nodes, so -(1) counts); anything else is a malformed node.
      std::size_t parens = 0;
      while (eat('(')) ++parens;
      skipSpace();
      if (!isDigit(peek()) && !(peek() == '.' && isDigit(peek(1)))) return std::nullopt;
      auto number = readNumber(c == '-');
      for (; number && parens > 0; --parens) {
        if (!eat(')')) return std::nullopt;
      }
      return afterOperand(std::move(number));
    }
    return afterOperand(atom());
  }

  // A binary operator after an operand makes an expression literal_eval
  // refuses, except complex sums such as 1+2j (refused by us instead).
  std::optional<Data> afterOperand(std::optional<Data> value) {
    if (!value) return value;
    skipSpace();
    const char c = peek();
    if ((c == '+' || c == '-') && value->is_number() && !refused_) {
      const std::size_t start = pos_++;
      skipSpace();
      if (isDigit(peek()) || peek() == '.') {
        auto imaginary = readNumber(false);
        if (imaginary && refused_) return afterOperand(std::move(imaginary));
      }
      refused_.reset();
      pos_ = start;
      return std::nullopt;
    }
    if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '@' || c == '&' ||
        c == '|' || c == '^' || c == '<' || c == '>' || c == '=' || c == '!' || c == '.' ||
        c == '[' || c == '(') {
      return std::nullopt;
    }
    return value;
  }

  std::optional<Data> atom() {
    skipSpace();
    const char c = peek();
    if (isDigit(c) || (c == '.' && isDigit(peek(1)))) return readNumber(false);
    if (c == '.' && peek(1) == '.' && peek(2) == '.') {
      pos_ += 3;
      refuse("Ellipsis");
      return Data(nullptr);
    }
    if (c == '[') return bracketed(']');
    if (c == '(') return bracketed(')');
    if (c == '{') return braced();
    if (c == '\'' || c == '"' || isIdentChar(c)) {
      const std::size_t start = pos_;
      std::size_t end = start;
      while (end < s_.size() && isIdentChar(s_[end])) ++end;
      const std::string_view word = s_.substr(start, end - start);
      if (end < s_.size() && (s_[end] == '\'' || s_[end] == '"') && word.size() <= 2) {
        return strings();
      }
      if (c == '\'' || c == '"') return strings();
      pos_ = end;
      if (word == "True") return Data(true);
      if (word == "False") return Data(false);
      if (word == "None") return Data(nullptr);
      if (word == "set" && eat('(') && eat(')')) {
        refuse("set");
        return Data::array();
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  std::optional<Data> bracketed(char close) {
    ++pos_;
    skipSpace();
    if (peek() == close) {
      ++pos_;
      return Data::array();
    }
    auto inner = exprList(false, close);
    if (!inner || !eat(close)) return std::nullopt;
    // (x) is x; (x,), (x, y) and [x, y] are sequences, which are lists here.
    if (inner->tuple || close == ')') return std::move(inner->value);
    Data list = Data::array();
    list.push_back(std::move(inner->value));
    return list;
  }

  std::optional<Data> braced() {
    ++pos_;
    Data dict = Data::object();
    if (eat('}')) return dict;
    bool is_set = false;
    bool first = true;
    while (true) {
      skipSpace();
      if (!first && peek() == '}') break;
      auto key = expr();
      if (!key) return std::nullopt;
      if (first) is_set = !eat(':');
      if (!is_set) {
        if (!first && !eat(':')) return std::nullopt;
        auto value = expr();
        if (!value) return std::nullopt;
        if (key->is_structured()) refuse("dict key that is a list or tuple");
        dict[pythonKeyText(*key)] = std::move(*value);
      }
      first = false;
      if (!eat(',')) break;
    }
    if (!eat('}')) return std::nullopt;
    if (is_set) refuse("set");
    return dict;
  }

  // Digits with single underscores between them; returns the digits.
  std::optional<std::string> digitRun(int base) {
    std::string out;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '_' && !out.empty() && pos_ + 1 < s_.size()) {
        const int next = hexValue(s_[pos_ + 1]);
        if (next < 0 || next >= base) return std::nullopt;
        ++pos_;
        continue;
      }
      const int v = hexValue(c);
      if (v < 0 || v >= base || (base == 10 && !isDigit(c))) break;
      out += c;
      ++pos_;
    }
    return out;
  }

  std::optional<Data> integer(const std::string& digits, int base, bool negative) {
    std::uint64_t magnitude = 0;
    for (const char c : digits) {
      if (__builtin_mul_overflow(magnitude, static_cast<std::uint64_t>(base), &magnitude) ||
          __builtin_add_overflow(magnitude, static_cast<std::uint64_t>(hexValue(c)), &magnitude)) {
        refuse("integer outside 64 bits");
        return Data(0);
      }
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (magnitude > kMax + (negative ? 1 : 0)) {
      refuse("integer outside 64 bits");
      return Data(0);
    }
    if (!negative) return Data(static_cast<std::int64_t>(magnitude));
    if (magnitude == kMax + 1) return Data(std::numeric_limits<std::int64_t>::min());
    return Data(-static_cast<std::int64_t>(magnitude));
  }

  std::optional<Data> readNumber(bool negative) {
    const char c0 = peek();
    const char c1 = static_cast<char>(std::tolower(static_cast<unsigned char>(peek(1))));
    if (c0 == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
      pos_ += 2;
      if (peek() == '_') ++pos_;
      const int base = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
      auto digits = digitRun(base);
      if (!digits || digits->empty() || isIdentChar(peek()) || peek() == '.') return std::nullopt;
      return integer(*digits, base, negative);
    }
    std::string text;
    auto whole = digitRun(10);
    if (!whole) return std::nullopt;
    text += *whole;
    bool is_float = false;
    if (peek() == '.') {
      is_float = true;
      ++pos_;
      text += '.';
      auto fraction = isDigit(peek()) ? digitRun(10) : std::optional<std::string>("");
      if (!fraction) return std::nullopt;
      text += *fraction;
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
      is_float = true;
      text += 'e';
      ++pos_;
      if (peek() == '+' || peek() == '-') text += s_[pos_++];
      auto exponent = digitRun(10);
      if (!exponent) return std::nullopt;
      text += *exponent;
    }
    if (peek() == 'j' || peek() == 'J') {
      ++pos_;
      if (isIdentChar(peek())) return std::nullopt;
      refuse("complex number");
      return Data(0);
    }
    if (isIdentChar(peek()) || peek() == '.') return std::nullopt;
    if (!is_float) {
      // Python forbids leading zeros in decimal ints ("0755" is a syntax error).
      if (whole->size() > 1 && (*whole)[0] == '0' &&
          whole->find_first_not_of('0') != std::string::npos) {
        return std::nullopt;
      }
      return integer(*whole, 10, negative);
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ptr != text.data() + text.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
      value = text.find("e-") == std::string::npos ? std::numeric_limits<double>::infinity() : 0.0;
    }
    return Data(negative ? -value : value);
  }

  // One or more adjacent string literals, concatenated.
  std::optional<Data> strings() {
    std::string out;
    int kind = -1;  // 0 text, 1 bytes
    while (true) {
      skipSpace();
      std::size_t end = pos_;
      while (end < s_.size() && isIdentChar(s_[end])) ++end;
      if (end >= s_.size() || (s_[end] != '\'' && s_[end] != '"')) break;
      std::string prefix(s_.substr(pos_, end - pos_));
      for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const bool raw = prefix.find('r') != std::string::npos;
      const bool bytes = prefix.find('b') != std::string::npos;
      if (!(prefix.empty() || prefix == "r" || prefix == "u" || prefix == "b" || prefix == "br" ||
            prefix == "rb")) {
        return std::nullopt;  // f-strings and unknown prefixes
      }
      if (kind >= 0 && kind != (bytes ? 1 : 0)) return std::nullopt;
      kind = bytes ? 1 : 0;
      pos_ = end;
      if (!stringBody(out, raw, bytes)) return std::nullopt;
    }
    if (kind < 0) return std::nullopt;
    if (kind == 1 && !validUtf8(out)) refuse("bytes value that is not UTF-8");
    return Data(out);
  }

  bool stringBody(std::string& out, bool raw, bool bytes) {
    const char quote = s_[pos_];
    const bool triple = peek(1) == quote && peek(2) == quote;
    pos_ += triple ? 3 : 1;
    while (true) {
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
        pos_ += triple ? 3 : 1;
        return true;
      }
      if (c == '\n' && !triple) return false;
      if (bytes && static_cast<unsigned char>(c) >= 0x80) return false;
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= s_.size()) return false;
      const char e = s_[pos_ + 1];
      if (raw) {  // the backslash stays; it only keeps the next quote in
        out += c;
        out += e;
        pos_ += 2;
        continue;
      }
      pos_ += 2;
      if (!escape(out, e, bytes)) return false;
    }
  }

  bool escape(std::string& out, char e, bool bytes) {
    switch (e) {
      case '\n':
        return true;
      case '\\':
        out += '\\';
        return true;
      case '\'':
        out += '\'';
        return true;
      case '"':
        out += '"';
        return true;
      case 'a':
        out += '\a';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'v':
        out += '\v';
        return true;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
      for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k) {
        cp = cp * 8 + static_cast<std::uint32_t>(s_[pos_++] - '0');
      }
      return codePoint(out, cp, bytes);
    }
    const int width = e == 'x' ? 2 : (!bytes && e == 'u') ? 4 : (!bytes && e == 'U') ? 8 : 0;
    if (width > 0) {
      std::uint32_t cp = 0;
      for (int k = 0; k < width; ++k) {
        const int v = hexValue(peek());
        if (v < 0) return false;
        cp = cp * 16 + static_cast<std::uint32_t>(v);
        ++pos_;
      }
      if (cp > 0x10FFFF) return false;
      return codePoint(out, cp, bytes);
    }
    if (!bytes && e == 'N') {
      refuse("\\N{...} escape");
      return true;
    }
    out += '\\';
    out += e;
    return true;
  }

  bool codePoint(std::string& out, std::uint32_t cp, bool bytes) {
    if (bytes) {
      if (cp > 0xFF) return false;
      out += static_cast<char>(cp);
      return true;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) refuse("lone surrogate escape");
    ::sc::text::utf8::append(out, cp);
    return true;
  }

  std::string_view s_;
  std::string where_;
  std::size_t pos_ = 0;
  std::optional<const char*> refused_;
};

}  // namespace

Result<std::optional<Data>> parsePythonLiteral(std::string_view text, const std::string& where) {
  return Reader(text, where).run();
}

}  // namespace sc::controller
