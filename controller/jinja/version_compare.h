// Ansible's `version` test (version_compare): LooseVersion, StrictVersion
// and semantic versions compared with eq/ne/lt/le/gt/ge or their symbols.
// A comparison Python would fail (a number against letters in loose mode,
// a malformed strict version) is an error, as it is in Ansible.
#pragma once

#include <string_view>

#include "common/error.h"

namespace sc::controller::jinja {

Result<bool> versionCompare(std::string_view left, std::string_view right, std::string_view op,
                            std::string_view type);

}  // namespace sc::controller::jinja
