#include "controller/playbook/kv_args.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/text/utf8.h"

namespace sc::controller::playbook {
namespace {

// Nesting of one kind of Jinja2 delimiter across words. A word that opens
// more than it closes deepens it; Ansible counts per word, not per
// character, and never lets the depth go below zero.
struct BlockDepth {
  std::string_view open;
  std::string_view close;
  long depth = 0;

  static long countOf(std::string_view word, std::string_view needle) {
    long count = 0;
    for (std::size_t at = word.find(needle); at != std::string_view::npos;
         at = word.find(needle, at + needle.size())) {
      ++count;
    }
    return count;
  }

  // True when the word changed the depth.
  bool update(std::string_view word) {
    const long opened = countOf(word, open);
    const long closed = countOf(word, close);
    if (opened == closed) return false;
    const long before = depth;
    depth = std::max(0L, depth + opened - closed);
    return depth != before;
  }
};

// The quote still open after `word`, given the one open before it. A
// quote character preceded by a backslash neither opens nor closes.
char quoteAfter(std::string_view word, char open_quote) {
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if ((c != '"' && c != '\'') || (i > 0 && word[i - 1] == '\\')) continue;
    if (open_quote == 0) {
      open_quote = c;
    } else if (c == open_quote) {
      open_quote = 0;
    }
  }
  return open_quote;
}

std::vector<std::string_view> splitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Error unparsable(std::string_view args, std::string_view why) {
  return Error(ErrorCode::InvalidArgument,
               std::string(why) + ": " + std::string(args.substr(0, 200)));
}

bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view strip(std::string_view text) {
  while (!text.empty() && isAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's unicode-escape decoding of the escapes Ansible recognises in
// k=v words: \\ \' \" \a \b \f \n \r \t \v, \xHH, \uHHHH and \UHHHHHHHH
// (hex digits only). Anything else after a backslash stays as written.
Result<std::string> decodeEscapes(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] != '\\' || i + 1 == word.size()) {
      out += word[i];
      continue;
    }
    const char next = word[i + 1];
    static constexpr std::array<std::pair<char, char>, 10> kSimple{{{'\\', '\\'},
                                                                    {'\'', '\''},
                                                                    {'"', '"'},
                                                                    {'a', '\a'},
                                                                    {'b', '\b'},
                                                                    {'f', '\f'},
                                                                    {'n', '\n'},
                                                                    {'r', '\r'},
                                                                    {'t', '\t'},
                                                                    {'v', '\v'}}};
    const auto simple = std::find_if(kSimple.begin(), kSimple.end(),
                                     [next](const auto& entry) { return entry.first == next; });
    if (simple != kSimple.end()) {
      out += simple->second;
      ++i;
      continue;
    }
    const std::size_t width = next == 'x' ? 2 : next == 'u' ? 4 : next == 'U' ? 8 : 0;
    if (width != 0 && i + 2 + width <= word.size()) {
      std::uint32_t value = 0;
      bool valid = true;
      for (std::size_t d = 0; d < width; ++d) {
        const int digit = hexValue(word[i + 2 + d]);
        if (digit < 0) valid = false;
        value = value * 16 + static_cast<std::uint32_t>(std::max(digit, 0));
      }
      if (valid && value > 0x10FFFF) {
        return unparsable(word, "escape sequence beyond Unicode in argument");
      }
      if (valid) {
        ::sc::text::utf8::append(out, value);
        i += 1 + width;
        continue;
      }
    }
    if (next == 'N' && i + 2 < word.size() && word[i + 2] == '{') {
      return unparsable(word, "\\N{...} escapes are not supported in arguments");
    }
    out += word[i];
  }
  return out;
}

