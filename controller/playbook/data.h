// Data as playbooks see it: variables, facts, registered results and the
// values templates compute. The shape is Python's, because Ansible's is:
// null, bool, int, float, str, list and dict, with dicts keeping the order
// their keys were written in (Python 3.7+ dicts do, and templates that loop
// over a dict print its keys in that order).
#pragma once

#include <nlohmann/json.hpp>

namespace sc::controller {

using Data = nlohmann::ordered_json;

}  // namespace sc::controller
