// INI inventories, as Ansible 2.14's ini plugin reads them:
//   [group] / [group:children] / [group:vars] sections; lines before the
//   first section are hosts of `ungrouped`;
//   host lines are split like a POSIX shell (Python's shlex with '#'
//   comments, which start anywhere outside quotes): the first word is the
//   host entry (ranges, :port), the rest key=value;
//   every value, on host lines and in :vars sections, goes through
//   Python's literal_eval and stays text when that fails (so `x="1"` on a
//   host line is the int 1, since shlex took the quotes, while in a :vars
//   section it is the string "1"); see python_literal.h;
//   a group named in [x:children] may be declared later in the file; one
//   never declared, or [x:vars] for a group never declared, is an error.
// Lines split at \n, \r\n and \r. Errors are "file:line" with Ansible's
// wording.
#include <regex>

#include "controller/playbook/host_address.h"
#include "controller/playbook/inventory.h"
#include "controller/playbook/python_literal.h"

namespace sc::controller {
namespace {

constexpr std::string_view kSpace = " \t\n\r\f\v";

std::string_view strip(std::string_view text) {
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// Python's shlex.split(line, comments=True) in POSIX mode.
Result<std::vector<std::string>> shellSplit(std::string_view line, const std::string& where) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has started (it may be empty: '')
  char quote = '\0';
  std::size_t i = 0;
  const auto finish = [&] {
    if (in_word) words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  while (i < line.size()) {
    const char c = line[i];
    if (quote != '\0') {
      if (c == quote) {
        quote = '\0';
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        // Inside double quotes a backslash escapes only '"' and '\'.
        const char next = line[i + 1];
        if (next != '"' && next != '\\') word += c;
        word += next;
        ++i;
      } else if (c == '\\' && quote == '"') {
        return Error(ErrorCode::Parse, "No escaped character", where);
      } else {
        word += c;
      }
      ++i;
      continue;
    }
    if (kSpace.find(c) != std::string_view::npos) {
      finish();
    } else if (c == '#') {
      break;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) return Error(ErrorCode::Parse, "No escaped character", where);
      word += line[++i];
      in_word = true;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
    ++i;
  }
  if (quote != '\0') return Error(ErrorCode::Parse, "No closing quotation", where);
  finish();
  return words;
}

Result<Data> parseValue(std::string_view text, const std::string& where) {
  SC_TRY_ASSIGN(auto literal, parsePythonLiteral(text, where));
  if (literal) return std::move(*literal);
  return Data(std::string(text));
}

struct Pending {
  int line = 0;
  bool vars = false;  // else: named in a :children section
  std::vector<std::string> parents;
};

class IniReader {
 public:
  IniReader(Inventory& inventory, const std::string& file) : inventory_(inventory), file_(file) {}

  Result<void> run(std::string_view text) {
    static const std::regex section(R"(^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$)");
    std::string group = "ungrouped";
    std::string state = "hosts";
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find_first_of("\r\n", start);
      if (end == std::string_view::npos) end = text.size();
      const std::string line(strip(text.substr(start, end - start)));
      start = end + ((end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n') ? 2 : 1);
      ++line_;
      if (line.empty() || line[0] == '#' || line[0] == ';') continue;
      std::smatch match;
      if (std::regex_match(line, match, section)) {
        group = match[1].str();
        state = match[2].matched ? match[2].str() : "hosts";
        if (state != "hosts" && state != "children" && state != "vars") {
          return fail(fmt::format("Section [{}:{}] has unknown type: {}", group, state, state));
        }
        SC_TRY(declare(group, state));
        continue;
      }
      if (line.front() == '[' && line.back() == ']') {
        return fail(fmt::format(
            "Invalid section entry: '{}'. Please make sure that there are no spaces in the "
            "section entry, and that there are no other invalid characters",
            line));
      }
      if (state == "hosts") {
        SC_TRY(hostLine(line, group));
      } else if (state == "vars") {
        SC_TRY(varLine(line, group));
      } else {
        SC_TRY(childLine(line, group));
      }
    }
    for (const auto& name : pending_order_) {
      const auto it = pending_.find(name);
      if (it == pending_.end()) continue;
      const Pending& decl = it->second;
      const std::string where = fmt::format("{}:{}", file_, decl.line);
      if (decl.vars) {
        return Error(ErrorCode::Schema,
                     fmt::format("Section [{}:vars] not valid for undefined group: {}", name, name),
                     where);
      }
      return Error(ErrorCode::Schema,
                   fmt::format("Section [{}:children] includes undefined group: {}",
                               decl.parents.back(), name),
                   where);
    }
    return ok();
  }

 private:
  std::string where() const { return fmt::format("{}:{}", file_, line_); }
  Error fail(std::string message) const {
    return Error(ErrorCode::Schema, std::move(message), where());
  }

  // [group] or [group:children] declares a group; [group:vars] alone does
  // not, though Ansible creates the group at once and checks at the end.
  Result<void> declare(const std::string& group, const std::string& state) {
    if (inventory_.findGroup(group) == nullptr) {
      if (state == "vars" && !pending_.contains(group)) remember(group, Pending{line_, true, {}});
      inventory_.addGroup(group);
    }
    const auto it = pending_.find(group);
    if (it != pending_.end() && state != "vars") {
      if (it->second.vars) {
        pending_.erase(it);
      } else {
        SC_TRY(addPendingChildren(group));
      }
    }
    return ok();
  }

  void remember(const std::string& group, Pending pending) {
    pending_.emplace(group, std::move(pending));
    pending_order_.push_back(group);
  }

  Result<void> addPendingChildren(const std::string& group) {
    const auto parents = pending_.at(group).parents;
    for (const auto& parent : parents) {
      SC_TRY(inventory_.addChild(parent, group, where()));
      const auto it = pending_.find(parent);
      if (it != pending_.end() && !it->second.vars) SC_TRY(addPendingChildren(parent));
    }
    pending_.erase(group);
    return ok();
  }

  Result<void> hostLine(const std::string& line, const std::string& group) {
    auto words = shellSplit(line, where());
    if (!words) {
      return fail(
          fmt::format("Error parsing host definition '{}': {}", line, words.error().message()));
    }
    if (words->empty()) return ok();
    const std::string& pattern = words->front();
    SC_TRY_ASSIGN(const HostEntry entry, expandHostEntry(pattern, where()));
    if (!entry.port && strip(pattern).ends_with(':')) {
      return fail(
          fmt::format("Invalid host pattern '{}' supplied, ending in ':' is not allowed, "
                      "this character is reserved to provide a port.",
                      pattern));
    }
    for (const auto& name : entry.names) {
      if (strip(name) == "---") {
        return fail(
            fmt::format("Invalid host pattern '{}' supplied, '---' is normally a sign "
                        "this is a YAML file.",
                        pattern));
      }
    }
    Data vars = Data::object();
    for (std::size_t i = 1; i < words->size(); ++i) {
      const std::string& word = (*words)[i];
      const auto eq = word.find('=');
      if (eq == std::string::npos) {
        return fail(fmt::format("Expected key=value host variable assignment, got: {}", word));
      }
      SC_TRY_ASSIGN(Data value, parseValue(std::string_view(word).substr(eq + 1), where()));
      vars[word.substr(0, eq)] = std::move(value);
    }
    for (const auto& name : entry.names) {
      SC_TRY(inventory_.addHost(name, group, entry.port, where()));
      for (const auto& [key, value] : vars.items()) inventory_.setHostVar(name, key, value);
    }
    return ok();
  }

  Result<void> varLine(const std::string& line, const std::string& group) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return fail(fmt::format("Expected key=value, got: {}", line));
    const std::string key(strip(std::string_view(line).substr(0, eq)));
    SC_TRY_ASSIGN(Data value, parseValue(strip(std::string_view(line).substr(eq + 1)), where()));
    return inventory_.setGroupVar(group, key, std::move(value), where());
  }

  Result<void> childLine(const std::string& line, const std::string& group) {
    static const std::regex name_pattern(R"(^([^:\]\s]+)\s*(?:#.*)?$)");
    std::smatch match;
    if (!std::regex_match(line, match, name_pattern)) {
      return fail(fmt::format("Expected group name, got: {}", line));
    }
    const std::string child = match[1].str();
    if (inventory_.findGroup(child) != nullptr) return inventory_.addChild(group, child, where());
    const auto it = pending_.find(child);
    if (it == pending_.end()) {
      remember(child, Pending{line_, false, {group}});
    } else {
      it->second.parents.push_back(group);
    }
    return ok();
  }

  Inventory& inventory_;
  const std::string& file_;
  int line_ = 0;
  std::map<std::string, Pending> pending_;
  std::vector<std::string> pending_order_;  // Ansible reports the first
};

}  // namespace

Result<void> loadIniInventory(Inventory& inventory, std::string_view text,
                              const std::string& file) {
  return IniReader(inventory, file).run(text);
}

}  // namespace sc::controller
