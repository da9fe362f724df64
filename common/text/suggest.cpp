#include "common/text/suggest.h"

#include <fmt/format.h>

#include <algorithm>

namespace sc::text {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearestName(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = editDistance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return std::string(best);
}

std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  // Every candidate as near as the nearest, so a tie does not hide the
  // intended word ("taks": 'tags' or 'tasks').
  std::size_t best_distance = 3;
  for (const std::string_view candidate : candidates) {
    best_distance = std::min(best_distance, editDistance(word, candidate));
  }
  std::vector<std::string_view> nearest;
  for (const std::string_view candidate : candidates) {
    if (editDistance(word, candidate) == best_distance && best_distance < 3 &&
        std::find(nearest.begin(), nearest.end(), candidate) == nearest.end()) {
      nearest.push_back(candidate);
    }
  }
  if (nearest.empty()) return {};
  std::string names = fmt::format("'{}'", nearest[0]);
  for (std::size_t i = 1; i < nearest.size() && i < 3; ++i) {
    names += fmt::format("{} '{}'", i + 1 == std::min<std::size_t>(nearest.size(), 3) ? " or" : ",",
                         nearest[i]);
  }
  return fmt::format("; did you mean {}?", names);
}

}  // namespace sc::text
