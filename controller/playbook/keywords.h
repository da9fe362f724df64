// The words Ansible gives a meaning to in plays, blocks, tasks, handlers
// and role entries (Ansible 2.14's playbook keywords). A key that is not a
// keyword of its place is a module name (tasks), a role parameter (role
// entries) or an error (plays, blocks), so these tables decide what a typo
// turns into: "unknown play keyword 'taks'; did you mean 'tasks'?".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc::controller::playbook {

enum class Place { Play, Block, Task, Handler, RoleEntry };

bool isKeyword(Place place, std::string_view word);
const std::vector<std::string_view>& keywords(Place place);

// Keywords modern Ansible removed, with what to write instead: `sudo:` ->
// "use become:". Empty when `word` is not one of them.
std::string_view legacyReplacement(Place place, std::string_view word);

// `with_items` -> "items". Empty when `word` is not a with_ loop.
std::string_view withLoopLookup(std::string_view word);

}  // namespace sc::controller::playbook
