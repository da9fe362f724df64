#include "controller/playbook/host_pattern.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "controller/playbook/host_address.h"

namespace sc::controller {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\n\r\f\v") - first + 1);
}

// Python's fnmatch.translate(), as an ECMAScript regular expression.
std::string translateGlob(std::string_view glob) {
  std::string out;
  const auto escape = [&out](char c) {
    if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos) out += '\\';
    out += c;
  };
  for (std::size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      out += "[\\s\\S]*";
    } else if (c == '?') {
      out += "[\\s\\S]";
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < glob.size() && glob[j] == '!') ++j;
      if (j < glob.size() && glob[j] == ']') ++j;
      while (j < glob.size() && glob[j] != ']') ++j;
      if (j >= glob.size()) {
        out += "\\[";
        continue;
      }
      std::string_view set = glob.substr(i + 1, j - i - 1);
      out += '[';
      if (!set.empty() && set[0] == '!') {
        out += '^';
        set.remove_prefix(1);
      } else if (!set.empty() && set[0] == '^') {
        out += "\\^";
        set.remove_prefix(1);
      }
      for (const char s : set) {
        if (s == '\\' || s == '[' || s == ']') out += '\\';
        out += s;
      }
      out += ']';
      i = j;
    } else {
      escape(c);
    }
  }
  return out;
}

struct Subscript {
  long long start = 0;
  std::optional<long long> end;  // nullopt: a single index
};

long long toNumber(const std::string& text) {
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

class Evaluator {
 public:
  Evaluator(const Inventory& inventory, std::vector<std::string>& warnings)
      : inventory_(inventory), warnings_(warnings) {}

  Result<std::vector<std::string>> evaluate(std::vector<std::string> patterns) {
    std::vector<std::string> ordered;
    for (const char kind : {'+', '&', '!'}) {
      for (const auto& p : patterns) {
        if (p.empty()) continue;
        const char first = p[0] == '&' || p[0] == '!' ? p[0] : '+';
        if (first == kind) ordered.push_back(p);
      }
      if (kind == '+' && ordered.empty()) ordered.emplace_back("all");
    }
    std::vector<std::string> hosts;
    for (const auto& p : ordered) {
      if (inventory_.findHost(p) != nullptr) {
        hosts.push_back(p);
        continue;
      }
      SC_TRY_ASSIGN(const auto matched, matchOne(p));
      if (p[0] == '!' || p[0] == '&') {
        const std::set<std::string> that(matched.begin(), matched.end());
        const bool keep_matches = p[0] == '&';
        std::erase_if(hosts,
                      [&](const std::string& h) { return that.contains(h) != keep_matches; });
      } else {
        const std::set<std::string> existing(hosts.begin(), hosts.end());
        for (const auto& h : matched) {
          if (!existing.contains(h)) hosts.push_back(h);
        }
      }
    }
    return hosts;
  }

 private:
  Result<std::vector<std::string>> matchOne(std::string pattern) {
    if (pattern[0] == '&' || pattern[0] == '!') pattern.erase(0, 1);
    if (pattern.empty()) {
      return Error(ErrorCode::InvalidArgument, "empty host pattern after '&' or '!'");
    }
    if (const auto it = cache_.find(pattern); it != cache_.end()) return it->second;
    std::string expression = pattern;
    std::optional<Subscript> subscript;
    static const std::regex with_subscript(R"(^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$)");
    std::smatch match;
    if (pattern[0] != '~' && std::regex_match(pattern, match, with_subscript)) {
      expression = match[1].str();
      if (match[2].matched) {
        subscript = Subscript{toNumber(match[2].str()), std::nullopt};
      } else {
        // Ansible: an empty end means the last host; an end of 0 reads as
        // "no end", so [2:0] is [2].
        const long long end = match[5].length() == 0 ? -1 : toNumber(match[5].str());
        subscript = Subscript{toNumber(match[3].str()),
                              end == 0 ? std::nullopt : std::optional<long long>(end)};
        if (match[4].str() == "-") {
          warnings_.push_back(
              "Use [x:y] inclusive subscripts instead of [x-y] which has been "
              "removed");
        }
      }
    }
    SC_TRY_ASSIGN(auto hosts, enumerate(expression));
    if (subscript && !hosts.empty()) {
      const auto size = static_cast<long long>(hosts.size());
      if (!subscript->end) {
        long long index = subscript->start;
        if (index < 0) index += size;
        if (index < 0 || index >= size) {
          return Error(ErrorCode::InvalidArgument,
                       fmt::format("No hosts matched the subscripted pattern '{}'", pattern));
        }
        hosts = {hosts[static_cast<std::size_t>(index)]};
      } else {
        const long long end = *subscript->end == -1 ? size - 1 : *subscript->end;
        const long long first = std::min(subscript->start, size);
        const long long last = std::clamp(end + 1, first, size);
        hosts = std::vector<std::string>(hosts.begin() + first, hosts.begin() + last);
      }
    }
    cache_[pattern] = hosts;
    return hosts;
  }

  Result<std::vector<std::string>> matchList(const std::vector<std::string>& items,
                                             const std::string& pattern) {
    std::regex regex;
    try {
      regex =
          pattern[0] == '~' ? std::regex(pattern.substr(1)) : std::regex(translateGlob(pattern));
    } catch (const std::regex_error& e) {
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("Invalid host list pattern: {}", pattern), {}, e.what());
    }
    std::vector<std::string> out;
    for (const auto& item : items) {
      const bool matched =
          pattern[0] == '~' ? std::regex_search(item, regex, std::regex_constants::match_continuous)
                            : std::regex_match(item, regex);
      if (matched) out.push_back(item);
    }
    return out;
  }

  // Ansible's _enumerate_matches(): hosts of matching groups, then (for
  // wildcards, regexes, or when no group matched) matching hosts, keeping
  // duplicates so that a subscript counts them as Ansible does.
  Result<std::vector<std::string>> enumerate(const std::string& pattern) {
    std::vector<std::string> results;
    SC_TRY_ASSIGN(const auto groups, matchList(inventory_.groupNames(), pattern));
    for (const auto& group : groups) {
      const auto hosts = inventory_.hostsOf(group);
      results.insert(results.end(), hosts.begin(), hosts.end());
    }
    const bool special = pattern[0] == '~' || pattern.find_first_of(".?*[") != std::string::npos;
    if (groups.empty() || special) {
      SC_TRY_ASSIGN(const auto hosts, matchList(inventory_.hostNames(), pattern));
      results.insert(results.end(), hosts.begin(), hosts.end());
    }
    if (results.empty() && isLocalhostName(pattern)) {
      const InventoryHost* local = inventory_.localhostFor(pattern);
      results.push_back(local != nullptr && !local->implicit ? local->name : pattern);
    }
    if (results.empty() && groups.empty() && pattern != "all") {
      warnings_.push_back(
          fmt::format("Could not match supplied host pattern, ignoring: {}", pattern));
    }
    return results;
  }

  const Inventory& inventory_;
  std::vector<std::string>& warnings_;
  std::map<std::string, std::vector<std::string>> cache_;
};

