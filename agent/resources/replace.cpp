#include "agent/resources/replace.h"

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
  if (after || before) {
    // Ansible builds "after(?P<subsection>.*?)before" with DOTALL; ECMAScript
    // has no DOTALL, so the section uses [\s\S] and group 1.
    std::string pattern;
    if (after && before) {
      pattern = *after + "([\\s\\S]*?)" + *before;
    } else if (after) {
      pattern = *after + "([\\s\\S]*)";
    } else {
      pattern = "([\\s\\S]*)" + *before;
    }
    auto section = compilePythonRegex(pattern, false);
    if (!section) return params.error(after ? "after" : "before", section.error().message());
    self->section_ = std::move(*section);
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
  if (section_) {
    std::smatch match;
    if (!std::regex_search(current, match, section_->re)) return current;
    begin = static_cast<std::size_t>(match.position(1));
    end = begin + static_cast<std::size_t>(match.length(1));
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
