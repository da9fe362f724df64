#include "agent/session/child_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "common/fs/unique_fd.h"

extern char** environ;

namespace sc::agent::session {
namespace {

namespace asio = boost::asio;
constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);

}  // namespace

std::string siblingProgram(std::string_view name) {
  std::string path(4096, '\0');
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) return std::string(name);
  path.resize(static_cast<std::size_t>(length));
  return (std::filesystem::path(path).parent_path() / name).string();
}

asio::awaitable<Result<int>> runChild(const std::vector<std::string>& argv,
                                      std::function<void(std::string_view)> on_line,
                                      std::size_t max_line) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) co_return errnoError(errno, "cannot make a pipe");
  fs::UniqueFd read_end(fds[0]);
  fs::UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  // Nothing else of the daemon's: above all not the session's socket (Asio
  // opens it without O_CLOEXEC), which a child still running would keep
  // open after the daemon died, hiding the lost session from the controller.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (spawned != 0) co_return errnoError(spawned, "cannot start", argv.front());

  asio::posix::stream_descriptor out(co_await asio::this_coro::executor, read_end.release());
  std::string buffer;
  for (;;) {
    const auto [ec, length] = co_await asio::async_read_until(
        out, asio::dynamic_buffer(buffer, max_line + 1), '\n', kTupleAwaitable);
    if (ec) break;  // end of output (or a line over max_line): the child is ending
    on_line(std::string_view(buffer).substr(0, length - 1));
    buffer.erase(0, length);
  }
  out.close();
  int status = 0;
  // The child closed its stdout, so it is exiting; a signal is its end too.
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) co_return 128 + WTERMSIG(status);
  co_return WEXITSTATUS(status);
}

}  // namespace sc::agent::session
