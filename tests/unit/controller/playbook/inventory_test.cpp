// Inventories: INI and YAML loading, ranges, ports, the group tree with
// `all` and `ungrouped`, INI value typing (Python literals), errors with
// file:line, directories, group_vars/host_vars and variable precedence.
// tests/ansible/inventory_differential.py checks the same ground against
// ansible-inventory itself.
#include "controller/playbook/inventory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "controller/playbook/inventory_vars.h"
#include "controller/playbook/python_literal.h"

namespace sc::controller {
namespace {

namespace fs = std::filesystem;

using Names = std::vector<std::string>;

Inventory ini(const std::string& text) {
  Inventory inventory;
  auto loaded = loadIniInventory(inventory, text, "hosts");
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().describe());
  inventory.reconcile();
  return inventory;
}

Inventory yamlInventory(const std::string& text) {
  Inventory inventory;
  auto loaded = loadYamlInventory(inventory, text, "inv.yml");
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().describe());
  inventory.reconcile();
  return inventory;
}

Error iniError(const std::string& text) {
  Inventory inventory;
  auto loaded = loadIniInventory(inventory, text, "hosts");
  EXPECT_FALSE(loaded.has_value()) << text;
  return loaded ? Error(ErrorCode::Internal, "none") : loaded.error();
}

