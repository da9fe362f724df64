// Task lists as written: the module is told from keywords, arguments in
// every spelling end up as one mapping, and typos, legacy keywords and
// malformed entries are errors naming the place and, where one is near,
// the intended word.
#include "controller/playbook/task.h"

#include <gtest/gtest.h>

#include <string>

namespace sc::controller::playbook {
namespace {

Result<std::vector<Task>> parseTasks(const std::string& text, Place place = Place::Task) {
  auto documents = yaml::parseYaml(text, "tasks.yml");
  if (!documents) return tl::unexpected(documents.error());
  return parseTaskList(documents->front(), place);
}

std::vector<Task> parseOk(const std::string& text) {
  auto tasks = parseTasks(text);
  EXPECT_TRUE(tasks.has_value()) << (tasks ? "" : tasks.error().describe());
  return tasks ? *tasks : std::vector<Task>{};
}

Error parseError(const std::string& text, Place place = Place::Task) {
  auto tasks = parseTasks(text, place);
  EXPECT_FALSE(tasks.has_value()) << text;
  return tasks ? Error(ErrorCode::Internal, "parsed") : tasks.error();
}

std::string argument(const Task& task, const std::string& key) {
  const yaml::Node* value = task.args.find(key);
  return value == nullptr ? "<absent>" : value->scalar;
}

TEST(TaskTest, KeyValueStringsBecomeStringArguments) {
  const auto tasks = parseOk("- name: nginx\n  apt: name=nginx state=present\n  become: yes\n");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].action, "apt");
  EXPECT_EQ(argument(tasks[0], "name"), "nginx");
  EXPECT_EQ(argument(tasks[0], "state"), "present");
  EXPECT_TRUE(tasks[0].args.find("state")->quoted);
  ASSERT_NE(tasks[0].keyword("become"), nullptr);
  EXPECT_EQ(tasks[0].keyword("name")->scalar, "nginx");
}

TEST(TaskTest, BothSpellingsOfAModuleAreTheSameModule) {
  const auto tasks = parseOk(
      "- ansible.builtin.copy: {src: a, dest: b}\n"
      "- community.general.ufw: rule=allow port=22\n"
      "- ansible.legacy.file: path=/x state=directory\n");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].action, "copy");
  EXPECT_EQ(tasks[0].action_as_written, "ansible.builtin.copy");
  EXPECT_EQ(tasks[1].action, "ufw");
  EXPECT_EQ(tasks[2].action, "file");
  EXPECT_EQ(argument(tasks[0], "dest"), "b");
}

TEST(TaskTest, FreeFormCommandsKeepTheirCommandLine) {
  const auto tasks = parseOk("- shell: creates=/x chdir=/tmp make  install >log\n");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(argument(tasks[0], "creates"), "/x");
  EXPECT_EQ(argument(tasks[0], "chdir"), "/tmp");
  EXPECT_EQ(argument(tasks[0], "_raw_params"), "make  install >log");
}

TEST(TaskTest, ModuleArgumentsWinOverArgsKeyword) {
  const auto tasks = parseOk(
      "- command: echo hi\n  args:\n    chdir: /a\n    creates: /b\n"
      "- file: path=/y\n  args: {path: /x, state: touch}\n");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(argument(tasks[0], "chdir"), "/a");
  EXPECT_EQ(argument(tasks[0], "_raw_params"), "echo hi");
  EXPECT_EQ(argument(tasks[1], "path"), "/y");
  EXPECT_EQ(argument(tasks[1], "state"), "touch");
}

TEST(TaskTest, ActionAndLocalActionNameTheModule) {
  const auto tasks = parseOk(
      "- action: copy src=a dest=b\n"
      "- local_action: {module: stat, path: /etc/hosts}\n");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].action, "copy");
  EXPECT_EQ(argument(tasks[0], "src"), "a");
  EXPECT_EQ(tasks[1].action, "stat");
  EXPECT_EQ(argument(tasks[1], "path"), "/etc/hosts");
  ASSERT_NE(tasks[1].keyword("delegate_to"), nullptr);
  EXPECT_EQ(tasks[1].keyword("delegate_to")->scalar, "localhost");
}

