#include "controller/jinja/filters/registry.h"

#include <set>

namespace sc::controller::jinja {
namespace {

// Filters and tests Ansible itself defines answer to "ansible.builtin.x"
// too; Jinja2's own (upper, default, defined...) do not, in Ansible either.
const std::set<std::string_view>& ansibleNames() {
  static const std::set<std::string_view> names = {"b64decode",
                                                   "b64encode",
                                                   "to_json",
                                                   "to_nice_json",
                                                   "from_json",
                                                   "to_yaml",
                                                   "to_nice_yaml",
                                                   "basename",
                                                   "dirname",
                                                   "expanduser",
                                                   "path_join",
                                                   "realpath",
                                                   "splitext",
                                                   "md5",
                                                   "sha1",
                                                   "checksum",
                                                   "password_hash",
                                                   "hash",
                                                   "regex_replace",
                                                   "regex_escape",
                                                   "regex_search",
                                                   "regex_findall",
                                                   "ternary",
                                                   "mandatory",
                                                   "comment",
                                                   "type_debug",
                                                   "combine",
                                                   "flatten",
                                                   "dict2items",
                                                   "items2dict",
                                                   "subelements",
                                                   "split",
                                                   "bool",
                                                   "quote",
                                                   "unique",
                                                   "intersect",
                                                   "difference",
                                                   "symmetric_difference",
                                                   "union",
                                                   "min",
                                                   "max",
                                                   "zip",
                                                   "zip_longest",
                                                   "failed",
                                                   "failure",
                                                   "succeeded",
                                                   "success",
                                                   "successful",
                                                   "changed",
                                                   "change",
                                                   "skipped",
                                                   "skip",
                                                   "match",
                                                   "search",
                                                   "regex",
                                                   "version",
                                                   "version_compare"};
  return names;
}

std::string_view shortName(std::string_view name) {
  for (std::string_view prefix : {"ansible.builtin.", "ansible.legacy."}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    const auto rest = name.substr(prefix.size());
    return ansibleNames().count(rest) ? rest : name;
  }
  return name;
}

const FilterTable& filters() {
  static const FilterTable table = [] {
    FilterTable t;
    addCoreFilters(t);
    addStringFilters(t);
    addCollectionFilters(t);
    addSelectFilters(t);
    addSerializeFilters(t);
    addEncodingFilters(t);
    addRegexFilters(t);
    return t;
  }();
  return table;
}

const TestTable& tests() {
  static const TestTable table = [] {
    TestTable t;
    addTests(t);
    return t;
  }();
  return table;
}

}  // namespace

const FilterFn* findFilter(std::string_view name) {
  auto it = filters().find(shortName(name));
  return it == filters().end() ? nullptr : &it->second;
}

const TestFn* findTest(std::string_view name) {
  auto it = tests().find(shortName(name));
  return it == tests().end() ? nullptr : &it->second;
}

bool filterAcceptsUndefined(std::string_view name) {
  const auto n = shortName(name);
  return n == "default" || n == "d" || n == "mandatory";
}

}  // namespace sc::controller::jinja
