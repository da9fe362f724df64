// regex_replace, regex_search, regex_findall and regex_escape as Ansible
// 2.14 defines them, and the matching helpers the match/search tests use.
#include "controller/jinja/regex.h"

#include <fmt/format.h>

#include "common/large_stack.h"
#include "common/limits.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"

namespace sc::controller::jinja {

Result<PythonRegex> compileRegex(std::string_view pattern, bool ignorecase, bool multiline) {
  return compilePythonRegex(pattern, multiline, ignorecase);
}

namespace {

Result<void> checkSubject(const std::string& subject) {
  if (subject.size() > limits::kMaxRegexSubjectBytes) {
    return Error(ErrorCode::TooLarge,
                 fmt::format("text of {} bytes is over the {} byte limit for regular expressions",
                             subject.size(), limits::kMaxRegexSubjectBytes));
  }
  return ok();
}

RegexMatch toMatch(const std::smatch& m) {
  RegexMatch out;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i].matched) {
      out.groups.emplace_back(m[i].str());
    } else {
      out.groups.emplace_back(std::nullopt);
    }
  }
  return out;
}

// Runs a std::regex operation on a large stack, turning its exceptions
// (complexity, stack) into errors.
template <typename Fn>
auto guarded(Fn&& fn) -> Result<std::invoke_result_t<Fn&>> {
  std::optional<std::string> failure;
  auto result = runWithLargeStack([&]() -> std::optional<std::invoke_result_t<Fn&>> {
    try {
      return fn();
    } catch (const std::regex_error& e) {
      failure = e.what();
      return std::nullopt;
    }
  });
  if (!result)
    return Error(ErrorCode::Schema, fmt::format("regular expression failed: {}", *failure));
  return std::move(*result);
}

}  // namespace

Result<std::optional<RegexMatch>> regexSearch(const PythonRegex& re, const std::string& subject,
                                              RegexAnchor anchor) {
  SC_TRY(checkSubject(subject));
  return guarded([&]() -> std::optional<RegexMatch> {
    std::smatch m;
    if (anchor == RegexAnchor::Full) {
      if (!std::regex_match(subject, m, re.re)) return std::nullopt;
      return toMatch(m);
    }
    const auto flags = anchor == RegexAnchor::Start ? std::regex_constants::match_continuous
                                                    : std::regex_constants::match_default;
    if (!std::regex_search(subject, m, re.re, flags)) return std::nullopt;
    return toMatch(m);
  });
}

Result<std::vector<RegexMatch>> regexFindAll(const PythonRegex& re, const std::string& subject) {
  SC_TRY(checkSubject(subject));
  return guarded([&]() {
    std::vector<RegexMatch> out;
    for (auto it = std::sregex_iterator(subject.begin(), subject.end(), re.re);
         it != std::sregex_iterator(); ++it) {
      out.push_back(toMatch(*it));
    }
    return out;
  });
}

Result<std::string> regexSub(const PythonRegex& re, const std::string& subject,
                             const std::string& replacement) {
  SC_TRY(checkSubject(subject));
  SC_TRY(checkPythonTemplate(replacement, re.re));
  return guarded([&]() {
    std::string out;
    auto last = subject.cbegin();
    for (auto it = std::sregex_iterator(subject.begin(), subject.end(), re.re);
         it != std::sregex_iterator(); ++it) {
      out.append(last, (*it)[0].first);
      out += expandPythonTemplate(replacement, *it);
      last = (*it)[0].second;
    }
    out.append(last, subject.cend());
    return out;
  });
}

namespace {

Result<Value> regexReplace(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("regex_replace", args,
                                   {"pattern", "replacement", "ignorecase", "multiline"}));
  SC_TRY_ASSIGN(auto subject, ev.toText(input));
  SC_TRY_ASSIGN(auto pattern, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto replacement, a.text(ev, 1, ""));
  SC_TRY_ASSIGN(auto re, compileRegex(pattern, a.flag(2, false), a.flag(3, false)));
  SC_TRY_ASSIGN(auto out, regexSub(re, subject, replacement));
  SC_TRY(ev.checkSize(out.size()));
  return Value(std::move(out));
}

