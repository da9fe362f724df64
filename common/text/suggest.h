// "Did you mean ...?" for misspelt names: kinds, modules, keywords,
// filters. A suggestion is offered only when it is close enough to be the
// likely intent (at most two edits away).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sc::text {

// Levenshtein distance between two byte strings.
std::size_t editDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, or empty when none is within two edits.
// Ties go to the first candidate in the list.
std::string nearestName(std::string_view word, const std::vector<std::string_view>& candidates);

// "; did you mean 'copy'?" (or "'tags' or 'tasks'" on a tie, at most three)
// or empty: ready to append to a message.
std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace sc::text
