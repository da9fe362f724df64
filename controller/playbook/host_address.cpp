#include "controller/playbook/host_address.h"

#include <algorithm>
#include <charconv>
#include <regex>

namespace sc::controller {
namespace {

// The pieces of Ansible's parsing/utils/addresses.py patterns, as facts
// about what is accepted. Ansible's `\w` is Unicode-aware; isHost() maps
// non-ASCII bytes to a letter before matching.
constexpr const char* kNumericRange = R"(\[[0-9]+:[0-9]+(?::[0-9]+)?\])";
constexpr const char* kHexRange = R"(\[[0-9a-fA-F]+:[0-9a-fA-F]+(?::[0-9]+)?\])";
constexpr const char* kAlnumRange = R"(\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\])";

const std::regex& hostnamePattern() {
  static const std::regex pattern = [] {
    const std::string word = std::string(R"((?:\w|)") + kAlnumRange + ")";
    const std::string tail = std::string(R"((?:[\w-]|)") + kAlnumRange + ")";
    const std::string label = word + tail + "*";
    return std::regex("^" + label + R"((?:\.)" + label + ")*$");
  }();
  return pattern;
}

const std::regex& ipv4Pattern() {
  static const std::regex pattern = [] {
    const std::string part =
        std::string("(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|") + kNumericRange + ")";
    return std::regex("^(?:" + part + R"(\.){3})" + part + "$");
  }();
  return pattern;
}

const std::regex& ipv6Pattern() {
  // Hex groups and ':' with at most one '::', plus an optional IPv4 tail;
  // looser than Ansible's spelled-out alternatives but agreeing on real
  // addresses.
  static const std::regex pattern = [] {
    const std::string part = std::string("(?:[0-9a-fA-F]{1,4}|") + kHexRange + ")";
    return std::regex("^(?:" + part + "?:){2,7}(?:" + part +
                      R"(|(?:[0-9]{1,3}\.){3}[0-9]{1,3})?$)");
  }();
  return pattern;
}

// A label may not end in '-' or '_' (Ansible's (?<![_-])).
bool labelsEndWell(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    if (dot > start && (name[dot - 1] == '-' || name[dot - 1] == '_')) return false;
    start = dot + 1;
  }
  return true;
}

bool isHost(const std::string& text) {
  if (std::regex_match(text, ipv4Pattern())) return true;
  if (text.find(':') != std::string::npos) {
    // IPv6: eight groups, or fewer with exactly one "::".
    const auto compressed = text.find("::");
    const auto colons = std::count(text.begin(), text.end(), ':');
    const bool shape =
        compressed == std::string::npos ? colons == 7 : compressed == text.rfind("::");
    return shape && std::regex_match(text, ipv6Pattern());
  }
  std::string ascii = text;
  for (char& c : ascii) {
    if (static_cast<unsigned char>(c) >= 0x80) c = 'a';
  }
  return std::regex_match(ascii, hostnamePattern()) && labelsEndWell(ascii);
}

struct Split {
  std::string host;
  std::optional<int> port;
};

// Ansible's parse_address(): "[host]:port", then "host:port" where host
// holds no ':' outside brackets; then the rest must be an address.
std::optional<Split> splitAddress(std::string_view text) {
  static const std::regex bracketed(R"(^\[(.+)\]:([0-9]+)$)");
  static const std::regex hostport(R"(^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$)");
  std::string address(text);
  std::optional<int> port;
  std::smatch match;
  for (const auto* pattern : {&bracketed, &hostport}) {
    if (std::regex_match(address, match, *pattern)) {
      const std::string digits = match[2].str();
      int value = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
      port = value;
      address = match[1].str();
    }
  }
  if (address.empty() || !isHost(address)) return std::nullopt;
  return Split{address, port};
}

constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

Result<int> toInt(const std::string& text, const std::string& where) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Error(ErrorCode::Schema, fmt::format("host range bound '{}' is not a number", text),
                 where);
  }
  return value;
}

// Ansible's expand_hostname_range(): the first [..] is expanded, and each
// result expanded again while it holds a '['.
Result<void> expandRanges(const std::string& name, const std::string& where,
                          std::vector<std::string>& out) {
  const auto open = name.find('[');
  if (open == std::string::npos) {
    out.push_back(name);
    return ok();
  }
  const auto close = name.find(']', open);
  if (close == std::string::npos) {
    return Error(ErrorCode::Schema, fmt::format("host range in '{}' has no closing ']'", name),
                 where);
  }
  const std::string head = name.substr(0, open);
  const std::string range = name.substr(open + 1, close - open - 1);
  const std::string tail = name.substr(close + 1);
  std::vector<std::string> bounds;
  for (std::size_t start = 0;;) {
    const auto colon = range.find(':', start);
    bounds.push_back(range.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (bounds.size() != 2 && bounds.size() != 3) {
    return Error(ErrorCode::Schema, "host range must be begin:end or begin:end:step", where);
  }
  std::string begin = bounds[0].empty() ? "0" : bounds[0];
  const std::string& end = bounds[1];
  if (end.empty()) return Error(ErrorCode::Schema, "host range must specify end value", where);
  int step = 1;
  if (bounds.size() == 3) {
    SC_TRY_ASSIGN(step, toInt(bounds[2], where));
  }
  if (step <= 0) return Error(ErrorCode::Schema, "host range step must be positive", where);
  std::size_t width = 0;
  if (begin[0] == '0' && begin.size() > 1) {
    width = begin.size();
    if (width != end.size()) {
      return Error(ErrorCode::Schema, "host range must specify equal-length begin and end formats",
                   where);
    }
  }
  std::vector<std::string> items;
  const auto letter_begin = begin.size() == 1 ? kLetters.find(begin[0]) : std::string_view::npos;
  const auto letter_end = end.size() == 1 ? kLetters.find(end[0]) : std::string_view::npos;
  if (letter_begin != std::string_view::npos && letter_end != std::string_view::npos) {
    if (letter_begin > letter_end) {
      return Error(ErrorCode::Schema, "host range must have begin <= end", where);
    }
    for (auto i = letter_begin; i <= letter_end; i += static_cast<std::size_t>(step)) {
      items.emplace_back(1, kLetters[i]);
    }
  } else {
    SC_TRY_ASSIGN(const int first, toInt(begin, where));
    SC_TRY_ASSIGN(const int last, toInt(end, where));
    if (last - first > 100'000) {
      return Error(ErrorCode::TooLarge, "host range of more than 100000 hosts", where);
    }
    for (int i = first; i <= last; i += step) {
      std::string text = std::to_string(i);
      if (text.size() < width) text.insert(0, width - text.size(), '0');
      items.push_back(std::move(text));
    }
  }
  for (const auto& item : items) SC_TRY(expandRanges(head + item + tail, where, out));
  return ok();
}

}  // namespace

bool isHostAddress(std::string_view text) { return splitAddress(text).has_value(); }

Result<HostEntry> expandHostEntry(std::string_view text, const std::string& where) {
  HostEntry entry;
  std::string name(text);
  if (auto split = splitAddress(text)) {
    name = split->host;
    entry.port = split->port;
  }
  if (name.find('[') == std::string::npos) {
    entry.names.push_back(std::move(name));
    return entry;
  }
  SC_TRY(expandRanges(name, where, entry.names));
  return entry;
}

}  // namespace sc::controller
