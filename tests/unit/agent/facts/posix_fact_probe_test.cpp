// PosixFactProbe's Python cache: the interpreter is asked once, answered
// from the cache while its file stays the same build, and asked again when
// the file changes or the cache is damaged. The "interpreter" is a script
// that counts its runs and answers like the probe's Python snippet.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "agent/facts/fact_probe.h"
#include "tests/support/test_tree.h"

namespace sc::agent {
namespace {

namespace stdfs = std::filesystem;

class PythonCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { writeInterpreter("2", "3.11.2"); }

  // Replaces the interpreter with one of another micro version (as an
  // upgrade would: a new file).
  void writeInterpreter(const std::string& micro, const std::string& version) {
    const auto next = temp_.path() / "python3.new";
    std::ofstream(next) << "#!/bin/sh\necho run >> '" << calls().string() << "'\n"
                        << "printf '%s\\n' /usr/bin/python3 3 11 " << micro << " final 0 "
                        << version << " cpython 1\n";
    ::chmod(next.c_str(), 0755);
    stdfs::rename(next, interpreter());
  }
  stdfs::path interpreter() const { return temp_.path() / "python3"; }
  stdfs::path calls() const { return temp_.path() / "calls"; }
  stdfs::path cache() const { return temp_.path() / "state" / "python_facts.json"; }
  int runs() const {
    std::ifstream in(calls());
    int count = 0;
    for (std::string line; std::getline(in, line);) ++count;
    return count;
  }
  std::optional<PythonInfo> ask() {
    PosixFactProbe probe("/");  // a fresh probe: what the next run sees
    probe.cachePythonIn(cache());
    return probe.python(interpreter().string());
  }
  void makeStateDir() { stdfs::create_directories(cache().parent_path()); }

  testing::TempDir temp_;
};

TEST_F(PythonCacheTest, AsksOnceWhileTheInterpreterIsUnchanged) {
  makeStateDir();
  const auto first = ask();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->executable, "/usr/bin/python3");
  EXPECT_EQ(first->micro, 2);
  EXPECT_EQ(first->version, "3.11.2");
  EXPECT_EQ(first->type, "cpython");
  EXPECT_TRUE(first->has_sslcontext);
  EXPECT_EQ(runs(), 1);
  struct stat st {};
  ASSERT_EQ(::stat(cache().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const auto second = ask();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(runs(), 1);
  EXPECT_EQ(second->version, "3.11.2");
  EXPECT_EQ(second->micro, 2);
  EXPECT_TRUE(second->has_sslcontext);
  EXPECT_EQ(second->releaselevel, "final");
}

TEST_F(PythonCacheTest, ANewBuildIsAskedAgain) {
  makeStateDir();
  ASSERT_TRUE(ask().has_value());
  writeInterpreter("12", "3.11.12");
  const auto upgraded = ask();
  ASSERT_TRUE(upgraded.has_value());
  EXPECT_EQ(upgraded->version, "3.11.12");
  EXPECT_EQ(upgraded->micro, 12);
  EXPECT_EQ(runs(), 2);
  ASSERT_TRUE(ask().has_value());
  EXPECT_EQ(runs(), 2);
}

TEST_F(PythonCacheTest, ADamagedCacheIsAskedAgainAndRewritten) {
  makeStateDir();
  for (const std::string damaged : {"{", "[]", R"({"executable": 1})", ""}) {
    std::ofstream(cache()) << damaged;
    const int before = runs();
    const auto info = ask();
    ASSERT_TRUE(info.has_value()) << damaged;
    EXPECT_EQ(info->version, "3.11.2");
    EXPECT_EQ(runs(), before + 1) << damaged;
    ASSERT_TRUE(ask().has_value());
    EXPECT_EQ(runs(), before + 1) << "not rewritten after '" << damaged << "'";
  }
}

TEST_F(PythonCacheTest, WithoutACacheOrItsDirectoryEveryCallAsks) {
  PosixFactProbe plain("/");
  ASSERT_TRUE(plain.python(interpreter().string()).has_value());
  ASSERT_TRUE(plain.python(interpreter().string()).has_value());
  EXPECT_EQ(runs(), 2);
  // The state directory does not exist: answered all the same, not cached.
  ASSERT_TRUE(ask().has_value());
  ASSERT_TRUE(ask().has_value());
  EXPECT_EQ(runs(), 4);
}

}  // namespace
}  // namespace sc::agent
