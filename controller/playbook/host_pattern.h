// Host patterns, for a play's `hosts:` and for `--limit`, evaluated as
// Ansible 2.14's InventoryManager does:
//
//   all, *               every host of the inventory (not the implicit
//                        localhost)
//   web, db1             a group (its hosts and those of its children) or
//                        a host, by exact name
//   web*, db?, [ab]x     shell wildcards (fnmatch, case-sensitive) over
//                        group names and host names
//   ~web\d+              a regular expression, matched from the start of
//                        the name (Python's re.match; here ECMAScript
//                        syntax, which agrees on common expressions)
//   a,b  a:b             union; a pattern holding a ',' is split only at
//                        commas, one without is split at ':' unless it is
//                        an address such as web1:22 or fe80::1
//   a:&b                 intersection;  a:!b  exclusion
//   web[0] web[-1]       one host of what `web` matches, by position;
//   web[1:3] web[2:]     an inclusive slice (web[1-3] also works, with a
//                        warning, as in Ansible)
//
// Order is Ansible's: plain patterns first, in order, then the `&` ones,
// then the `!` ones, whatever order they were written in; with only `&`
// and `!` patterns, `all` comes first. Results keep the order of the
// first plain pattern that found each host, without duplicates.
//
// A pattern matching nothing is not an error, as in Ansible's default
// (host_pattern_mismatch = warning): it adds the warning "Could not match
// supplied host pattern, ignoring: NAME" and contributes no hosts. A
// subscript past the end of what matched is an error ("No hosts matched
// the subscripted pattern 'web[5]'"), as are invalid regular expressions.
//
// localhost, 127.0.0.1 and ::1 match the implicit localhost when the
// inventory has no such host (inventory.h); the result then holds that
// name, and findHost() on it is null.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/playbook/inventory.h"

namespace sc::controller {

struct HostSelection {
  std::vector<std::string> hosts;
  std::vector<std::string> warnings;
};

// Ansible's split_host_pattern(): the single patterns of one expression.
std::vector<std::string> splitHostPattern(std::string_view pattern);

// The hosts `patterns` select (each split with splitHostPattern; a play's
// `hosts:` list gives several), narrowed by `limits` (the --limit
// values; `@file` reads one pattern per line from the file).
Result<HostSelection> selectHosts(const Inventory& inventory,
                                  const std::vector<std::string>& patterns,
                                  const std::vector<std::string>& limits = {});

}  // namespace sc::controller
