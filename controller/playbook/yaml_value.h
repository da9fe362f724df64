// Typing loaded YAML the way Ansible sees it. Ansible reads YAML with
// PyYAML's SafeLoader (YAML 1.1 resolution) plus its own tags, so a plain
// `yes` is a bool, `0755` is the int 493 and `1:30` is the int 90, while
// anything quoted stays a string. toData() turns a yaml::Node into Data
// with exactly those rules:
//
//   plain scalars   null: ~ null Null NULL and the empty scalar
//                   bool: yes Yes YES no No NO true True TRUE false False
//                         FALSE on On ON off Off OFF (nothing else: not y/n)
//                   int:  1_000, 0b1010, 0755 (octal), 0x1F, 1:30 (base 60);
//                         0o17 is a string, as in YAML 1.1
//                   float: 1.5, 1_000.5, 6.8523015e+5 (the exponent needs
//                         its sign: 1e5 and 1.0e5 are strings), .5, 1.,
//                         .inf -.inf .nan, 1:30.5 (base 60)
//                   date: 2024-01-02 becomes the string "2024-01-02", which
//                         is what Ansible prints for the datetime.date PyYAML
//                         builds (str() and the JSON encoder agree on it);
//                         a timestamp with a time of day is refused, because
//                         Ansible prints it two ways ("2001-12-14 21:59:43"
//                         in templates, "2001-12-14T21:59:43" in JSON): quote
//                         it to get a string
//                   anything else is a string
//   quoted and block scalars are strings.
//   explicit tags   !!str !!int !!float !!bool !!null !!timestamp !!seq !!map
//                   convert as PyYAML does; !!binary, !!set, !!omap, !!pairs
//                   and Python tags are refused.
//                   !unsafe: Ansible marks the value so that templating
//                   never evaluates it. Data cannot carry that mark yet, so
//                   an !unsafe value is accepted only when no string in it
//                   holds "{{", "{%" or "{#" (then marking changes nothing);
//                   otherwise it is an error rather than a silent template
//                   evaluation of, say, a password.
//                   !vault / !vault-encrypted: "vault-encrypted values are
//                   not supported".
//                   any other tag is an error.
//   mapping keys    are typed like values, then written as Python's str()
//                   writes them, because Data keys are strings: `1:` is "1",
//                   `yes:` is "True", `~:` is "None", `1.5:` is "1.5". Two keys
//                   that type alike (`yes:` and `True:`, or `1:` and `"1":`)
//                   are an error, where PyYAML would keep the last one or keep
//                   both. Sequences and mappings as keys are errors.
// Integers outside the signed 64-bit range are errors (Python has no
// limit; nothing in a playbook needs them). Every error names the node's
// file:line:col.
#pragma once

#include <string>

#include "common/error.h"
#include "controller/playbook/data.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller {

// The value Ansible would see for `node`.
Result<Data> toData(const yaml::Node& node);

// Types one plain (unquoted, untagged) scalar by the YAML 1.1 rules above.
// `where` names it in errors.
Result<Data> resolvePlainScalar(const std::string& text, const std::string& where);

// Python's str() of a scalar value, as Ansible would turn a non-string
// dict key into text: "1", "True", "None", "1.5", "1e+16". Strings come
// back unchanged.
std::string pythonKeyText(const Data& value);

// Python's repr() of a float: the shortest text that reads back the same
// value, "1.0" not "1", exponent form below 1e-4 and from 1e16.
std::string pythonFloatRepr(double value);

}  // namespace sc::controller
