// Myers' O(ND) difference algorithm ("An O(ND) Difference Algorithm and Its
// Variations", 1986) over lines, then hunks in the unified format.
#include "common/text/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sc::text {
namespace {

// Beyond this many changed lines the diff is summarised. The saved
// frontiers take 8 * D^2 bytes: 1500 keeps the worst case near 18 MB.
constexpr long kMaxEditDistance = 1500;
constexpr std::size_t kContext = 3;

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

enum class Op { Keep, Remove, Add };
struct Edit {
  Op op;
  std::size_t line;  // index into before (Keep/Remove) or after (Add)
};

// Returns the edit script, or nothing when the distance exceeds the cap.
bool myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
           std::vector<Edit>& script) {
  const long n = static_cast<long>(a.size());
  const long m = static_cast<long>(b.size());
  const long max = std::min(n + m, kMaxEditDistance);
  const long offset = max + 1;
  std::vector<long> v(static_cast<std::size_t>(2 * max + 3), 0);
  std::vector<std::vector<long>> trace;
  long found_d = -1;
  for (long d = 0; d <= max && found_d < 0; ++d) {
    // Only the diagonals -d..d of the frontier matter when walking back.
    trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
    for (long k = -d; k <= d; k += 2) {
      const auto at = [&](long kk) -> long& { return v[static_cast<std::size_t>(kk + offset)]; };
      long x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      long y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      at(k) = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
  }
  if (found_d < 0) return false;
  // Walk back through the saved frontiers.
  long x = n;
  long y = m;
  std::vector<Edit> reversed;
  for (long d = found_d; d > 0; --d) {
    const auto& prev = trace[static_cast<std::size_t>(d)];
    const auto at = [&](long kk) { return prev[static_cast<std::size_t>(kk + d)]; };
    const long k = x - y;
    const bool down = (k == -d || (k != d && at(k - 1) < at(k + 1)));
    const long prev_k = down ? k + 1 : k - 1;
    const long prev_x = at(prev_k);
    const long prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      reversed.push_back({Op::Keep, static_cast<std::size_t>(--x)});
      --y;
    }
    if (down) {
      reversed.push_back({Op::Add, static_cast<std::size_t>(--y)});
    } else {
      reversed.push_back({Op::Remove, static_cast<std::size_t>(--x)});
    }
  }
  while (x > 0 && y > 0) {
    reversed.push_back({Op::Keep, static_cast<std::size_t>(--x)});
    --y;
  }
  script.assign(reversed.rbegin(), reversed.rend());
  return true;
}

void appendLine(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unifiedDiff(std::string_view before, std::string_view after,
                        std::string_view before_label, std::string_view after_label) {
  if (before == after) return {};
  const auto a = splitLines(before);
  const auto b = splitLines(after);
  std::vector<Edit> script;
  std::string out = fmt::format("--- {}\n+++ {}\n", before_label, after_label);
  if (!myers(a, b, script)) {
    out += fmt::format("@@ too many changes to show: {} lines before, {} after @@\n", a.size(),
                       b.size());
    return out;
  }
  // Group edits into hunks with kContext lines of context around changes.
  std::size_t i = 0;
  while (i < script.size()) {
    while (i < script.size() && script[i].op == Op::Keep) ++i;
    if (i == script.size()) break;
    std::size_t start = i >= kContext ? i - kContext : 0;
    std::size_t end = i;
    std::size_t keep_run = 0;
    while (end < script.size()) {
      if (script[end].op == Op::Keep) {
        if (++keep_run > 2 * kContext) break;
      } else {
        keep_run = 0;
      }
      ++end;
    }
    // Trim trailing context to kContext lines.
    std::size_t trailing = 0;
    while (end > 0 && script[end - 1].op == Op::Keep && trailing < keep_run) {
      --end;
      ++trailing;
    }
    end = std::min(script.size(), end + std::min<std::size_t>(trailing, kContext));
    // Line numbers of the hunk in before and after.
    std::size_t a_line = 0;
    std::size_t b_line = 0;
    for (std::size_t j = 0; j < start; ++j) {
      if (script[j].op != Op::Add) ++a_line;
      if (script[j].op != Op::Remove) ++b_line;
    }
    std::size_t a_count = 0;
    std::size_t b_count = 0;
    std::string body;
    for (std::size_t j = start; j < end; ++j) {
      switch (script[j].op) {
        case Op::Keep:
          ++a_count;
          ++b_count;
          appendLine(body, ' ', a[script[j].line]);
          break;
        case Op::Remove:
          ++a_count;
          appendLine(body, '-', a[script[j].line]);
          break;
        case Op::Add:
          ++b_count;
          appendLine(body, '+', b[script[j].line]);
          break;
      }
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_count ? a_line + 1 : a_line, a_count,
                       b_count ? b_line + 1 : b_line, b_count);
    out += body;
    i = end;
  }
  return out;
}

}  // namespace sc::text
