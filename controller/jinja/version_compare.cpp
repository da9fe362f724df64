#include "controller/jinja/version_compare.h"

#include <fmt/format.h>

#include <optional>
#include <regex>
#include <variant>
#include <vector>

namespace sc::controller::jinja {
namespace {

using Part = std::variant<std::int64_t, std::string>;

// distutils' LooseVersion: runs of digits (numbers) and letters; dots and
// other characters separate them.
std::vector<Part> loose(std::string_view v) {
  std::vector<Part> parts;
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
      parts.emplace_back(std::stoll(std::string(v.substr(i, std::min<std::size_t>(j - i, 18)))));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < v.size() && std::isalpha(static_cast<unsigned char>(v[j]))) ++j;
      parts.emplace_back(std::string(v.substr(i, j - i)));
      i = j;
    } else {
      if (c != '.') parts.emplace_back(std::string(1, c));
      ++i;
    }
  }
  return parts;
}

// -1, 0, 1; an error where Python 3 cannot order an int and a str.
Result<int> compareLoose(std::string_view a, std::string_view b) {
  const auto x = loose(a);
  const auto y = loose(b);
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    if (x[i].index() != y[i].index()) {
      return Error(ErrorCode::Schema,
                   "Version comparison failed: '<' not supported between instances of 'int' and "
                   "'str'");
    }
    if (x[i] < y[i]) return -1;
    if (y[i] < x[i]) return 1;
  }
  return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
}

struct Strict {
  std::int64_t v[3] = {0, 0, 0};
  std::optional<std::pair<char, std::int64_t>> pre;
};

Result<Strict> strict(std::string_view s) {
  static const std::regex re(R"(^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$)");
  std::smatch m;
  const std::string text(s);
  if (!std::regex_match(text, m, re)) {
    return Error(ErrorCode::Schema,
                 fmt::format("Version comparison failed: invalid version number '{}'", s));
  }
  Strict out;
  out.v[0] = std::stoll(m[1].str().substr(0, 18));
  out.v[1] = std::stoll(m[2].str().substr(0, 18));
  if (m[4].matched) out.v[2] = std::stoll(m[4].str().substr(0, 18));
  if (m[5].matched) out.pre = std::make_pair(m[5].str()[0], std::stoll(m[6].str().substr(0, 18)));
  return out;
}

Result<int> compareStrict(std::string_view a, std::string_view b) {
  SC_TRY_ASSIGN(auto x, strict(a));
  SC_TRY_ASSIGN(auto y, strict(b));
  for (int i = 0; i < 3; ++i) {
    if (x.v[i] != y.v[i]) return x.v[i] < y.v[i] ? -1 : 1;
  }
  if (!x.pre && !y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  if (*x.pre == *y.pre) return 0;
  return *x.pre < *y.pre ? -1 : 1;
}

// Semantic versions (semver.org 2.0): numeric core, prerelease after '-'
// ordered by identifiers, build metadata after '+' ignored.
Result<int> compareSemver(std::string_view a, std::string_view b) {
  static const std::regex re(
      R"(^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$)");
  auto parse =
      [&](std::string_view s) -> Result<std::pair<std::vector<std::int64_t>, std::string>> {
    std::smatch m;
    const std::string text(s);
    if (!std::regex_match(text, m, re)) {
      return Error(ErrorCode::Schema, fmt::format("Version comparison failed: invalid semantic "
                                                  "version '{}'",
                                                  s));
    }
    std::vector<std::int64_t> core;
    for (std::size_t i = 1; i <= 3; ++i) {
      core.push_back(m[i].matched ? std::stoll(m[i].str().substr(0, 18)) : 0);
    }
    return std::make_pair(core, m[4].str());
  };
  SC_TRY_ASSIGN(auto x, parse(a));
  SC_TRY_ASSIGN(auto y, parse(b));
  if (x.first != y.first) return x.first < y.first ? -1 : 1;
  if (x.second == y.second) return 0;
  if (x.second.empty()) return 1;
  if (y.second.empty()) return -1;
  const auto xp = loose(x.second);
  const auto yp = loose(y.second);
  for (std::size_t i = 0; i < std::min(xp.size(), yp.size()); ++i) {
    if (xp[i] == yp[i]) continue;
    if (xp[i].index() != yp[i].index()) return xp[i].index() == 0 ? -1 : 1;
    return xp[i] < yp[i] ? -1 : 1;
  }
  return xp.size() < yp.size() ? -1 : xp.size() > yp.size() ? 1 : 0;
}

}  // namespace

Result<bool> versionCompare(std::string_view left, std::string_view right, std::string_view op,
                            std::string_view type) {
  if (left.empty()) return Error(ErrorCode::Schema, "Input version value cannot be empty");
  if (right.empty()) {
    return Error(ErrorCode::Schema, "Version parameter to compare against cannot be empty");
  }
  int cmp = 0;
  if (type == "loose") {
    SC_TRY_ASSIGN(cmp, compareLoose(left, right));
  } else if (type == "strict") {
    SC_TRY_ASSIGN(cmp, compareStrict(left, right));
  } else if (type == "semver" || type == "semantic") {
    SC_TRY_ASSIGN(cmp, compareSemver(left, right));
  } else {
    return Error(ErrorCode::Schema, fmt::format("unsupported version_type '{}'", type));
  }
  if (op == "==" || op == "=" || op == "eq") return cmp == 0;
  if (op == "!=" || op == "<>" || op == "ne") return cmp != 0;
  if (op == "<" || op == "lt") return cmp < 0;
  if (op == "<=" || op == "le") return cmp <= 0;
  if (op == ">" || op == "gt") return cmp > 0;
  if (op == ">=" || op == "ge") return cmp >= 0;
  return Error(ErrorCode::Schema, fmt::format("Invalid operator type ({})", op));
}

}  // namespace sc::controller::jinja