// One pair of matching outer quotes, unless the closing one is escaped.
std::string_view unquote(std::string_view value) {
  if (value.size() > 1 && value.front() == value.back() &&
      (value.front() == '"' || value.front() == '\'') && value[value.size() - 2] != '\\') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

bool isFreeFormArgument(std::string_view key) {
  static constexpr std::array<std::string_view, 8> kKeys{
      "creates", "removes",           "chdir",           "executable", "warn",
      "stdin",   "stdin_add_newline", "strip_empty_ends"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

}  // namespace

Result<std::vector<std::string>> splitArgs(std::string_view args) {
  std::vector<std::string> words;
  char quote = 0;
  std::array<BlockDepth, 3> blocks{{{"{{", "}}"}, {"{%", "%}"}, {"{#", "#}"}}};
  const auto insideBlock = [&blocks] {
    return std::any_of(blocks.begin(), blocks.end(),
                       [](const BlockDepth& b) { return b.depth > 0; });
  };
  const auto lastWord = [&words, args]() -> Result<std::string*> {
    if (words.empty()) return unparsable(args, "unable to parse argument string");
    return &words.back();
  };

  const std::vector<std::string_view> lines = splitOn(args, '\n');
  for (std::size_t line_index = 0; line_index < lines.size(); ++line_index) {
    const std::vector<std::string_view> tokens = splitOn(lines[line_index], ' ');
    bool continued = false;
    for (std::size_t index = 0; index < tokens.size(); ++index) {
      const std::string_view token = tokens[index];
      if (token.empty() && index != 0) {
        // A run of spaces: kept, so quoted text comes back as written.
        SC_TRY_ASSIGN(std::string * last, lastWord());
        *last += ' ';
        continue;
      }
      if (token == "\\" && quote == 0) {
        continued = true;
        continue;
      }
      const bool was_quoted = quote != 0;
      quote = quoteAfter(token, quote);
      const bool quoted = quote != 0;

      bool appended = false;
      if (quoted && !was_quoted && !insideBlock()) {
        words.emplace_back(token);
        appended = true;
      } else if (insideBlock() || quoted || was_quoted) {
        SC_TRY_ASSIGN(std::string * last, lastWord());
        if (index == 0 && was_quoted) {
          *last += token;
        } else if (tokens.size() > 1) {
          if (index > 0) *last += ' ';
          *last += token;
        } else {
          *last += '\n';
          *last += token;
        }
        appended = true;
      }
      for (BlockDepth& block : blocks) {
        if (block.update(token) && !appended) {
          words.emplace_back(token);
          appended = true;
        }
      }
      if (!insideBlock() && !quoted && !appended && !token.empty()) words.emplace_back(token);
    }
    if (lines.size() > 1 && line_index + 1 != lines.size() && !continued) {
      SC_TRY_ASSIGN(std::string * last, lastWord());
      *last += '\n';
    }
  }
  if (insideBlock() || quote != 0) {
    return unparsable(args, "unbalanced quotes or Jinja2 block in arguments");
  }
  return words;
}

Result<std::vector<std::pair<std::string, std::string>>> parseKeyValueArgs(std::string_view args,
                                                                           bool free_form) {
  SC_TRY_ASSIGN(const std::vector<std::string> words, splitArgs(args));
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> raw;
  const auto set = [&options](std::string key, std::string value) {
    const auto existing = std::find_if(options.begin(), options.end(),
                                       [&key](const auto& option) { return option.first == key; });
    if (existing != options.end()) {
      existing->second = std::move(value);
    } else {
      options.emplace_back(std::move(key), std::move(value));
    }
  };

  for (const std::string& word : words) {
    SC_TRY_ASSIGN(const std::string decoded, decodeEscapes(word));
    if (decoded.find('=') == std::string::npos) {
      raw.push_back(word);
      continue;
    }
    // The first '=' that is neither the first character nor escaped.
    std::size_t split = std::string::npos;
    for (std::size_t at = decoded.find('=', 1); at != std::string::npos;
         at = decoded.find('=', at + 1)) {
      if (decoded[at - 1] != '\\') {
        split = at;
        break;
      }
    }
    if (split == std::string::npos) {
      std::string unescaped;
      for (std::size_t i = 0; i < decoded.size(); ++i) {
        if (decoded[i] == '\\' && i + 1 < decoded.size() && decoded[i + 1] == '=') continue;
        unescaped += decoded[i];
      }
      raw.push_back(std::move(unescaped));
      continue;
    }
    const std::string_view key = std::string_view(decoded).substr(0, split);
    if (free_form && !isFreeFormArgument(key)) {
      raw.push_back(word);
      continue;
    }
    set(std::string(strip(key)),
        std::string(unquote(strip(std::string_view(decoded).substr(split + 1)))));
  }
  if (!raw.empty()) {
    std::string joined;
    for (const std::string& word : raw) {
      if (!joined.empty() && joined.back() != '\n') joined += ' ';
      joined += word;
    }
    set("_raw_params", std::move(joined));
  }
  return options;
}

}  // namespace sc::controller::playbook
