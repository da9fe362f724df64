// Running deeply recursive library code where a deep stack cannot crash
// the process. libstdc++'s std::regex matches by recursion, roughly one
// frame per character a repetition consumes: `[\s\S]*` over 60 KB of text
// overflows the default 8 MiB stack and kills the agent. Every regular
// expression a manifest supplies is therefore evaluated through
// runWithLargeStack(), on a helper thread whose 512 MiB stack is reserved,
// not committed: memory is only used as deep as the match goes. Callers
// also cap the text they hand over (limits::kMaxRegexSubjectBytes).
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace sc {

// Runs `fn` to completion on a thread with a large stack. An exception
// thrown by `fn` is rethrown here.
void runOnLargeStack(const std::function<void()>& fn);

template <typename Fn>
auto runWithLargeStack(Fn&& fn) -> std::invoke_result_t<Fn&> {
  using R = std::invoke_result_t<Fn&>;
  if constexpr (std::is_void_v<R>) {
    runOnLargeStack([&] { fn(); });
  } else {
    std::optional<R> result;
    runOnLargeStack([&] { result.emplace(fn()); });
    return std::move(*result);
  }
}

}  // namespace sc
