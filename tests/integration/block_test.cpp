// Blocks with rescue and always parts through the real sc-agent: the files a
// rescued or failed block leaves, the recap and the exit code
// (docs/engine.md, "Blocks: rescue and always").
#include <gtest/gtest.h>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {

using nlohmann::json;

json inSection(json resource, const std::string& block, const std::string& part) {
  resource["block"] = json::array({{{"id", block}, {"part", part}}});
  return resource;
}

json command(const std::string& id, std::vector<std::string> argv) {
  return {{"id", id}, {"type", "command"}, {"params", {{"argv", std::move(argv)}}}};
}

class BlockTest : public ::testing::Test, public AgentFixture {
 protected:
  // A block that writes a new config, fails its check, and whose rescue
  // part writes the good config back with `rescue_argv` run after it.
  json siteManifest(std::vector<std::string> rescue_argv) {
    return manifest({inSection(copy("conf", "/app.conf", "new\n"), "b0", "block"),
                     inSection(command("check", {"/bin/false"}), "b0", "block"),
                     inSection(copy("not-reached", "/not-reached.txt", "x\n"), "b0", "block"),
                     inSection(copy("restore", "/app.conf", "good\n"), "b0", "rescue"),
                     inSection(command("rescue-cmd", std::move(rescue_argv)), "b0", "rescue"),
                     inSection(copy("done", "/done.txt", "done\n"), "b0", "always"),
                     copy("after", "/after.txt", "after\n")});
  }
};

TEST_F(BlockTest, RescuedBlockExitsZeroAndTheRunGoesOn) {
  const RunResult run = apply(siteManifest({"/bin/true"}));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const json report = parseReport(run.out);
  EXPECT_EQ(report["recap"]["failed"], 0) << run.out;
  EXPECT_EQ(report["recap"]["rescued"], 1) << run.out;
  EXPECT_EQ(outcomeOf(report, "check"), "failed");
  EXPECT_EQ(resourceEntry(report, "check").value("rescued", false), true);
  EXPECT_EQ(outcomeOf(report, "not-reached"), "skipped");
  EXPECT_EQ(readFile(real("/app.conf")), "good\n");
  EXPECT_EQ(readFile(real("/done.txt")), "done\n");
  EXPECT_EQ(readFile(real("/after.txt")), "after\n");
  EXPECT_FALSE(std::filesystem::exists(real("/not-reached.txt")));

  // The text form: the rescued failure is marked, the recap counts it.
  const RunResult text = apply(siteManifest({"/bin/true"}), {});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  EXPECT_NE(text.out.find("failed: command[/bin/false]: non-zero return code (rescued)\n"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("RECAP itest : ok=2 changed=3 failed=0 skipped=1 rescued=1\n"),
            std::string::npos)
      << text.out;
}

TEST_F(BlockTest, FailingRescueExitsOneAfterTheAlwaysPart) {
  const RunResult run = apply(siteManifest({"/bin/false"}));
  ASSERT_EQ(run.exit_code, 1) << run.describe();
  const json report = parseReport(run.out);
  EXPECT_EQ(report["recap"]["failed"], 1) << run.out;
  EXPECT_EQ(report["recap"]["rescued"], 1) << run.out;
  EXPECT_EQ(outcomeOf(report, "rescue-cmd"), "failed");
  EXPECT_EQ(outcomeOf(report, "after"), "skipped");
  EXPECT_EQ(readFile(real("/app.conf")), "good\n");
  EXPECT_EQ(readFile(real("/done.txt")), "done\n");
  EXPECT_FALSE(std::filesystem::exists(real("/after.txt")));
}

TEST_F(BlockTest, MalformedBlockIsRejectedBeforeAnythingRuns) {
  auto doc = siteManifest({"/bin/true"});
  doc["resources"][1]["block"][0]["part"] = "always";  // then "block" again: out of order
  const auto path = tmp() / "bad.json";
  writeFile(path, doc.dump(2));
  const RunResult run = runProgram(applyArgv(path.string(), {}));
  EXPECT_EQ(run.exit_code, 3) << run.describe();
  EXPECT_NE(run.err.find("bad.json:/resources/2/block/0/part: error: block 'b0': part 'block' "
                         "after part 'always'"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(real("/app.conf")));
}

}  // namespace
}  // namespace sc::testing
