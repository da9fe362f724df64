// SECURITY.md F-17: the controller restarted with a large fleet connected.
// tests/tools/fleet_simulator holds 2,000 agents in one process, each with
// its own certificate and sc-agent's reconnection policy; `scctl serve`
// caps the handshakes in flight at 64. After the restart every agent comes
// back, the reconnections spread out instead of arriving as one wave, and
// the controller's memory stays bounded.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

class FleetRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const RunResult init = runProgram(
        {SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "init", "--name", "127.0.0.1"});
    ASSERT_EQ(init.exit_code, 0) << init.describe();
    ASSERT_NO_FATAL_FAILURE(startController());
  }

  void startController() {
    stdfs::remove(dir_.path() / "port");
    controller_ = std::make_unique<Process>(
        std::vector<std::string>{SC_SCCTL_BIN,
                                 "serve",
                                 "--ca-dir",
                                 caDir().string(),
                                 "--listen",
                                 "127.0.0.1",
                                 "--port",
                                 std::to_string(port_),
                                 "--port-file",
                                 (dir_.path() / "port").string(),
                                 "--admin-socket",
                                 (dir_.path() / "admin.sock").string(),
                                 "--max-handshakes",
                                 "64",
                                 "--heartbeat",
                                 "10",
                                 "--idle-timeout",
                                 "60",
                                 "--db",
                                 (dir_.path() / "controller.db").string()});
    for (int i = 0; i < 400 && !stdfs::exists(dir_.path() / "port"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(stdfs::exists(dir_.path() / "port")) << controller_->wait(1s).describe();
    port_ = static_cast<std::uint16_t>(std::stoi(*readFile(dir_.path() / "port")));
  }

  // VmHWM of the controller, in KiB.
  std::size_t controllerPeakKib() const {
    const auto status = readFile(fmt::format("/proc/{}/status", controller_->pid()));
    const auto at = status ? status->find("VmHWM:") : std::string::npos;
    return at == std::string::npos ? 0 : std::stoul(status->substr(at + 6));
  }

  stdfs::path caDir() const { return dir_.path() / "ca"; }

  TempDir dir_;
  std::unique_ptr<Process> controller_;
  std::uint16_t port_ = 0;
};

TEST_F(FleetRestartTest, TwoThousandAgentsComeBackSpreadOut) {
  const auto ready = dir_.path() / "ready";
  const auto report_file = dir_.path() / "report.json";
  // The short form of the check (CI): the backoff bounds of the shipped
  // unit divided by 15 (1 s to 300 s -> 0.067 s to 20 s), sessions
  // healthy after 5 s. The splay is the unit's 30 s and a margin: it is
  // meant to exceed the time the controller needs to take the fleet back,
  // and this sanitizer build, sharing two cores with other tests,
  // handshakes 40 to 80 agents a second.
  Process fleet({SC_FLEET_SIMULATOR_BIN,
                 "--ca-dir",
                 caDir().string(),
                 "--port",
                 std::to_string(port_),
                 "--agents",
                 "2000",
                 "--backoff",
                 "0.067",
                 "--backoff-cap",
                 "20",
                 "--healthy",
                 "5",
                 "--splay",
                 "40",
                 "--deadline",
                 "300",
                 "--ready-file",
                 ready.string(),
                 "--report-file",
                 report_file.string()});
  for (int i = 0; i < 1800 && !stdfs::exists(ready); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(stdfs::exists(ready)) << "the fleet never connected: " << fleet.wait(1s).describe();
  std::this_thread::sleep_for(6s);  // every session healthy
  const std::size_t first_peak = controllerPeakKib();

  const auto stopping = std::chrono::steady_clock::now();
  controller_->kill(SIGTERM);
  ASSERT_EQ(controller_->wait(30s).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(startController());
  const auto listening = std::chrono::steady_clock::now();
  const RunResult ran = fleet.wait(330s);
  const std::size_t second_peak = controllerPeakKib();
  ASSERT_EQ(ran.exit_code, 0) << ran.describe() << readFile(report_file).value_or("");
  const auto report = nlohmann::json::parse(*readFile(report_file));
  SCOPED_TRACE(report.dump());
  EXPECT_EQ(report["lost"], 2000);
  EXPECT_EQ(report["reconnected"], 2000);  // no agent gives up
  // From the new controller listening to the last agent back: the
  // reconnection window, well inside ten minutes.
  const auto at = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  const double window = report["last_back_at"].get<double>() - at(listening);
  RecordProperty("controller_restart_s", std::to_string(at(listening) - at(stopping)));
  RecordProperty("window_s", std::to_string(window));
  RecordProperty("p5_s", std::to_string(report["p5_back_at"].get<double>() - at(listening)));
  RecordProperty("p95_s", std::to_string(report["p95_back_at"].get<double>() - at(listening)));
  RecordProperty("peak_kib", std::to_string(first_peak) + " then " + std::to_string(second_peak));
  EXPECT_LT(window, 90.0);
  // Spread out over it, not one wave.
  EXPECT_GE(report["p95_back_at"].get<double>() - report["p5_back_at"].get<double>(), window / 2);
  // The restarted controller, having taken the whole fleet back through
  // 64 handshake slots, holds no more than the first did.
  EXPECT_GT(second_peak, 0u);
  EXPECT_LT(second_peak, first_peak * 3 / 2) << first_peak << " KiB then " << second_peak;
}

}  // namespace
}  // namespace sc::testing