Result<std::vector<std::string>> expandLimits(const std::vector<std::string>& limits) {
  std::vector<std::string> out;
  for (const auto& limit : limits) {
    for (const auto& item : splitHostPattern(limit)) {
      if (item[0] != '@') {
        out.push_back(item);
        continue;
      }
      const std::string path = item.substr(1);
      std::ifstream in(path);
      if (!in) return errnoError(errno, "Unable to find limit file", path);
      std::string line;
      while (std::getline(in, line)) out.emplace_back(trim(line));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> splitHostPattern(std::string_view pattern) {
  std::vector<std::string> parts;
  if (pattern.find(',') != std::string_view::npos) {
    std::size_t start = 0;
    while (start <= pattern.size()) {
      auto comma = pattern.find(',', start);
      if (comma == std::string_view::npos) comma = pattern.size();
      parts.emplace_back(pattern.substr(start, comma - start));
      start = comma + 1;
    }
  } else if (isHostAddress(pattern)) {
    parts.emplace_back(pattern);
  } else {
    static const std::regex piece(R"((?:[^\s:\[\]]|\[[^\]]*\])+)");
    const std::string text(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), piece);
         it != std::sregex_iterator(); ++it) {
      parts.push_back(it->str());
    }
  }
  std::vector<std::string> out;
  for (const auto& part : parts) {
    const auto trimmed = trim(part);
    if (!trimmed.empty()) out.emplace_back(trimmed);
  }
  return out;
}

Result<HostSelection> selectHosts(const Inventory& inventory,
                                  const std::vector<std::string>& patterns,
                                  const std::vector<std::string>& limits) {
  HostSelection selection;
  Evaluator evaluator(inventory, selection.warnings);
  std::vector<std::string> split;
  for (const auto& pattern : patterns) {
    for (auto& part : splitHostPattern(pattern)) split.push_back(std::move(part));
  }
  SC_TRY_ASSIGN(auto hosts, evaluator.evaluate(split));
  if (!limits.empty()) {
    SC_TRY_ASSIGN(const auto subset_patterns, expandLimits(limits));
    SC_TRY_ASSIGN(const auto subset, evaluator.evaluate(subset_patterns));
    const std::set<std::string> allowed(subset.begin(), subset.end());
    std::erase_if(hosts, [&](const std::string& h) { return !allowed.contains(h); });
  }
  std::set<std::string> seen;
  for (auto& host : hosts) {
    if (seen.insert(host).second) selection.hosts.push_back(std::move(host));
  }
  return selection;
}

}  // namespace sc::controller
