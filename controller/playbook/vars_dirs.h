// group_vars/ and host_vars/ directories, read as Ansible's host_group_vars
// vars plugin reads them. For a group or host NAME under BASE/group_vars
// (or BASE/host_vars), the first of these that exists is used:
//   NAME            a file (YAML), or a directory: every file below it with
//                   no extension or .yml/.yaml/.json, in sorted order,
//                   descending into subdirectories without an extension,
//                   skipping names that start with '.' or end with '~'
//   NAME.yml, NAME.yaml, NAME.json
// Files merge in that order, later keys replacing earlier ones (Ansible's
// default hash_behaviour=replace); an empty file adds nothing. A file must
// hold one YAML mapping; anything else is an error naming the file. A
// missing group_vars/ or host_vars/ is no error, and a name starting with
// '/' is never looked up (Ansible skips "chroot"-like host names).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller {

// The merged variables of `name` from `base`/`subdir` ("group_vars" or
// "host_vars"); an empty object when there are none.
Result<Data> loadVarsDir(const std::string& base, std::string_view subdir, const std::string& name);

}  // namespace sc::controller