Result<Value> regexFindall(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("regex_findall", args, {"regex", "multiline", "ignorecase"}));
  SC_TRY_ASSIGN(auto subject, ev.toText(input));
  SC_TRY_ASSIGN(auto pattern, a.text(ev, 0, ""));
  SC_TRY_ASSIGN(auto re, compileRegex(pattern, a.flag(2, false), a.flag(1, false)));
  SC_TRY_ASSIGN(auto matches, regexFindAll(re, subject));
  // re.findall: the whole match without groups, the group with one, a
  // tuple of groups with several (unmatched groups are '').
  Data out = Data::array();
  const std::size_t groups = re.re.mark_count();
  for (const auto& m : matches) {
    if (groups == 0) {
      out.push_back(m.groups[0].value_or(""));
    } else if (groups == 1) {
      out.push_back(m.groups[1].value_or(""));
    } else {
      Data tuple = Data::array();
      for (std::size_t g = 1; g <= groups; ++g) tuple.push_back(m.groups[g].value_or(""));
      out.push_back(std::move(tuple));
    }
  }
  return Value(std::move(out), groups > 1 ? Shape::ListOfTuples : Shape::Plain);
}

Result<Value> regexSearchFilter(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto subject, ev.toText(input));
  if (args.positional.empty()) return typeError("regex_search() needs a pattern");
  SC_TRY_ASSIGN(auto pattern, ev.toText(args.positional[0]));
  std::vector<std::size_t> wanted;
  for (std::size_t i = 1; i < args.positional.size(); ++i) {
    SC_TRY_ASSIGN(auto arg, ev.toText(args.positional[i]));
    std::string digits;
    if (arg.rfind("\\g<", 0) == 0 && arg.back() == '>') {
      digits = arg.substr(3, arg.size() - 4);
    } else if (arg.rfind("\\", 0) == 0) {
      digits = arg.substr(1);
    } else {
      return typeError("Unknown argument");
    }
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 3) {
      return typeError(
          fmt::format("regex_search: only numbered groups are supported, not '{}'", arg));
    }
    wanted.push_back(std::stoul(digits));
  }
  bool ignorecase = false;
  bool multiline = false;
  for (auto& [key, value] : args.keyword) {
    if (key == "ignorecase") ignorecase = truthy(value);
    if (key == "multiline") multiline = truthy(value);
  }
  SC_TRY_ASSIGN(auto re, compileRegex(pattern, ignorecase, multiline));
  SC_TRY_ASSIGN(auto match, regexSearch(re, subject, RegexAnchor::None));
  if (!match) return Value();  // Python returns None
  if (wanted.empty()) return Value(*match->groups[0]);
  Data out = Data::array();
  for (auto g : wanted) {
    if (g >= match->groups.size()) return typeError("no such group");
    out.push_back(match->groups[g] ? Data(*match->groups[g]) : Data());
  }
  return Value(std::move(out));
}

Result<Value> regexEscape(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("regex_escape", args, {"re_type"}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  SC_TRY_ASSIGN(auto type, a.text(ev, 0, "python"));
  std::string out;
  if (type == "python") {
    // Python 3.7+ re.escape: only regex-special characters are escaped.
    for (char c : s) {
      if (std::string_view("()[]{}?*+-|^$\\.&~# \t\n\r\v\f").find(c) != std::string_view::npos) {
        out += '\\';
      }
      out += c;
    }
  } else if (type == "posix_basic") {
    for (char c : s) {
      if (std::string_view(".[]\\*^$").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  } else {
    return typeError(fmt::format("Invalid regex type ({})", type));
  }
  return Value(std::move(out));
}

}  // namespace

void addRegexFilters(FilterTable& t) {
  t["regex_replace"] = regexReplace;
  t["regex_findall"] = regexFindall;
  t["regex_search"] = regexSearchFilter;
  t["regex_escape"] = regexEscape;
}

}  // namespace sc::controller::jinja