Data hostVars(const Inventory& inventory, const std::string& host) {
  auto vars = inventoryVars(inventory, host, {});
  EXPECT_TRUE(vars.has_value()) << (vars ? "" : vars.error().describe());
  return vars ? *vars : Data();
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            fs::path("sc-inventory-test-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path(const std::string& relative = "") const { return (path_ / relative).string(); }

 private:
  fs::path path_;
};

TEST(InventoryTest, IniGroupsChildrenAndImplicitGroups) {
  const Inventory inventory =
      ini("lonely\n"
          "[web]\nw1\nw2\n"
          "[db]\nd1\nw2\n"
          "[lb:children]\nweb\n");
  EXPECT_EQ(inventory.hostNames(), (Names{"lonely", "w1", "w2", "d1"}));
  EXPECT_EQ(inventory.findGroup("all")->children, (Names{"ungrouped", "db", "lb"}));
  EXPECT_EQ(inventory.findGroup("ungrouped")->hosts, (Names{"lonely"}));
  EXPECT_EQ(inventory.hostsOf("lb"), (Names{"w1", "w2"}));
  EXPECT_EQ(inventory.hostsOf("all"), (Names{"lonely", "d1", "w2", "w1"}));
  EXPECT_EQ(inventory.groupNamesOf("w2"), (Names{"db", "lb", "web"}));
  EXPECT_EQ(inventory.groupNamesOf("lonely"), (Names{"ungrouped"}));
  const Data groups = inventory.groupsVar();
  EXPECT_EQ(groups["web"], Data::parse(R"(["w1", "w2"])"));
  EXPECT_EQ(groups["ungrouped"], Data::parse(R"(["lonely"])"));
}

TEST(InventoryTest, RangesAndPorts) {
  const Inventory inventory =
      ini("web[01:03].example.com\n"
          "db-[a:c]\n"
          "n[1:10:3]\n"
          "x[1:2]-[a:b]\n"
          "db1:2222\n"
          "[2001:db8::1]:22\n"
          "fe80::1\n");
  EXPECT_EQ(inventory.hostNames(),
            (Names{"web01.example.com", "web02.example.com", "web03.example.com", "db-a", "db-b",
                   "db-c", "n1", "n4", "n7", "n10", "x1-a", "x1-b", "x2-a", "x2-b", "db1",
                   "2001:db8::1", "fe80::1"}));
  EXPECT_EQ(hostVars(inventory, "db1")["ansible_port"], 2222);
  EXPECT_EQ(hostVars(inventory, "2001:db8::1")["ansible_port"], 22);
  EXPECT_FALSE(hostVars(inventory, "fe80::1").contains("ansible_port"));
}

TEST(InventoryTest, IniValuesAreTypedLikeLiteralEval) {
  const Inventory inventory =
      ini("[g]\n"
          "h a=\"1\" b='x y' c=[1,'a'] d=True e=0755 f=yes g=0x1F h= i=1e3 j=\"'03'\" k=1#c\n"
          "[g:vars]\n"
          "v1=\"1\"\n"
          "v2 = [1, 2] # comment\n"
          "v3=hello # comment\n");
  const Data vars = hostVars(inventory, "h");
  EXPECT_EQ(vars["a"], 1);  // shlex took the quotes
  EXPECT_EQ(vars["b"], "x y");
  EXPECT_EQ(vars["c"], "[1,a]");  // shlex took the quotes, so a is a name
  EXPECT_EQ(vars["d"], true);
  EXPECT_EQ(vars["e"], "0755");
  EXPECT_EQ(vars["f"], "yes");
  EXPECT_EQ(vars["g"], 31);
  EXPECT_EQ(vars["h"], "");
  EXPECT_EQ(vars["i"], 1000.0);
  EXPECT_EQ(vars["j"], "03");
  EXPECT_EQ(vars["k"], 1);
  EXPECT_EQ(vars["v1"], "1");
  EXPECT_EQ(vars["v2"], Data::parse("[1, 2]"));
  EXPECT_EQ(vars["v3"], "hello # comment");
}

TEST(InventoryTest, PythonLiterals) {
  const auto parse = [](const std::string& text) -> Data {
    auto value = parsePythonLiteral(text, "x");
    EXPECT_TRUE(value.has_value()) << text;
    return value && *value ? **value : Data("<text>");
  };
  EXPECT_EQ(parse("(1, 2)"), Data::parse("[1, 2]"));
  EXPECT_EQ(parse("1, 2"), Data::parse("[1, 2]"));
  EXPECT_EQ(parse("(1)"), 1);
  EXPECT_EQ(parse("[(1,)]"), Data::parse("[[1]]"));
  EXPECT_EQ(parse("-(1)"), -1);
  EXPECT_EQ(parse("{'a': None, 1: 2.5}"), Data::parse(R"({"a": null, "1": 2.5})"));
  EXPECT_EQ(parse("'a' \"b\""), "ab");
  EXPECT_EQ(parse("r'\\d'"), "\\d");
  EXPECT_EQ(parse("'\\x41\\u00e9\\n'"), "A\xc3\xa9\n");
  EXPECT_EQ(parse("b'bytes'"), "bytes");
  EXPECT_EQ(parse("1_000"), 1000);
  EXPECT_EQ(parse("0o17"), 15);
  EXPECT_EQ(parse(".5"), 0.5);
  EXPECT_EQ(parse("0755"), "<text>");
  EXPECT_EQ(parse("--1"), "<text>");
  EXPECT_EQ(parse("1 + 2"), "<text>");
  EXPECT_EQ(parse("-True"), "<text>");
  EXPECT_EQ(parse("f'x'"), "<text>");
  EXPECT_EQ(parse("name"), "<text>");
  EXPECT_EQ(parse("[1, name]"), "<text>");
  EXPECT_FALSE(parsePythonLiteral("1+2j", "hosts:3").has_value());
  EXPECT_EQ(parsePythonLiteral("{1, 2}", "hosts:3").error().where(), "hosts:3");
  EXPECT_FALSE(parsePythonLiteral("99999999999999999999", "x").has_value());
}

TEST(InventoryTest, IniErrorsNameFileAndLine) {
  Error undefined = iniError("[p:children]\nx\n");
  EXPECT_EQ(undefined.where(), "hosts:2");
  EXPECT_EQ(undefined.message(), "Section [p:children] includes undefined group: x");
  EXPECT_EQ(iniError("[h]\nh1\n[x:vars]\na=1\n").message(),
            "Section [x:vars] not valid for undefined group: x");
  Error cycle = iniError("[a:children]\nb\n[b:children]\na\n");
  EXPECT_EQ(cycle.code(), ErrorCode::Cycle);
  EXPECT_EQ(cycle.where(), "hosts:4");
  EXPECT_EQ(iniError("[web:foo]\n").message(), "Section [web:foo] has unknown type: foo");
  EXPECT_EQ(iniError("[web]\nh1 novalue\n").where(), "hosts:2");
  EXPECT_NE(iniError("h1 a='x\n").message().find("No closing quotation"), std::string::npos);
  EXPECT_NE(iniError("h[1:2:3:4]\n").message().find("begin:end"), std::string::npos);
  EXPECT_NE(iniError("h1:\n").message().find("ending in ':'"), std::string::npos);
}

TEST(InventoryTest, ForwardChildrenAndDepth) {
  const Inventory inventory =
      ini("[top:children]\nmid\n[mid:children]\nleaf\n[leaf]\nh1\n[mid]\nh2\n[top]\nh3\n");
  EXPECT_EQ(inventory.findGroup("leaf")->depth, 3);
  EXPECT_EQ(inventory.hostsOf("top"), (Names{"h3", "h2", "h1"}));
  EXPECT_EQ(inventory.findGroup("all")->children, (Names{"ungrouped", "top"}));
}

TEST(InventoryTest, YamlInventory) {
  const Inventory inventory = yamlInventory(
      "all:\n"
      "  hosts:\n"
      "    top1:\n"
      "  vars: {x: 1}\n"
      "  children:\n"
      "    web:\n"
      "      hosts:\n"
      "        w[1:2]: {port: 0755}\n"
      "        w3:2222:\n"
      "    db:\n"
      "      hosts: solo\n"
      "    empty:\n");
  EXPECT_EQ(inventory.hostNames(), (Names{"top1", "w1", "w2", "w3", "solo"}));
  EXPECT_EQ(inventory.findGroup("ungrouped")->hosts, (Names{"top1"}));
  EXPECT_EQ(hostVars(inventory, "w1")["port"], 493);
  EXPECT_EQ(hostVars(inventory, "w3")["ansible_port"], 2222);
  EXPECT_EQ(hostVars(inventory, "solo")["x"], 1);
  EXPECT_NE(inventory.findGroup("empty"), nullptr);

  Inventory bad;
  auto loaded = loadYamlInventory(bad, "all:\n  hosts:\n    1:\n", "inv.yml");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().where(), "inv.yml:3:5");
  EXPECT_NE(loaded.error().message().find("must be a string"), std::string::npos);
}

