// `scctl apply -c local` end to end with the real binary: the peer
// benchmark's playbooks (loop.yml and flat.yml, written by the workload
// generator in the design notes' bench/peers/gen.sh) converge a seeded root
// to exactly the reference tree, a second run changes nothing, and drift is
// repaired; compile errors name the file and line with exit code 3.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {

namespace fs = std::filesystem;

std::string scctl() { return SC_SCCTL_BIN; }

fs::path peersDir() {
  if (const char* dir = std::getenv("SC_PEERS_DIR")) return dir;
  return fs::path(SC_SOURCE_DIR) / ".." / "shared" / "bench" / "peers";
}

class ScctlLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(peersDir() / "gen.sh")) {
      GTEST_SKIP() << "the peer workload generator is not beside the checkout: " << peersDir();
    }
    base_ = dir_.path() / "base";
    const RunResult gen =
        runProgram({"/bin/bash", (peersDir() / "gen.sh").string(), "100", base_.string()});
    ASSERT_EQ(gen.exit_code, 0) << gen.describe();
  }

  RunResult seed() {
    fs::create_directories(root());
    return runProgram({"/bin/bash", (base_ / "workload/seed.sh").string(), root().string()});
  }
  std::string treehash(const fs::path& tree) {
    const RunResult hash =
        runProgram({"/bin/bash", (base_ / "workload/treehash.sh").string(), tree.string()});
    EXPECT_EQ(hash.exit_code, 0) << hash.describe();
    return hash.out;
  }
  RunResult apply(const std::string& playbook) {
    return runProgram({scctl(), "apply", "-c", "local", "-i", "localhost,",
                       (base_ / "ansible" / playbook).string(), "-e", "pb_root=" + root().string(),
                       "--state-dir", (dir_.path() / "state").string()},
                      {}, std::chrono::seconds(120));
  }
  fs::path root() const { return base_ / "smartcookies" / "root"; }

  TempDir dir_;
  fs::path base_;
};

TEST_F(ScctlLocalTest, LoopPlaybookConvergesToTheReferenceTreeThenDoesNothing) {
  ASSERT_EQ(seed().exit_code, 0);
  const RunResult first = apply("loop.yml");
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_NE(first.out.find("changed=108"), std::string::npos) << first.out;
  EXPECT_EQ(treehash(root()), treehash(base_ / "reference" / "root"));

  const std::string before = treeDigest(root());
  const RunResult second = apply("loop.yml");
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_NE(second.out.find("changed=0 "), std::string::npos) << second.out;
  EXPECT_EQ(treeDigest(root()), before);

  const RunResult drift =
      runProgram({"/bin/bash", (base_ / "workload/drift.sh").string(), root().string()});
  ASSERT_EQ(drift.exit_code, 0) << drift.describe();
  ASSERT_NE(treehash(root()), treehash(base_ / "reference" / "root"));
  const RunResult repair = apply("loop.yml");
  ASSERT_EQ(repair.exit_code, 0) << repair.describe();
  EXPECT_EQ(treehash(root()), treehash(base_ / "reference" / "root"));
}

TEST_F(ScctlLocalTest, FlatPlaybookConvergesToTheSameTree) {
  ASSERT_EQ(seed().exit_code, 0);
  const RunResult first = apply("flat.yml");
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_EQ(treehash(root()), treehash(base_ / "reference" / "root"));
  const RunResult second = apply("flat.yml");
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_NE(second.out.find("changed=0 "), std::string::npos) << second.out;
}

TEST(ScctlCliTest, CompileErrorsNameFileLineAndShowTheLine) {
  TempDir dir;
  writeFile(dir.path() / "site.yml",
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - coppy: src=a dest=b\n");
  const RunResult result =
      runProgram({scctl(), "compile", (dir.path() / "site.yml").string(), "-i", "localhost,"});
  EXPECT_EQ(result.exit_code, 3) << result.describe();
  EXPECT_NE(result.err.find("site.yml:4:7: error: unknown module or task keyword 'coppy'; did "
                            "you mean 'copy'?"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("    4 |     - coppy: src=a dest=b"), std::string::npos) << result.err;
}

TEST(ScctlCliTest, CompileWritesOneManifestPerHost) {
  TempDir dir;
  writeFile(dir.path() / "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n"
            "    - copy: content='{{ inventory_hostname }}' dest=/etc/hostname\n");
  writeFile(dir.path() / "hosts.ini", "[web]\nweb[1:2].example.org\n");
  const RunResult result = runProgram({scctl(), "compile", (dir.path() / "site.yml").string(), "-i",
                                       (dir.path() / "hosts.ini").string(), "-o",
                                       (dir.path() / "out").string(), "--serial", "7"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  for (const std::string host : {"web1.example.org", "web2.example.org"}) {
    const auto manifest = readFile(dir.path() / "out" / (host + ".json"));
    ASSERT_TRUE(manifest) << host;
    const auto json = nlohmann::json::parse(*manifest);
    EXPECT_EQ(json["host"], host);
    EXPECT_EQ(json["serial"], 7);
    EXPECT_EQ(json["resources"][0]["params"]["content"], host);
  }
  // The agent accepts what the compiler wrote.
  fs::create_directories(dir.path() / "etc");
  const RunResult check =
      runProgram({agentBinary(), "apply", "--check", "--manifest",
                  (dir.path() / "out/web1.example.org.json").string(), "--root",
                  dir.path().string(), "--state-dir", (dir.path() / "state").string()});
  EXPECT_EQ(check.exit_code, 0) << check.describe();
}

}  // namespace
}  // namespace sc::testing
