#include "agent/facts/python_text.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace sc::agent::py {
namespace {

// What str.isspace() accepts among single bytes.
constexpr std::string_view kWhitespace = " \t\n\r\v\f\x1c\x1d\x1e\x1f";
// libstdc++'s std::regex recurses about once per character a repetition
// consumes (common/large_stack.h); fact files are far smaller than this.
constexpr std::size_t kMaxRegexText = 8 * 1024;

bool isSpace(char c) { return kWhitespace.find(c) != std::string_view::npos; }

// Patterns are literals in agent/facts/; each is compiled once per thread.
const std::regex& compiled(const std::string& pattern) {
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end())
    it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return it->second;
}

}  // namespace

std::string strip(std::string_view text) { return strip(text, kWhitespace); }

std::string strip(std::string_view text, std::string_view chars) {
  const auto first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(chars);
  return std::string(text.substr(first, last - first + 1));
}

std::string rstrip(std::string_view text) {
  const auto last = text.find_last_not_of(kWhitespace);
  if (last == std::string_view::npos) return {};
  return std::string(text.substr(0, last + 1));
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !isSpace(text[i])) ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> split(std::string_view text, std::string_view sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(sep, start);
    if (at == std::string_view::npos) break;
    out.emplace_back(text.substr(start, at - start));
    start = at + sep.size();
  }
  out.emplace_back(text.substr(start));
  return out;
}

std::vector<std::string> splitOnce(std::string_view text, char sep) {
  const auto at = text.find(sep);
  if (at == std::string_view::npos) return {std::string(text)};
  return {std::string(text.substr(0, at)), std::string(text.substr(at + 1))};
}

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\x1c' || c == '\x1d' ||
        c == '\x1e') {
      out.emplace_back(text.substr(start, i - start));
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? std::size_t{2}
                                                                     : std::size_t{1};
      start = i;
      continue;
    }
    ++i;
  }
  if (start < text.size()) out.emplace_back(text.substr(start));
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string capitalize(std::string_view text) {
  std::string out = lower(text);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool isDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::string basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::optional<Groups> search(const std::string& pattern, std::string_view text, bool anchored) {
  if (text.size() > kMaxRegexText) return std::nullopt;
  const std::regex& re = compiled(pattern);
  std::match_results<std::string_view::const_iterator> match;
  const auto flags =
      anchored ? std::regex_constants::match_continuous : std::regex_constants::match_default;
  if (!std::regex_search(text.begin(), text.end(), match, re, flags)) return std::nullopt;
  Groups groups;
  for (std::size_t i = 0; i < match.size(); ++i) {
    if (match[i].matched) {
      groups.emplace_back(match[i].str());
    } else {
      groups.emplace_back(std::nullopt);
    }
  }
  return groups;
}

std::vector<std::string> findAll(const std::string& pattern, std::string_view text) {
  std::vector<std::string> out;
  if (text.size() > kMaxRegexText) return out;
  const std::regex& re = compiled(pattern);
  using Iterator = std::regex_iterator<std::string_view::const_iterator>;
  for (Iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    out.push_back((*it)[0].str());
  }
  return out;
}

std::vector<std::string> shlexSplit(std::string_view text) {
  // Splits like Python's shlex.read_token() for posix=True, whitespace_split=True and
  // the default commenters, quotes and escape characters.
  std::vector<std::string> tokens;
  std::size_t i = 0;
  const auto isBlank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  const auto skipLine = [&] {
    while (i < text.size() && text[i] != '\n') ++i;
    if (i < text.size()) ++i;
  };
  while (true) {
    std::string token;
    bool quoted = false;
    char state = ' ';
    char escaped_state = ' ';
    bool end_of_text = false;
    while (true) {
      if (i >= text.size()) {
        if (state != ' ' && state != 'a') return tokens;  // unclosed quote or escape
        end_of_text = true;
        break;
      }
      const char c = text[i++];
      if (state == ' ') {
        if (isBlank(c)) {
          if (!token.empty() || quoted) break;
        } else if (c == '#') {
          skipLine();
        } else if (c == '\\') {
          escaped_state = 'a';
          state = '\\';
        } else if (c == '\'' || c == '"') {
          state = c;
        } else {
          token = std::string(1, c);
          state = 'a';
        }
      } else if (state == '\'' || state == '"') {
        quoted = true;
        if (c == state) {
          state = 'a';
        } else if (state == '"' && c == '\\') {
          escaped_state = state;
          state = '\\';
        } else {
          token += c;
        }
      } else if (state == '\\') {
        // Inside double quotes only the quote and the backslash are escaped.
        if ((escaped_state == '\'' || escaped_state == '"') && c != '\\' && c != escaped_state) {
          token += '\\';
        }
        token += c;
        state = escaped_state;
      } else {  // 'a': in a word
        if (isBlank(c)) {
          state = ' ';
          if (!token.empty() || quoted) break;
        } else if (c == '#') {
          skipLine();
          state = ' ';
          if (!token.empty() || quoted) break;
        } else if (c == '\'' || c == '"') {
          state = c;
        } else if (c == '\\') {
          escaped_state = 'a';
          state = '\\';
        } else {
          token += c;
        }
      }
    }
    if (end_of_text && token.empty() && !quoted) return tokens;
    tokens.push_back(std::move(token));
    if (end_of_text) return tokens;
  }
}

}  // namespace sc::agent::py
