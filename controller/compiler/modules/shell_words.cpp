#include "controller/compiler/modules/shell_words.h"

namespace sc::controller::modules {

Result<std::vector<std::string>> splitShellWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 == line.size()) return Error(ErrorCode::Parse, "no escaped character");
      word += line[++i];
    } else if (c == '\'') {
      const std::size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return Error(ErrorCode::Parse, "no closing quotation");
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      // Inside double quotes a backslash escapes only '"' and '\'.
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) {
          ++j;
        }
        word += line[j];
      }
      if (j >= line.size()) return Error(ErrorCode::Parse, "no closing quotation");
      i = j;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace sc::controller::modules