TEST(TaskTest, LoopsAreRecordedByKind) {
  const auto tasks = parseOk(
      "- debug: msg={{ item }}\n  with_items: [1, 2]\n"
      "- debug: msg={{ item }}\n  loop: [1]\n  loop_control: {label: x}\n");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].loop_kind, "items");
  EXPECT_EQ(tasks[1].loop_kind, "loop");
  EXPECT_NE(tasks[1].keyword("loop_control"), nullptr);
}

TEST(TaskTest, BlocksHoldTheirTaskLists) {
  const auto tasks = parseOk(
      "- name: try\n  block:\n    - command: /bin/false\n  rescue:\n    - debug: msg=x\n"
      "  always:\n    - debug: msg=y\n  when: a\n");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].is_block);
  EXPECT_EQ(tasks[0].block.size(), 1u);
  EXPECT_EQ(tasks[0].rescue.size(), 1u);
  EXPECT_EQ(tasks[0].always.size(), 1u);
  EXPECT_NE(tasks[0].keyword("when"), nullptr);
}

TEST(TaskTest, MisspeltModuleIsAnErrorWithASuggestion) {
  const Error error = parseError("- name: x\n  coppy: src=a dest=b\n");
  EXPECT_EQ(error.where(), "tasks.yml:2:3");
  EXPECT_NE(error.message().find("unknown module or task keyword 'coppy'; did you mean 'copy'?"),
            std::string::npos)
      << error.message();
}

TEST(TaskTest, MisspeltKeywordBesideAModuleIsAnErrorWithASuggestion) {
  const Error error = parseError("- copy: src=a dest=b\n  whne: x\n");
  EXPECT_EQ(error.where(), "tasks.yml:2:3");
  EXPECT_NE(error.message().find("unknown task keyword 'whne'; did you mean 'when'?"),
            std::string::npos)
      << error.message();
}

TEST(TaskTest, ListenIsAHandlerKeywordOnly) {
  auto handlers =
      parseTasks("- service: name=nginx state=reloaded\n  listen: reload web\n", Place::Handler);
  ASSERT_TRUE(handlers) << handlers.error().describe();
  const Error error = parseError("- service: name=nginx state=reloaded\n  listen: reload web\n");
  EXPECT_NE(error.message().find("unknown task keyword 'listen'"), std::string::npos);
}

TEST(TaskTest, LegacySudoGetsAPointedError) {
  const Error error = parseError("- apt: name=x\n  sudo: yes\n");
  EXPECT_EQ(error.where(), "tasks.yml:2:3");
  EXPECT_NE(error.message().find("use become:"), std::string::npos) << error.message();
}

TEST(TaskTest, MalformedTasksAreErrorsNamingThePlace) {
  EXPECT_NE(parseError("- copy: src=a\n  file: path=b\n")
                .message()
                .find("conflicting action statements: 'copy' and 'file'"),
            std::string::npos);
  EXPECT_NE(parseError("- name: nothing\n  when: x\n").message().find("no module"),
            std::string::npos);
  EXPECT_NE(parseError("- just a string\n").message().find("must be a mapping"), std::string::npos);
  EXPECT_NE(parseError("- copy: src=a stray\n").message().find("'stray' is not one"),
            std::string::npos);
  EXPECT_NE(parseError("- copy: [a, b]\n").message().find("not a list"), std::string::npos);
  EXPECT_NE(
      parseError("- debug: msg=x\n  loop: [1]\n  with_items: [2]\n").message().find("one loop"),
      std::string::npos);
  EXPECT_NE(parseError("- block: []\n  notify: x\n").message().find("unknown block keyword"),
            std::string::npos);
  EXPECT_NE(parseError("- copy: x='unbalanced\n").message().find("unbalanced"), std::string::npos);
}

}  // namespace
}  // namespace sc::controller::playbook