TEST(InventoryTest, GroupVarsMergeByDepthPriorityAndName) {
  const Inventory inventory =
      ini("[a]\nh\n[b]\nh\n[c:children]\na\n"
          "[all:vars]\nx=all\ny=all\nz=all\n"
          "[a:vars]\nx=a\n"
          "[b:vars]\nx=b\ny=b\nansible_group_priority=10\n"
          "[c:vars]\nz=c\ny=c\n");
  const Data vars = hostVars(inventory, "h");
  // c (depth 1) < b (depth 1, priority 10) < a (depth 2).
  EXPECT_EQ(vars["x"], "a");
  EXPECT_EQ(vars["y"], "b");
  EXPECT_EQ(vars["z"], "c");
  EXPECT_FALSE(vars.contains("ansible_group_priority"));
}

TEST(InventoryTest, VarsDirectoriesFollowAnsiblePrecedence) {
  TempDir dir;
  const std::string hosts = dir.write(
      "inv/hosts",
      "[web]\nw1 lvl=host_inline\nw2\n[all:vars]\nlvl=all_inline\n[web:vars]\nlvl=web_inline\n");
  dir.write("inv/group_vars/all.yml", "lvl: gv_all\nfrom_all: 1\n");
  dir.write("inv/group_vars/web/a.yml", "lvl: gv_web\nlist: [1]\n");
  dir.write("inv/group_vars/web/b", "list: [2]\n");
  dir.write("inv/group_vars/web/skip.txt", "skipped: true\n");
  dir.write("inv/host_vars/w1.yml", "lvl: hv_w1\n");
  dir.write("play/group_vars/all.yml", "play_all: 1\n");
  dir.write("play/host_vars/w2.yml", "lvl: play_hv_w2\n");
  auto inventory = loadInventory({hosts});
  ASSERT_TRUE(inventory.has_value()) << inventory.error().describe();
  auto w1 = inventoryVars(*inventory, "w1", {dir.path("play")});
  ASSERT_TRUE(w1.has_value()) << w1.error().describe();
  EXPECT_EQ((*w1)["lvl"], "hv_w1");
  EXPECT_EQ((*w1)["list"], Data::parse("[2]"));
  EXPECT_EQ((*w1)["from_all"], 1);
  EXPECT_EQ((*w1)["play_all"], 1);
  EXPECT_FALSE(w1->contains("skipped"));
  auto w2 = inventoryVars(*inventory, "w2", {dir.path("play")});
  ASSERT_TRUE(w2.has_value());
  EXPECT_EQ((*w2)["lvl"], "play_hv_w2");
  auto w2_alone = inventoryVars(*inventory, "w2", {});
  ASSERT_TRUE(w2_alone.has_value());
  EXPECT_EQ((*w2_alone)["lvl"], "gv_web");
}

TEST(InventoryTest, SourcesDirectoriesAndHostLists) {
  TempDir dir;
  dir.write("inv/01-hosts", "[web]\nw1\n");
  dir.write("inv/02.yml", "all:\n  children:\n    web:\n      hosts:\n        w2:\n");
  dir.write("inv/03.ini", "[ignored]\nnope\n");
  dir.write("inv/README.md", "[ignored]\nnope\n");
  auto inventory = loadInventory({dir.path("inv"), "h1,h2:2222,"});
  ASSERT_TRUE(inventory.has_value()) << inventory.error().describe();
  EXPECT_EQ(inventory->hostNames(), (Names{"w1", "w2", "h1", "h2"}));
  EXPECT_EQ(inventory->findGroup("ignored"), nullptr);
  EXPECT_EQ(inventory->findHost("h2")->vars["ansible_port"], 2222);

  auto missing = loadInventory({dir.path("nope")});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(missing.error().where(), dir.path("nope"));

  dir.write("bad/group_vars/all.yml", "- not a mapping\n");
  const std::string bad_hosts = dir.write("bad/hosts", "h\n");
  auto bad = loadInventory({bad_hosts});
  ASSERT_TRUE(bad.has_value());
  auto vars = inventoryVars(*bad, "h", {});
  ASSERT_FALSE(vars.has_value());
  EXPECT_EQ(vars.error().where(), dir.path("bad/group_vars/all.yml") + ":1:1");
}

TEST(InventoryTest, ImplicitLocalhost) {
  const Inventory inventory = ini("[all:vars]\nx=1\n[web]\nw1\n");
  EXPECT_EQ(inventory.findHost("localhost"), nullptr);
  const Data vars = hostVars(inventory, "localhost");
  EXPECT_EQ(vars["ansible_connection"], "local");
  EXPECT_EQ(vars["x"], 1);
  EXPECT_EQ(inventory.hostsOf("all"), (Names{"w1"}));
  EXPECT_FALSE(inventoryVars(inventory, "nohost", {}).has_value());
}

}  // namespace
}  // namespace sc::controller
