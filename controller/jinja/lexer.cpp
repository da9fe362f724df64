#include "controller/jinja/lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/text/utf8.h"

namespace sc::controller::jinja {

std::string SourceMap::where(Loc loc) const {
  const int line = base_line + loc.line - 1;
  const int column = loc.line == 1 ? base_column + loc.column - 1 : loc.column;
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(std::string source, const SourceMap& map, const LexOptions& options)
      : src_(std::move(source)), map_(map), options_(options) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  Result<std::vector<Token>> run() {
    while (pos_ < src_.size()) {
      const std::size_t open = findOpen(pos_);
      std::string text = src_.substr(pos_, open - pos_);
      const Loc text_loc = locOf(pos_);
      if (open == src_.size()) {
        addData(std::move(text), text_loc);
        pos_ = open;
        break;
      }
      const char kind = src_[open + 1];
      const char modifier = open + 2 < src_.size() ? src_[open + 2] : '\0';
      if (modifier == '-') {
        while (!text.empty() && isSpace(text.back())) text.pop_back();
      } else if (options_.lstrip_blocks && modifier != '+' && kind != '{') {
        lstrip(text);
      }
      addData(std::move(text), text_loc);
      pos_ = open + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
      if (kind == '#') {
        SC_TRY(comment(open));
      } else if (kind == '%' && isRaw()) {
        SC_TRY(raw(open));
      } else {
        SC_TRY(tag(open, kind == '{'));
      }
      if (tokens_.size() > options_.max_tokens) {
        return Error(ErrorCode::TooLarge,
                     fmt::format("template has more than {} tokens", options_.max_tokens),
                     map_.where(locOf(pos_)));
      }
    }
    tokens_.push_back(Token{TokenKind::End, "", {}, locOf(src_.size())});
    return std::move(tokens_);
  }

 private:
  Loc locOf(std::size_t offset) const {
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line = static_cast<std::size_t>(it - line_starts_.begin());
    const std::size_t start = line_starts_[line - 1];
    const auto column =
        ::sc::text::utf8::length(std::string_view(src_).substr(start, offset - start)) + 1;
    return Loc{static_cast<int>(line), static_cast<int>(column)};
  }

  Error error(std::size_t offset, std::string message) const {
    return Error(ErrorCode::Parse, std::move(message), map_.where(locOf(offset)));
  }

  std::size_t findOpen(std::size_t from) const {
    for (std::size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return src_.size();
  }

  // lstrip_blocks: spaces and tabs between a line start and a tag go.
  static void lstrip(std::string& text) {
    std::size_t i = text.size();
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
    if (i == 0 || text[i - 1] == '\n') text.resize(i);
  }

  void addData(std::string text, Loc loc) {
    if (!text.empty()) tokens_.push_back(Token{TokenKind::Data, std::move(text), {}, loc});
  }

  // After a closing delimiter: `-` strips all following whitespace; for
  // block and comment tags trim_blocks removes one newline unless `+`.
  void afterClose(char modifier, bool block) {
    if (modifier == '-') {
      while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
    } else if (block && modifier != '+' && options_.trim_blocks && pos_ < src_.size() &&
               src_[pos_] == '\n') {
      ++pos_;
    }
  }

  Result<void> comment(std::size_t open) {
    const auto close = src_.find("#}", pos_);
    if (close == std::string::npos) return error(open, "missing end of comment tag '#}'");
    const char modifier = close > pos_ ? src_[close - 1] : '\0';
    pos_ = close + 2;
    afterClose(modifier == '-' || modifier == '+' ? modifier : '\0', true);
    return ok();
  }

  // {% raw %} at pos_ (just after "{%" and its modifier)?
  bool isRaw() const {
    std::size_t i = pos_;
    while (i < src_.size() && isSpace(src_[i])) ++i;
    if (src_.compare(i, 3, "raw") != 0) return false;
    i += 3;
    if (i < src_.size() && isNameChar(src_[i])) return false;
    while (i < src_.size() && isSpace(src_[i])) ++i;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) ++i;
    return src_.compare(i, 2, "%}") == 0;
  }

  Result<void> raw(std::size_t open) {
    const auto close = src_.find("%}", pos_);
    const char begin_modifier = src_[close - 1];
    pos_ = close + 2;
    if (begin_modifier == '-') {
      while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
    }
    // Find {% endraw %} with optional modifiers and spaces.
    for (std::size_t at = src_.find("{%", pos_); at != std::string::npos;
         at = src_.find("{%", at + 2)) {
      std::size_t i = at + 2;
      char open_modifier = '\0';
      if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) open_modifier = src_[i++];
      while (i < src_.size() && isSpace(src_[i])) ++i;
      if (src_.compare(i, 6, "endraw") != 0) continue;
      i += 6;
      while (i < src_.size() && isSpace(src_[i])) ++i;
      char close_modifier = '\0';
      if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) close_modifier = src_[i++];
      if (src_.compare(i, 2, "%}") != 0) continue;
      std::string text = src_.substr(pos_, at - pos_);
      if (open_modifier == '-') {
        while (!text.empty() && isSpace(text.back())) text.pop_back();
      }
      addData(std::move(text), locOf(pos_));
      pos_ = i + 2;
      afterClose(close_modifier, true);
      return ok();
    }
    return error(open, "missing '{% endraw %}' for '{% raw %}'");
  }

  Result<void> tag(std::size_t open, bool variable) {
    tokens_.push_back(Token{variable ? TokenKind::VarBegin : TokenKind::BlockBegin,
                            variable ? "{{" : "{%",
                            {},
                            locOf(open)});
    std::vector<char> balance;
    while (true) {
      while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
      if (pos_ >= src_.size()) {
        return error(open, variable ? "unexpected end of template, expected '}}'"
                                    : "unexpected end of template, expected '%}'");
      }
      if (balance.empty()) {
        const char* end = variable ? "}}" : "%}";
        char modifier = '\0';
        std::size_t at = pos_;
        if ((src_[at] == '-' || src_[at] == '+') && src_.compare(at + 1, 2, end) == 0) {
          modifier = src_[at++];
        }
        if (src_.compare(at, 2, end) == 0 && (modifier != '+' || !variable)) {
          tokens_.push_back(
              Token{variable ? TokenKind::VarEnd : TokenKind::BlockEnd, end, {}, locOf(at)});
          pos_ = at + 2;
          afterClose(modifier, !variable);
          return ok();
        }
      }
      SC_TRY(exprToken(balance, variable));
    }
  }

  Result<void> exprToken(std::vector<char>& balance, bool variable) {
    const std::size_t start = pos_;
    const Loc loc = locOf(start);
    const char c = src_[pos_];
    if (isNameStart(c)) {
      while (pos_ < src_.size() && isNameChar(src_[pos_])) ++pos_;
      tokens_.push_back(Token{TokenKind::Name, src_.substr(start, pos_ - start), {}, loc});
      return ok();
    }
    if (isDigit(c)) return number(loc);
    if (c == '\'' || c == '"') return string(c, loc, variable);
    static const char* const kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : kTwo) {
      if (src_.compare(pos_, 2, op) == 0) {
        pos_ += 2;
        tokens_.push_back(Token{TokenKind::Operator, op, {}, loc});
        return ok();
      }
    }
    if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
      return error(start, fmt::format("unexpected char '{}'", c));
    }
    if (c == '(' || c == '[' || c == '{') balance.push_back(c);
    if (c == ')' || c == ']' || c == '}') {
      const char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (balance.empty() || balance.back() != want) {
        return error(start, fmt::format("unexpected '{}'", c));
      }
      balance.pop_back();
    }
    ++pos_;
    tokens_.push_back(Token{TokenKind::Operator, std::string(1, c), {}, loc});
    return ok();
  }

  // Digits with Python's optional single underscores between them.
  std::string digits(bool (*accept)(char)) {
    std::string out;
    while (pos_ < src_.size()) {
      if (accept(src_[pos_])) {
        out += src_[pos_++];
      } else if (src_[pos_] == '_' && !out.empty() && pos_ + 1 < src_.size() &&
                 accept(src_[pos_ + 1])) {
        ++pos_;
      } else {
        break;
      }
    }
    return out;
  }

  Result<void> number(Loc loc) {
    const std::size_t start = pos_;
    const bool after_dot = !tokens_.empty() && tokens_.back().kind == TokenKind::Operator &&
                           tokens_.back().text == ".";
    if (src_[pos_] == '0' && pos_ + 1 < src_.size() &&
        std::string_view("xXoObB").find(src_[pos_ + 1]) != std::string_view::npos) {
      const char base_char = static_cast<char>(src_[pos_ + 1] | 0x20);
      pos_ += 2;
      if (pos_ < src_.size() && src_[pos_] == '_') ++pos_;
      const int base = base_char == 'x' ? 16 : base_char == 'o' ? 8 : 2;
      std::string text;
      while (pos_ < src_.size() &&
             (std::isxdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) {
        if (src_[pos_] != '_') text += src_[pos_];
        ++pos_;
      }
      std::int64_t value = 0;
      const auto res = std::from_chars(text.data(), text.data() + text.size(), value, base);
      if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size()) {
        return error(start, fmt::format("invalid number '{}'", src_.substr(start, pos_ - start)));
      }
      tokens_.push_back(Token{TokenKind::Integer, src_.substr(start, pos_ - start), value, loc});
      return ok();
    }
    std::string text = digits(isDigit);
    bool is_float = false;
    if (!after_dot && pos_ + 1 < src_.size() && src_[pos_] == '.' && isDigit(src_[pos_ + 1])) {
      ++pos_;
      text += "." + digits(isDigit);
      is_float = true;
    }
    if (!after_dot && pos_ + 1 < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      std::size_t i = pos_ + 1;
      if (i < src_.size() && (src_[i] == '+' || src_[i] == '-')) ++i;
      if (i < src_.size() && isDigit(src_[i])) {
        text += 'e';
        if (src_[pos_ + 1] == '-') text += '-';
        pos_ = i;
        text += digits(isDigit);
        is_float = true;
      }
    }
    const std::string raw = src_.substr(start, pos_ - start);
    if (is_float) {
      tokens_.push_back(Token{TokenKind::Float, raw, std::strtod(text.c_str(), nullptr), loc});
      return ok();
    }
    std::int64_t value = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    if (res.ec != std::errc()) {
      return error(start, fmt::format("integer '{}' is too large", raw));
    }
    tokens_.push_back(Token{TokenKind::Integer, raw, value, loc});
    return ok();
  }

  Result<void> string(char quote, Loc loc, bool variable) {
    const std::size_t start = pos_++;
    std::string body;
    while (pos_ < src_.size() && src_[pos_] != quote) {
      if (src_[pos_] == '\\' && pos_ + 1 < src_.size()) body += src_[pos_++];
      body += src_[pos_++];
    }
    if (pos_ >= src_.size()) return error(start, "unterminated string literal");
    ++pos_;
    const bool raw = variable && options_.raw_strings_in_expressions;
    tokens_.push_back(Token{TokenKind::String, src_.substr(start, pos_ - start),
                            raw ? body : unescapeString(body), loc});
    return ok();
  }

  std::string src_;
  const SourceMap& map_;
  const LexOptions& options_;
  std::vector<std::size_t> line_starts_;
  std::size_t pos_ = 0;
  std::vector<Token> tokens_;
};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string unescapeString(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char c = body[++i];
    switch (c) {
      case '\n':
        break;
      case '\\':
      case '\'':
      case '"':
        out += c;
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t width = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        char32_t point = 0;
        std::size_t k = 0;
        for (; k < width && i + 1 + k < body.size(); ++k) {
          const int h = hexValue(body[i + 1 + k]);
          if (h < 0) break;
          point = point * 16 + static_cast<char32_t>(h);
        }
        if (k != width) {
          out += '\\';
          out += c;
          break;
        }
        i += width;
        ::sc::text::utf8::append(out, point);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          char32_t point = static_cast<char32_t>(c - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7';
               ++k) {
            point = point * 8 + static_cast<char32_t>(body[++i] - '0');
          }
          ::sc::text::utf8::append(out, point);
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

Result<std::vector<Token>> tokenize(std::string_view source, const SourceMap& map,
                                    const LexOptions& options) {
  // Jinja2 normalises every newline to "\n" before lexing.
  std::string text;
  text.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      text += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      text += source[i];
    }
  }
  if (!options.keep_trailing_newline && !text.empty() && text.back() == '\n') text.pop_back();
  return Lexer(std::move(text), map, options).run();
}

}  // namespace sc::controller::jinja
