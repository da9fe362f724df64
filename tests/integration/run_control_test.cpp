// SECURITY.md F-08 (two runs at once) and F-09 (hung child): the state
// directory lock and command timeouts, with the real sc-agent.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {
using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json commandResource(const std::string& id, std::vector<std::string> argv) {
  return {{"id", id}, {"type", "command"}, {"params", {{"argv", std::move(argv)}}}};
}

// Waits (bounded) until the lock file names a running holder.
bool waitForLockHolder(const std::filesystem::path& state_dir, pid_t pid, milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  const std::string mark = fmt::format("{} running\n", pid);
  while (std::chrono::steady_clock::now() < end) {
    if (readFile(state_dir / "lock").value_or("") == mark) return true;
    // No event to wait on for a file's content: poll at a short interval.
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

void killAll(const std::vector<std::string>& argv) {
  for (pid_t pid : processesWithCmdline(argv)) ::kill(pid, SIGKILL);
}

class RunLockTest : public ::testing::Test, public AgentFixture {};

// F-08: the second run exits 5 fast naming the holder; the lock goes with a
// SIGKILLed holder.
TEST_F(RunLockTest, SecondRunIsRefusedAndTheLockDiesWithItsHolder) {
  const std::vector<std::string> sleeper{"/bin/sleep", "3.0808"};
  struct Cleanup {
    std::vector<std::string> argv;
    ~Cleanup() { killAll(argv); }
  } cleanup{sleeper};
  const auto slow = manifest({commandResource("slow", sleeper)});
  Process holder(applyArgv(writeManifest(slow), {}));
  ASSERT_TRUE(waitForLockHolder(stateDir(), holder.pid(), seconds(20)))
      << holder.wait(milliseconds(0)).describe();

  const auto quick = manifest({copy("quick", "/quick.txt", "quick\n")});
  const RunResult second = apply(quick, {}, {}, seconds(10));
  EXPECT_EQ(second.exit_code, 5) << second.describe();
  EXPECT_LT(second.seconds, 1.0);
  EXPECT_NE(second.err.find(fmt::format("run in progress (pid {})", holder.pid())),
            std::string::npos)
      << second.err;
  EXPECT_FALSE(std::filesystem::exists(real("/quick.txt")));

  holder.kill(SIGKILL);
  const RunResult killed = holder.wait(seconds(10));
  EXPECT_EQ(killed.signal, SIGKILL);
  const RunResult next = apply(quick, {"--json"}, {}, seconds(30));
  ASSERT_EQ(next.exit_code, 0) << next.describe();
  EXPECT_TRUE(parseReport(next.out).value("previous_run_interrupted", false));
  EXPECT_EQ(readFile(real("/quick.txt")), "quick\n");
}

class TimeoutTest : public ::testing::Test, public AgentFixture {
 protected:
  // Runs `manifest` with `extra` arguments, expecting resource `id` to fail
  // with reason "timeout" within limit + 5 s and nothing left running.
  void expectTimeout(const nlohmann::json& manifest, const std::vector<std::string>& extra,
                     const std::vector<std::vector<std::string>>& children, int limit) {
    struct Cleanup {
      std::vector<std::vector<std::string>> argvs;
      ~Cleanup() {
        for (const auto& argv : argvs) killAll(argv);
      }
    } cleanup{children};
    std::vector<std::string> args{"--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult result = apply(manifest, args, {}, seconds(limit + 30));
    EXPECT_LT(result.seconds, limit + 5.0) << result.describe();
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    const auto report = parseReport(result.out);
    EXPECT_EQ(reasonOf(report, "hang"), "timeout") << result.out;
    for (const auto& argv : children) {
      EXPECT_EQ(processesWithCmdline(argv), std::vector<pid_t>{})
          << "orphan: " << argv[0] << " " << argv[1];
    }
    // The lock was released and the run marked finished.
    const RunResult next = apply(AgentFixture::manifest({copy("after", "/after.txt", "x")}),
                                 {"--json"}, {}, seconds(30));
    EXPECT_EQ(next.exit_code, 0) << next.describe();
    EXPECT_FALSE(parseReport(next.out).value("previous_run_interrupted", false));
  }
};

// F-09: a per-command timeout kills the command's whole process group.
TEST_F(TimeoutTest, CommandTimeoutKillsTheProcessGroup) {
  const std::vector<std::string> direct{"/bin/sleep", "1000000"};
  auto hang = commandResource("hang", direct);
  hang["params"]["timeout"] = 2;
  expectTimeout(manifest({hang}), {}, {direct}, 2);

  // A grandchild in the same group dies too.
  const std::vector<std::string> grandchild{"/bin/sleep", "1000001"};
  auto shell = commandResource("hang", {"/bin/sh", "-c", "/bin/sleep 1000001 & wait"});
  shell["params"]["timeout"] = 2;
  expectTimeout(manifest({shell}), {}, {grandchild}, 2);
}

// F-09: the whole-run --timeout limits a command without its own timeout.
TEST_F(TimeoutTest, RunTimeoutKillsTheCommand) {
  const std::vector<std::string> direct{"/bin/sleep", "1000002"};
  expectTimeout(manifest({commandResource("hang", direct)}), {"--timeout", "2"}, {direct}, 2);
}

}  // namespace
}  // namespace sc::testing
