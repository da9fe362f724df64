// The sc-agent command line end to end: bad manifests are refused before
// anything runs (exit 3, a precise message), and backups can be listed and
// restored.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

#include "common/hash.h"
#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {
namespace stdfs = std::filesystem;

class BadInputTest : public ::testing::Test, public AgentFixture {
 protected:
  void SetUp() override {
    stdfs::create_directories(real("/etc"));
    writeFile(real("/etc/keep.conf"), "keep\n");
    before_ = treeDigest(root());
  }
  // Exit 3, nothing written in the root, no state directory created.
  RunResult expectRejected(const std::string& manifest_text) {
    const auto path = tmp() / "bad.json";
    writeFile(path, manifest_text);
    const RunResult result = runProgram(applyArgv(path.string(), {}));
    EXPECT_EQ(result.exit_code, 3) << result.describe();
    EXPECT_EQ(treeDigest(root()), before_);
    EXPECT_FALSE(stdfs::exists(stateDir()));
    return result;
  }
  std::string before_;
};

TEST_F(BadInputTest, MalformedJsonNamesFileLineAndColumn) {
  const RunResult result = expectRejected(
      "{\"format_version\": 1,\n \"host\": \"h\",\n \"serial\": 1 \"resources\": []}\n");
  EXPECT_TRUE(std::regex_search(result.err, std::regex(R"(bad\.json:3:\d+)"))) << result.err;
}

TEST_F(BadInputTest, UnknownKindSuggestsTheNearestOne) {
  auto doc = manifest({copy("conf", "/etc/app.conf", "x\n")});
  doc["resources"][0]["type"] = "coppy";
  const RunResult result = expectRejected(doc.dump(2));
  EXPECT_NE(result.err.find("did you mean 'copy'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'conf'"), std::string::npos) << result.err;
}

TEST_F(BadInputTest, MissingRequiredParameterNamesIdAndParameter) {
  auto doc =
      manifest({copy("first", "/etc/first.conf", "x\n"),
                {{"id", "conf-without-dest"}, {"type", "copy"}, {"params", {{"content", "x\n"}}}}});
  const RunResult result = expectRejected(doc.dump(2));
  EXPECT_NE(result.err.find("'conf-without-dest'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'dest'"), std::string::npos) << result.err;
  EXPECT_FALSE(stdfs::exists(real("/etc/first.conf")));
}

class BackupsTest : public ::testing::Test, public AgentFixture {};

TEST_F(BackupsTest, ReplacedVersionCanBeListedAndRestored) {
  stdfs::create_directories(real("/etc"));
  const std::string first = "version one\n";
  const std::string second = "version two\n";
  ASSERT_EQ(apply(manifest({copy("conf", "/etc/app.conf", first)})).exit_code, 0);
  ASSERT_EQ(apply(manifest({copy("conf", "/etc/app.conf", second)})).exit_code, 0);
  ASSERT_EQ(readFile(real("/etc/app.conf")), second);

  const RunResult listed = runProgram({agentBinary(), "backups", "list", "/etc/app.conf",
                                       "--state-dir", stateDir().string(), "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  const auto entries = parseReport(listed.out);
  ASSERT_TRUE(entries.is_array()) << listed.out;
  std::string id;
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.value("path", ""), "/etc/app.conf");
    if (entry.value("sha256", "") == sha256Hex(first)) id = entry.value("id", "");
  }
  ASSERT_FALSE(id.empty()) << "no backup of the first version:\n" << listed.out;
  EXPECT_EQ(entries.back().value("size", 0u), first.size());

  const RunResult restored =
      runProgram({agentBinary(), "backups", "restore", "/etc/app.conf", "--to", id, "--root",
                  root().string(), "--state-dir", stateDir().string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.describe();
  EXPECT_EQ(readFile(real("/etc/app.conf")), first);
  // The version the restore replaced is kept too.
  const RunResult again = runProgram({agentBinary(), "backups", "list", "/etc/app.conf",
                                      "--state-dir", stateDir().string(), "--json"});
  bool second_kept = false;
  for (const auto& entry : parseReport(again.out)) {
    second_kept = second_kept || entry.value("sha256", "") == sha256Hex(second);
  }
  EXPECT_TRUE(second_kept) << again.out;

  // An unknown id restores nothing.
  const RunResult unknown =
      runProgram({agentBinary(), "backups", "restore", "/etc/app.conf", "--to", "000000000000",
                  "--root", root().string(), "--state-dir", stateDir().string()});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
  EXPECT_EQ(readFile(real("/etc/app.conf")), first);
}

}  // namespace
}  // namespace sc::testing
