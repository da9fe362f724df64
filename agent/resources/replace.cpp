#include "agent/resources/replace.h"

#include <optional>

namespace sc::agent {

Result<std::unique_ptr<Resource>> ReplaceResource::create(const manifest::ResourceSpec& spec,
                                                          const ResourceContext& context) {
  std::unique_ptr<ReplaceResource> self(new ReplaceResource(spec, context));
  Params params(spec);
  SC_TRY(self->readCommon(params, /*has_create=*/false));
  SC_TRY_ASSIGN(self->regexp_text_, params.requiredString("regexp"));
  SC_TRY_ASSIGN(self->replace_, params.string("replace", ""));
  SC_TRY_ASSIGN(const auto after, params.optionalString("after"));
  SC_TRY_ASSIGN(const auto before, params.optionalString("before"));
  auto re = compilePythonRegex(self->regexp_text_, /*multiline=*/true);
  if (!re) return params.error("regexp", re.error().message());
  self->regexp_ = std::move(*re);
  // Ansible searches "after(?P<subsection>.*?)before" with DOTALL. The
  // section is found here with the two patterns on their own instead: a
  // `[\s\S]*` spanning the file would recurse once per byte in std::regex.
  if (after) {
    auto compiled = compilePythonRegex(*after, false);
    if (!compiled) return params.error("after", compiled.error().message());
    self->after_ = std::move(*compiled);
  }
  if (before) {
    auto compiled = compilePythonRegex(*before, false);
    if (!compiled) return params.error("before", compiled.error().message());
    self->before_ = std::move(*compiled);
  }
  SC_TRY_ASSIGN(const auto encoding, params.optionalString("encoding"));
  if (encoding && *encoding != "utf-8" && *encoding != "utf8") {
    return params.error("encoding", "only utf-8 is supported");
  }
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> ReplaceResource::validate() const {
  SC_TRY(TextEditResource::validate());
  if (auto checked = checkPythonTemplate(replace_, regexp_->re); !checked) {
    Params params(spec_);
    return params.error("replace", checked.error().message());
  }
  return ok();
}

std::string ReplaceResource::edit(const std::string& current) const {
  std::size_t begin = 0;
  std::size_t end = current.size();
  if (after_) {
    // The section starts where the first match of `after` ends.
    std::smatch match;
    if (!std::regex_search(current, match, after_->re)) return current;
    begin = static_cast<std::size_t>(match.position(0) + match.length(0));
  }
  if (before_) {
    const auto from = current.cbegin() + static_cast<long>(begin);
    std::optional<std::size_t> stop;
    for (std::sregex_iterator it(from, current.cend(), before_->re), done; it != done; ++it) {
      stop = begin + static_cast<std::size_t>(it->position(0));
      // With `after`, the shortest section (.*?): the first `before`; alone,
      // the longest (.*): the last.
      if (after_) break;
    }
    if (!stop) return current;
    end = *stop;
  }
  const std::string section = current.substr(begin, end - begin);
  std::string replaced;
  auto last = section.cbegin();
  for (std::sregex_iterator it(section.begin(), section.end(), regexp_->re), done; it != done;
       ++it) {
    replaced.append(last, (*it)[0].first);
    replaced += expandPythonTemplate(replace_, *it);
    last = (*it)[0].second;
  }
  replaced.append(last, section.cend());
  return current.substr(0, begin) + replaced + current.substr(end);
}

}  // namespace sc::agent
