// Host entries as Ansible's inventory plugins read them: an optional
// `:port` suffix and `[x:y]` ranges, shared by the INI and YAML loaders.
//
//   web[01:03].example.com  ->  web01..web03 (a leading zero pads to the
//                                width of the start; start and end must
//                                then have the same width)
//   db-[a:c]                ->  db-a db-b db-c (letters run a..z then A..Z)
//   n[1:10:3]               ->  n1 n4 n7 n10 (a step)
//   x[1:2]-[a:b]            ->  x1-a x1-b x2-a x2-b (several ranges)
//   db1:2222                ->  db1, port 2222
//   [2001:db8::1]:22        ->  2001:db8::1, port 22
// A port is split off only when what is left is a valid host name, IPv4
// or IPv6 address (possibly with ranges); otherwise the whole text is the
// name, as in Ansible's parse_address(). The host name check is a close
// approximation of Ansible's regular expressions (labels of letters,
// digits, '_' and '-', not ending in '-' or '_').
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sc::controller {

struct HostEntry {
  std::vector<std::string> names;
  std::optional<int> port;
};

// Splits the port and expands ranges. `where` names the entry in errors
// (a bad range: "host range must be begin:end or begin:end:step", ...).
Result<HostEntry> expandHostEntry(std::string_view text, const std::string& where);

// Whether `text` parses as an address with an optional port (Ansible's
// parse_address with ranges allowed); host patterns use it to decide
// whether ':' separates patterns.
bool isHostAddress(std::string_view text);

}  // namespace sc::controller
