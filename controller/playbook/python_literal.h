// Python literals as ast.literal_eval() reads them, for INI inventories:
// Ansible's INI plugin passes every variable value (on host lines and in
// [group:vars] sections alike, in 2.14) through literal_eval and keeps the
// text when that fails. So `x=1` is the int 1, `x=True` a bool,
// `x=[1, 'a']` a list, `x='03'` the string "03", `x=0755` the string
// "0755" (a leading zero is a Python syntax error) and `x=yes` the
// string "yes".
//
// What is read: ints (1_000, 0x1F, 0o17, 0b11; no leading zeros), floats
// (1.5, 1., .5, 1e3, 1_0.5), strings in ' " ''' """ with escapes and the
// r/u/b prefixes (adjacent strings concatenate; bytes become text, as
// Ansible's to_text makes them), True, False, None, lists, tuples (as
// lists, which is how Ansible's JSON shows them), dicts (keys as Python's
// str() writes them), unary +/-, parentheses, a top-level bare tuple
// `1, 2`, whitespace and trailing `# comments`.
//
// What is refused with an error rather than guessed: complex numbers,
// sets, `...`, \N{name} escapes, integers outside 64 bits and tuples as
// dict keys, none of which survives Ansible's own JSON output either.
#pragma once

#include <optional>
#include <string_view>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller {

// The literal's value; nullopt when `text` is not a Python literal (the
// caller keeps the text); an error for the refused forms above. `where`
// names the text in errors.
Result<std::optional<Data>> parsePythonLiteral(std::string_view text, const std::string& where);

}  // namespace sc::controller
