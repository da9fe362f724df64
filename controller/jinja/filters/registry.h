// The filters and tests templates may use, by name. Each family of filters
// lives in its own file and adds itself through one add*() function called
// from registry.cpp (an explicit list, no static self-registration). A name
// not in the table is an error naming it: templates that use a filter this
// engine does not have fail to compile rather than render something else.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "controller/jinja/evaluator.h"

namespace sc::controller::jinja {

using FilterFn = Result<Value> (*)(Evaluator& ev, Value input, CallArgs& args);
using TestFn = Result<bool> (*)(Evaluator& ev, const Value& input, CallArgs& args);
using FilterTable = std::map<std::string, FilterFn, std::less<>>;
using TestTable = std::map<std::string, TestFn, std::less<>>;

// Null when unknown. "ansible.builtin.x" finds "x".
const FilterFn* findFilter(std::string_view name);
const TestFn* findTest(std::string_view name);
// `default`, `d` and `mandatory` receive undefined input; every other filter
// raises the undefined error first.
bool filterAcceptsUndefined(std::string_view name);

void addCoreFilters(FilterTable& table);        // filters/core.cpp
void addStringFilters(FilterTable& table);      // filters/strings.cpp
void addCollectionFilters(FilterTable& table);  // filters/collections.cpp
void addSelectFilters(FilterTable& table);      // filters/select.cpp
void addSerializeFilters(FilterTable& table);   // filters/serialize.cpp
void addEncodingFilters(FilterTable& table);    // filters/encoding.cpp
void addRegexFilters(FilterTable& table);       // filters/regex.cpp
void addTests(TestTable& table);                // tests.cpp

}  // namespace sc::controller::jinja
