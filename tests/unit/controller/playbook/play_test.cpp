// Playbooks: plays with their keywords, roles and task lists, imports
// followed in order, and malformed plays refused naming the place.
#include "controller/playbook/play.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::controller::playbook {
namespace {

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(PlayTest, PlaysKeepTheirPartsInOrder) {
  sc::testing::TempDir dir;
  writeFile(dir.path() / "site.yml",
            "- name: web\n"
            "  hosts: web:&prod\n"
            "  become: true\n"
            "  vars: {port: 80}\n"
            "  roles:\n"
            "    - common\n"
            "    - {role: geerlingguy.php, php_version: '8.2', tags: php, when: x}\n"
            "  pre_tasks:\n    - debug: msg=pre\n"
            "  tasks:\n    - copy: src=a dest=/b\n      notify: reload\n"
            "  post_tasks:\n    - debug: msg=post\n"
            "  handlers:\n    - service: name=nginx state=reloaded\n      listen: reload\n");
  auto plays = loadPlaybook((dir.path() / "site.yml").string());
  ASSERT_TRUE(plays) << plays.error().describe();
  ASSERT_EQ(plays->size(), 1u);
  const Play& play = plays->front();
  EXPECT_EQ(play.name, "web");
  EXPECT_EQ(play.hosts.scalar, "web:&prod");
  EXPECT_NE(play.keyword("become"), nullptr);
  EXPECT_NE(play.keyword("vars"), nullptr);
  ASSERT_EQ(play.roles.size(), 2u);
  EXPECT_EQ(play.roles[0].name, "common");
  EXPECT_EQ(play.roles[1].name, "geerlingguy.php");
  ASSERT_EQ(play.roles[1].parameters.size(), 1u);
  EXPECT_EQ(play.roles[1].parameters[0].first, "php_version");
  EXPECT_NE(findKeyword(play.roles[1].keywords, "tags"), nullptr);
  EXPECT_NE(findKeyword(play.roles[1].keywords, "when"), nullptr);
  EXPECT_EQ(play.pre_tasks.size(), 1u);
  EXPECT_EQ(play.tasks.size(), 1u);
  EXPECT_EQ(play.post_tasks.size(), 1u);
  ASSERT_EQ(play.handlers.size(), 1u);
  EXPECT_NE(play.handlers[0].keyword("listen"), nullptr);
  EXPECT_EQ(play.directory, std::filesystem::canonical(dir.path()).string());
}

TEST(PlayTest, ImportsAreFollowedInOrderAndCarryTheirKeywords) {
  sc::testing::TempDir dir;
  writeFile(dir.path() / "site.yml",
            "- hosts: all\n  tasks: []\n  name: first\n"
            "- import_playbook: sub/db.yml\n  when: db_enabled\n"
            "- ansible.builtin.import_playbook: last.yml\n");
  writeFile(dir.path() / "sub/db.yml", "- hosts: db\n  name: db\n- import_playbook: ../last.yml\n");
  writeFile(dir.path() / "last.yml", "- hosts: all\n  name: last\n");
  auto plays = loadPlaybook((dir.path() / "site.yml").string());
  ASSERT_TRUE(plays) << plays.error().describe();
  ASSERT_EQ(plays->size(), 4u);
  EXPECT_EQ((*plays)[0].name, "first");
  EXPECT_EQ((*plays)[1].name, "db");
  ASSERT_EQ((*plays)[1].imported_with.size(), 1u);
  EXPECT_NE(findKeyword((*plays)[1].imported_with[0], "when"), nullptr);
  EXPECT_EQ((*plays)[2].name, "last");
  EXPECT_EQ((*plays)[2].imported_with.size(), 2u);
  EXPECT_EQ((*plays)[3].name, "last");
}

TEST(PlayTest, ImportCyclesAndMissingFilesAreErrors) {
  sc::testing::TempDir dir;
  writeFile(dir.path() / "a.yml", "- import_playbook: b.yml\n");
  writeFile(dir.path() / "b.yml", "- import_playbook: a.yml\n");
  auto cycle = loadPlaybook((dir.path() / "a.yml").string());
  ASSERT_FALSE(cycle);
  EXPECT_EQ(cycle.error().code(), ErrorCode::Cycle);
  EXPECT_NE(cycle.error().where().find("b.yml:1:20"), std::string::npos) << cycle.error().where();

  writeFile(dir.path() / "c.yml", "- import_playbook: nowhere.yml\n");
  auto missing = loadPlaybook((dir.path() / "c.yml").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  EXPECT_NE(missing.error().where().find("c.yml:1:20"), std::string::npos);
}

Error parseError(const std::string& text) {
  auto documents = yaml::parseYaml(text, "site.yml");
  EXPECT_TRUE(documents);
  auto plays = parsePlaybook(*documents, "site.yml", ".");
  EXPECT_FALSE(plays) << text;
  return plays ? Error(ErrorCode::Internal, "parsed") : plays.error();
}

TEST(PlayTest, MalformedPlaysAreErrorsNamingThePlace) {
  Error typo = parseError("- hosts: all\n  taks: []\n");
  EXPECT_EQ(typo.where(), "site.yml:2:3");
  EXPECT_NE(typo.message().find("unknown play keyword 'taks'; did you mean 'tags' or 'tasks'?"),
            std::string::npos);
  EXPECT_NE(parseError("- include: other.yml\n").message().find("use import_playbook:"),
            std::string::npos);
  EXPECT_NE(parseError("- tasks: []\n").message().find("needs hosts:"), std::string::npos);
  EXPECT_NE(parseError("hosts: all\n").message().find("list of plays"), std::string::npos);
  EXPECT_NE(parseError("- hosts: all\n  roles: [{tags: x}]\n").message().find("role name"),
            std::string::npos);
  EXPECT_NE(parseError("- hosts: all\n  tasks:\n    - coppy: a=b\n").message().find("'copy'"),
            std::string::npos);
}

}  // namespace
}  // namespace sc::controller::playbook
