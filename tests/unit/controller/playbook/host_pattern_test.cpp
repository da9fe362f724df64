// Host patterns as Ansible evaluates them; the expected lists were taken
// from `ansible -i hosts PATTERN --list-hosts` (ansible-core 2.14), which
// tests/ansible/inventory_differential.py re-checks.
#include "controller/playbook/host_pattern.h"

#include <gtest/gtest.h>

namespace sc::controller {
namespace {

using Names = std::vector<std::string>;

Inventory webInventory() {
  Inventory inventory;
  auto loaded = loadIniInventory(inventory,
                                 "lonely\n"
                                 "[web]\nw1\nw2\nw3\n"
                                 "[db]\nd1\nd2\nw2\n"
                                 "[lb:children]\nweb\n"
                                 "[empty]\n",
                                 "hosts");
  EXPECT_TRUE(loaded.has_value());
  inventory.reconcile();
  return inventory;
}

Names select(const std::string& pattern, const std::string& limit = "") {
  static const Inventory inventory = webInventory();
  auto selection = selectHosts(inventory, {pattern}, limit.empty() ? Names{} : Names{limit});
  EXPECT_TRUE(selection.has_value())
      << pattern << ": " << (selection ? "" : selection.error().describe());
  return selection ? selection->hosts : Names{};
}

TEST(HostPatternTest, SplitsAtCommasOrColons) {
  EXPECT_EQ(splitHostPattern("a,b[1], c[2:3] , d"), (Names{"a", "b[1]", "c[2:3]", "d"}));
  EXPECT_EQ(splitHostPattern("web:&db:!w2"), (Names{"web", "&db", "!w2"}));
  EXPECT_EQ(splitHostPattern("web:&db,x"), (Names{"web:&db", "x"}));
  EXPECT_EQ(splitHostPattern("db1:2222"), (Names{"db1:2222"}));
  EXPECT_EQ(splitHostPattern("fe80::1"), (Names{"fe80::1"}));
  EXPECT_EQ(splitHostPattern("web[1:2]:db"), (Names{"web[1:2]", "db"}));
}

TEST(HostPatternTest, GroupsHostsAndWildcards) {
  EXPECT_EQ(select("all"), (Names{"lonely", "d1", "d2", "w2", "w1", "w3"}));
  EXPECT_EQ(select("*"), select("all"));
  EXPECT_EQ(select("web"), (Names{"w1", "w2", "w3"}));
  EXPECT_EQ(select("lb"), (Names{"w1", "w2", "w3"}));
  EXPECT_EQ(select("w*"), (Names{"w1", "w2", "w3"}));
  EXPECT_EQ(select("?1"), (Names{"w1", "d1"}));
  EXPECT_EQ(select("[wd]2"), (Names{"w2", "d2"}));
  EXPECT_EQ(select("~w[12]"), (Names{"w1", "w2"}));
  EXPECT_EQ(select("~d"), (Names{"d1", "d2", "w2"}));  // the group db and hosts d1, d2
  EXPECT_EQ(select("ungrouped"), (Names{"lonely"}));
  EXPECT_EQ(select("empty"), Names{});
}

TEST(HostPatternTest, UnionIntersectionExclusionInAnsibleOrder) {
  EXPECT_EQ(select("db:web"), (Names{"d1", "d2", "w2", "w1", "w3"}));
  EXPECT_EQ(select("web,db"), (Names{"w1", "w2", "w3", "d1", "d2"}));
  EXPECT_EQ(select("web:&db"), (Names{"w2"}));
  EXPECT_EQ(select("all:!web"), (Names{"lonely", "d1", "d2"}));
  EXPECT_EQ(select("!web"), (Names{"lonely", "d1", "d2"}));
  EXPECT_EQ(select("!db:web"), (Names{"w1", "w3"}));
  EXPECT_EQ(select("w1:d1:w1"), (Names{"w1", "d1"}));
}

TEST(HostPatternTest, Subscripts) {
  EXPECT_EQ(select("web[0]"), (Names{"w1"}));
  EXPECT_EQ(select("web[-1]"), (Names{"w3"}));
  EXPECT_EQ(select("web[1:]"), (Names{"w2", "w3"}));
  EXPECT_EQ(select("web[0:1]"), (Names{"w1", "w2"}));
  EXPECT_EQ(select("web[2:0]"), (Names{"w3"}));  // Ansible reads an end of 0 as none
  EXPECT_EQ(select("web[1:9]"), (Names{"w2", "w3"}));
  // w* matches the group web and the hosts w1..w3; the subscript counts both.
  EXPECT_EQ(select("w*[3]"), (Names{"w1"}));
  const Inventory inventory = webInventory();
  auto past = selectHosts(inventory, {"web[5]"});
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().message(), "No hosts matched the subscripted pattern 'web[5]'");
  // Without a comma, "~w[" splits at '[' to "~w"; with one, the regex is bad.
  EXPECT_EQ(select("~w["), (Names{"w1", "w2", "w3"}));
  EXPECT_FALSE(selectHosts(inventory, {"~w[,"}).has_value());
}

TEST(HostPatternTest, LimitsAndWarnings) {
  EXPECT_EQ(select("all", "web"), (Names{"w2", "w1", "w3"}));
  EXPECT_EQ(select("web", "!w1"), (Names{"w2", "w3"}));
  EXPECT_EQ(select("all", "w*:&db"), (Names{"w2"}));
  const Inventory inventory = webInventory();
  auto selection = selectHosts(inventory, {"nomatch:web"});
  ASSERT_TRUE(selection.has_value());
  EXPECT_EQ(selection->hosts, (Names{"w1", "w2", "w3"}));
  EXPECT_EQ(selection->warnings,
            (Names{"Could not match supplied host pattern, ignoring: nomatch"}));
}

TEST(HostPatternTest, ImplicitLocalhost) {
  EXPECT_EQ(select("localhost"), (Names{"localhost"}));
  EXPECT_EQ(select("localhost:web"), (Names{"localhost", "w1", "w2", "w3"}));
  EXPECT_EQ(select("127.0.0.1"), (Names{"127.0.0.1"}));
  EXPECT_EQ(select("all", "localhost"), Names{});
}

}  // namespace
}  // namespace sc::controller
