// The agent's state directory: converged fingerprints, owed handler
// notifications and the last applied serial survive a round trip, files
// are private, and a damaged file costs what it held, never the run (but a
// damaged serial record refuses signed manifests until repaired).
#include "agent/state/state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::agent {
namespace {

class StateDirTest : public ::testing::Test {
 protected:
  StateDir open() {
    auto state = StateDir::open(temp_.path() / "state");
    EXPECT_TRUE(state.has_value()) << state.error().describe();
    return std::move(*state);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(temp_.path() / "state" / name) << text;
  }

  testing::TempDir temp_;
};

TEST_F(StateDirTest, ConvergedRoundTripsAndIsPrivate) {
  const StateDir state = open();
  const std::map<std::string, std::string> converged = {
      {"p1-t1", "0123456789abcdef"}, {"p1-t2-item-7", "fedcba9876543210"}, {"ünïcode \"id\"", "x"}};
  ASSERT_TRUE(state.saveConverged(converged).has_value());
  const auto loaded = state.loadConverged();
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(*loaded, converged);
  struct stat st {};
  ASSERT_EQ(::stat((temp_.path() / "state" / "converged.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StateDirTest, ConvergedKeepsOnlyTopLevelStrings) {
  const StateDir state = open();
  write("converged.json",
        R"({"a": "1", "n": 5, "nested": {"b": "2", "c": ["3"]}, "list": ["4"], "d": "5"})");
  const auto loaded = state.loadConverged();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, (std::map<std::string, std::string>{{"a", "1"}, {"d", "5"}}));
}

TEST_F(StateDirTest, DamagedConvergedIsForgotten) {
  const StateDir state = open();
  for (const std::string damaged : {R"({"a": "1", "b": )", R"(["a", "1"])", "not json", "\"a\""}) {
    write("converged.json", damaged);
    const auto loaded = state.loadConverged();
    ASSERT_TRUE(loaded.has_value()) << damaged;
    EXPECT_TRUE(loaded->empty()) << damaged;
  }
  write("converged.json", "");
  EXPECT_TRUE(state.loadConverged()->empty());
}

TEST_F(StateDirTest, MissingFilesMeanNothingKnown) {
  const StateDir state = open();
  EXPECT_TRUE(state.loadConverged()->empty());
  EXPECT_TRUE(state.loadPending()->empty());
}

TEST_F(StateDirTest, PendingRoundTripsAndDamageIsReported) {
  const StateDir state = open();
  ASSERT_TRUE(state.savePending({"restart nginx", "reload php"}).has_value());
  EXPECT_EQ(*state.loadPending(), (std::set<std::string>{"reload php", "restart nginx"}));
  write("pending_handlers.json", "{");
  const auto damaged = state.loadPending();
  ASSERT_FALSE(damaged.has_value());
  EXPECT_NE(damaged.error().message().find("is damaged"), std::string::npos);
}

TEST_F(StateDirTest, AppliedRecordRoundTripsAndDamageIsAnError) {
  const StateDir state = open();
  EXPECT_FALSE(state.loadApplied()->has_value());
  ASSERT_TRUE(state.saveApplied({"web1", 42, std::string(64, 'a'), std::string(64, 'b'), false})
                  .has_value());
  auto loaded = state.loadApplied();
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->host, "web1");
  EXPECT_EQ((*loaded)->serial, 42u);
  EXPECT_EQ((*loaded)->sha256, std::string(64, 'a'));
  EXPECT_EQ((*loaded)->key_id, std::string(64, 'b'));
  EXPECT_FALSE((*loaded)->finished);
  // Damaged is never "nothing applied yet": that would let a rollback in.
  for (const std::string damaged :
       {"{", "[]", R"({"host": "web1", "serial": -1, "sha256": "x", "finished": true})",
        R"({"host": "web1", "serial": 4, "finished": true})"}) {
    write("applied.json", damaged);
    const auto result = state.loadApplied();
    ASSERT_FALSE(result.has_value()) << damaged;
    EXPECT_NE(result.error().message().find("is damaged"), std::string::npos);
  }
}

}  // namespace
}  // namespace sc::agent
