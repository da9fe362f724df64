// Runs sc-agent as a child for each pushed manifest and each facts
// request: the daemon (sc-agentd) stays small (its idle RSS is a target) and a run that
// crashes or leaks takes nothing of the session with it. The child's stdout
// is read line by line on the session's event loop, so its progress
// streams while heartbeats keep flowing.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sc::agent::session {

// The program `name` in the directory of the running one: sc-agentd runs
// the sc-agent installed beside it for each child, and `sc-agent run`
// becomes the sc-agentd beside it.
std::string siblingProgram(std::string_view name);

// Starts `argv` (stdin /dev/null, stderr inherited), hands each stdout line
// (without its newline, at most `max_line` bytes) to `on_line`, and returns
// the exit status (128+N when killed by signal N).
boost::asio::awaitable<Result<int>> runChild(const std::vector<std::string>& argv,
                                             std::function<void(std::string_view)> on_line,
                                             std::size_t max_line);

}  // namespace sc::agent::session
