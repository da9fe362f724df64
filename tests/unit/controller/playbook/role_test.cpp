// Roles on disk: found in Ansible's search order (Galaxy-style names are
// plain directory names), loaded with tasks, handlers, defaults, vars and
// meta dependencies; a missing role names every place it looked.
#include "controller/playbook/role.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::controller::playbook {
namespace {

namespace fs = std::filesystem;

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(RoleTest, FoundInAnsiblesSearchOrder) {
  sc::testing::TempDir dir;
  const fs::path playbook = dir.path() / "site";
  const fs::path shared = dir.path() / "shared-roles";
  fs::create_directories(playbook / "roles/web");
  fs::create_directories(shared / "web");
  fs::create_directories(shared / "geerlingguy.php");
  fs::create_directories(playbook / "local/db");
  const yaml::Position at{"site.yml", 3, 7};

  auto web = findRole("web", playbook.string(), {shared.string()}, at);
  ASSERT_TRUE(web) << web.error().describe();
  EXPECT_EQ(*web, fs::canonical(playbook / "roles/web").string());
  auto galaxy = findRole("geerlingguy.php", playbook.string(), {shared.string()}, at);
  ASSERT_TRUE(galaxy) << galaxy.error().describe();
  EXPECT_EQ(*galaxy, fs::canonical(shared / "geerlingguy.php").string());
  auto by_path = findRole("local/db", playbook.string(), {}, at);
  ASSERT_TRUE(by_path) << by_path.error().describe();
  EXPECT_EQ(*by_path, fs::canonical(playbook / "local/db").string());

  auto missing = findRole("nginx", playbook.string(), {shared.string()}, at);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(missing.error().where(), "site.yml:3:7");
  EXPECT_NE(missing.error().message().find((shared / "nginx").string()), std::string::npos);
  auto collection = findRole("ns.coll.role", playbook.string(), {}, at);
  ASSERT_FALSE(collection);
  EXPECT_NE(collection.error().message().find("collections"), std::string::npos);
}

TEST(RoleTest, LoadsEveryPart) {
  sc::testing::TempDir dir;
  const fs::path role = dir.path() / "web";
  writeFile(role / "tasks/main.yml", "- template: src=site.j2 dest=/etc/site\n  notify: reload\n");
  writeFile(role / "tasks/extra.yaml", "- debug: msg=extra\n- debug: msg=two\n");
  writeFile(role / "handlers/main.yml", "- name: reload\n  service: name=nginx state=reloaded\n");
  writeFile(role / "defaults/main.yml", "port: 80\n");
  writeFile(role / "vars/main.yml", "user: www-data\n");
  writeFile(role / "meta/main.yml",
            "galaxy_info: {author: x}\nallow_duplicates: true\n"
            "dependencies:\n  - common\n  - {role: php, php_version: '8.2'}\n");
  auto loaded = loadRole("web", role.string());
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(loaded->tasks.size(), 1u);
  EXPECT_EQ(loaded->tasks[0].action, "template");
  EXPECT_EQ(loaded->handlers.size(), 1u);
  ASSERT_TRUE(loaded->defaults.isMapping());
  EXPECT_EQ(loaded->defaults.find("port")->scalar, "80");
  EXPECT_EQ(loaded->vars.find("user")->scalar, "www-data");
  ASSERT_EQ(loaded->dependencies.size(), 2u);
  EXPECT_EQ(loaded->dependencies[1].name, "php");
  EXPECT_EQ(loaded->dependencies[1].parameters.size(), 1u);
  EXPECT_TRUE(loaded->allow_duplicates);

  auto extra = loadRole("web", role.string(), "extra");
  ASSERT_TRUE(extra) << extra.error().describe();
  EXPECT_EQ(extra->tasks.size(), 2u);
  auto absent = loadRole("web", role.string(), "nope");
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message().find("no task file 'nope'"), std::string::npos);
}

TEST(RoleTest, ARoleWithOnlyTasksIsFineAndBadPartsAreErrors) {
  sc::testing::TempDir dir;
  writeFile(dir.path() / "min/tasks/main.yml", "- debug: msg=x\n");
  auto minimal = loadRole("min", (dir.path() / "min").string());
  ASSERT_TRUE(minimal) << minimal.error().describe();
  EXPECT_TRUE(minimal->defaults.isNull());
  EXPECT_TRUE(minimal->dependencies.empty());

  writeFile(dir.path() / "bad/defaults/main.yml", "- not\n- a mapping\n");
  auto bad = loadRole("bad", (dir.path() / "bad").string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().where().find("main.yml:1:1"), std::string::npos) << bad.error().where();
  writeFile(dir.path() / "typo/tasks/main.yml", "- name: x\n  templat: src=a dest=b\n");
  auto typo = loadRole("typo", (dir.path() / "typo").string());
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message().find("'template'"), std::string::npos);
}

}  // namespace
}  // namespace sc::controller::playbook
