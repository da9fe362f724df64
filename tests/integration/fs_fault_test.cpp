// SECURITY.md F-10 (disk full), F-11 (read-only filesystem) and F-12
// (validator rejects the candidate), with the real sc-agent on real mounts.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {
namespace stdfs = std::filesystem;
using std::chrono::seconds;

class FsFaultTest : public ::testing::Test, public AgentFixture {
 protected:
  // Declared after the fixture's temp dir: unmounted before it is removed.
  MountGuard mounts_;
};

// F-10: the write fails before the rename; original intact; temp removed;
// resources after it, on this and other filesystems, still applied.
TEST_F(FsFaultTest, DiskFullFailsOneResourceWithNoSpace) {
  stdfs::create_directories(real("/small"));
  stdfs::create_directories(real("/big"));
  if (auto error = mounts_.mountTmpfs(real("/small"), "size=64k,mode=0755"); !error.empty()) {
    GTEST_SKIP() << "needs root to mount a tmpfs: " << error;
  }
  const std::string original = "original bytes\n";
  writeFile(real("/small/app.conf"), original);
  auto doc = manifest({copy("huge", "/small/app.conf", std::string(256 * 1024, 'x')),
                       copy("small-same-fs", "/small/other.conf", "fits\n"),
                       copy("other-fs", "/big/other.conf", "applied\n")});
  doc["on_failure"] = "continue";
  const RunResult result = apply(doc, {"--json"}, {}, seconds(60));
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const auto report = parseReport(result.out);
  EXPECT_EQ(outcomeOf(report, "huge"), "failed") << result.out;
  EXPECT_EQ(reasonOf(report, "huge"), "no_space") << result.out;
  EXPECT_EQ(readFile(real("/small/app.conf")), original);
  EXPECT_EQ(tempFilesUnder(root()), std::vector<std::string>{});
  EXPECT_EQ(outcomeOf(report, "small-same-fs"), "changed") << result.out;
  EXPECT_EQ(outcomeOf(report, "other-fs"), "changed") << result.out;
  EXPECT_EQ(readFile(real("/small/other.conf")), "fits\n");
  EXPECT_EQ(readFile(real("/big/other.conf")), "applied\n");
}

// F-11: a read-only filesystem fails the resource with read_only, no crash.
TEST_F(FsFaultTest, ReadOnlyMountFailsWithReadOnly) {
  const stdfs::path source = tmp() / "ro-source";
  stdfs::create_directories(source);
  writeFile(source / "app.conf", "original\n");
  stdfs::create_directories(real("/etc/app"));
  if (auto error = mounts_.bindReadOnly(source, real("/etc/app")); !error.empty()) {
    GTEST_SKIP() << "needs root for a read-only bind mount: " << error;
  }
  const std::string before = treeDigest(source);
  auto doc = manifest({copy("replace", "/etc/app/app.conf", "new\n"),
                       copy("create", "/etc/app/new.conf", "new\n"),
                       copy("elsewhere", "/etc/elsewhere.conf", "applied\n")});
  doc["on_failure"] = "continue";
  const RunResult result = apply(doc, {"--json"}, {}, seconds(60));
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_EQ(result.signal, 0);
  const auto report = parseReport(result.out);
  EXPECT_EQ(reasonOf(report, "replace"), "read_only") << result.out;
  EXPECT_EQ(reasonOf(report, "create"), "read_only") << result.out;
  EXPECT_EQ(outcomeOf(report, "elsewhere"), "changed") << result.out;
  EXPECT_EQ(readFile(real("/etc/app/app.conf")), "original\n");
  EXPECT_EQ(treeDigest(source), before);
}

// F-12: a failing validator leaves the target untouched and its handler
// unrun; a passing one lets the write and the handler happen.
TEST_F(FsFaultTest, ValidatorRejectionKeepsTargetAndSkipsHandler) {
  stdfs::create_directories(real("/etc"));
  const std::string original = "listen 80;\n";
  writeFile(real("/etc/app.conf"), original);
  const stdfs::path marker = tmp() / "handler-ran";
  const nlohmann::json handler = {{"id", "restart app"},
                                  {"type", "command"},
                                  {"params", {{"argv", {"/usr/bin/touch", marker.string()}}}}};
  const auto doc = [&](const std::string& content, const std::string& validate) {
    auto resource = copy("conf", "/etc/app.conf", content);
    resource["params"]["validate"] = validate;
    resource["notify"] = {"restart app"};
    auto out = manifest({resource});
    out["handlers"] = {handler};
    return out;
  };

  // `test -z PATH` fails: the staged file's path is never empty.
  const RunResult rejected = apply(doc("listen 8080;\n", "/usr/bin/test -z %s"));
  EXPECT_EQ(rejected.exit_code, 1) << rejected.describe();
  const auto report = parseReport(rejected.out);
  EXPECT_EQ(reasonOf(report, "conf"), "validation_failed") << rejected.out;
  EXPECT_EQ(resourceEntry(report, "restart app"), nullptr) << rejected.out;
  EXPECT_EQ(readFile(real("/etc/app.conf")), original);
  EXPECT_FALSE(stdfs::exists(marker));
  EXPECT_EQ(tempFilesUnder(root()), std::vector<std::string>{});

  // A validator that reads the staged content and accepts it.
  const RunResult accepted = apply(doc("listen 8080;\n", "/bin/grep -q 8080 %s"));
  EXPECT_EQ(accepted.exit_code, 0) << accepted.describe();
  EXPECT_EQ(readFile(real("/etc/app.conf")), "listen 8080;\n");
  EXPECT_TRUE(stdfs::exists(marker));
  EXPECT_EQ(outcomeOf(parseReport(accepted.out), "restart app"), "changed") << accepted.out;

  // One that reads it and refuses: the validator sees the candidate, not the target.
  const RunResult refused = apply(doc("listen 9090;\n", "/bin/grep -q 8080 %s"));
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_EQ(reasonOf(parseReport(refused.out), "conf"), "validation_failed") << refused.out;
  EXPECT_EQ(readFile(real("/etc/app.conf")), "listen 8080;\n");
}

// T-27 by way of F-12: a validate template with %s glued to other text, or a
// shell construct, is rejected before anything runs.
TEST_F(FsFaultTest, ValidateTemplateMustKeepPlaceholderWhole) {
  stdfs::create_directories(real("/etc"));
  const stdfs::path pwn = tmp() / "pwn";
  auto resource = copy("conf", "/etc/app.conf", "x\n");
  resource["params"]["validate"] = fmt::format("/bin/sh -c 'true %s; touch {}'", pwn.string());
  const RunResult result = apply(manifest({resource}));
  EXPECT_EQ(result.exit_code, 3) << result.describe();
  EXPECT_FALSE(stdfs::exists(pwn));
  EXPECT_FALSE(stdfs::exists(real("/etc/app.conf")));
}

}  // namespace
}  // namespace sc::testing
