// The daemons' settings files (common/config): values fill the options the
// command line left unset, and every mistake names the file and line.
#include "common/config/settings_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::config {
namespace {

class SettingsFileTest : public ::testing::Test {
 protected:
  SettingsFileTest() {
    command_.add_option("--state-dir", state_dir_);
    command_.add_option("--backoff-cap", backoff_cap_)->check(CLI::Range(0.01, 86400.0));
    command_.add_option("--allow-path", allow_paths_);
    command_.add_flag("--allow-tls12", allow_tls12_);
    command_.add_option("--config", config_);
  }

  // Parses `argv` (after the program name), then applies `yaml`.
  Result<void> load(const std::string& yaml, std::vector<std::string> argv = {}) {
    const auto path = dir_.path() / "agent.yml";
    std::ofstream(path) << yaml;
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    command_.parse(reversed);
    return applySettingsFile(command_, path.string());
  }

  std::string path() const { return (dir_.path() / "agent.yml").string(); }

  sc::testing::TempDir dir_;
  CLI::App command_{"test"};
  std::string state_dir_ = "default";
  double backoff_cap_ = 300;
  std::vector<std::string> allow_paths_;
  bool allow_tls12_ = false;
  std::string config_;
};

TEST_F(SettingsFileTest, ValuesFillWhatTheCommandLineLeftUnset) {
  auto loaded = load(
      "state_dir: /var/lib/x\n"
      "backoff-cap: 12.5\n"
      "allow_path: [/srv/www, /etc/nginx]\n"
      "allow_tls12: true\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(state_dir_, "/var/lib/x");
  EXPECT_EQ(backoff_cap_, 12.5);
  EXPECT_EQ(allow_paths_, (std::vector<std::string>{"/srv/www", "/etc/nginx"}));
  EXPECT_TRUE(allow_tls12_);
}

TEST_F(SettingsFileTest, TheCommandLineWins) {
  auto loaded = load("state_dir: /from/file\nbackoff_cap: 7\n", {"--state-dir", "/from/cli"});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(state_dir_, "/from/cli");
  EXPECT_EQ(backoff_cap_, 7);
}

TEST_F(SettingsFileTest, MistakesNameTheFileAndLine) {
  const auto error = [&](const std::string& yaml) {
    auto loaded = load(yaml);
    return loaded ? std::string("(accepted)") : loaded.error().describe();
  };
  const std::string unknown = error("state_dir: /x\nstate_dri: /y\n");
  EXPECT_NE(unknown.find(path() + ":2"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("unknown setting 'state_dri'; did you mean 'state-dir'?"),
            std::string::npos)
      << unknown;
  const std::string range = error("\nbackoff_cap: -3\n");
  EXPECT_NE(range.find(path() + ":2"), std::string::npos) << range;
  EXPECT_NE(range.find("'backoff_cap'"), std::string::npos) << range;
  EXPECT_NE(error("state_dir: [/a, /b]\n").find("takes one value"), std::string::npos);
  EXPECT_NE(error("state_dir:\n  nested: 1\n").find("needs a value"), std::string::npos);
  EXPECT_NE(error("- a list\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(error("state_dir: [unclosed\n").find(path() + ":"), std::string::npos);
  EXPECT_NE(error("config: /etc/other.yml\n").find("unknown setting"), std::string::npos);
  EXPECT_NE(error("allow_tls12: maybe\n").find("allow_tls12"), std::string::npos);
  EXPECT_EQ(applySettingsFile(command_, (dir_.path() / "none.yml").string()).error().code(),
            ErrorCode::NotFound);
}

TEST_F(SettingsFileTest, AMissingDefaultFileIsNoError) {
  command_.parse(std::vector<std::string>{});
  EXPECT_TRUE(applyDaemonSettings(command_, "", (dir_.path() / "none.yml").string()).has_value());
  EXPECT_FALSE(applyDaemonSettings(command_, (dir_.path() / "none.yml").string(), "").has_value());
  EXPECT_EQ(state_dir_, "default");
}

}  // namespace
}  // namespace sc::config
