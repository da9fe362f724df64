// Loading YAML with positions: nodes keep file:line:col, and what would
// pass silently or hurt (duplicate keys, deep nesting, alias bombs, syntax
// errors) is an error naming the place, rendered with the line and a caret.
#include "controller/playbook/yaml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace sc::controller::yaml {
namespace {

Node parseOne(const std::string& text) {
  auto documents = parseYaml(text, "site.yml");
  EXPECT_TRUE(documents.has_value()) << (documents ? "" : documents.error().describe());
  if (!documents || documents->empty()) return {};
  return documents->front();
}

TEST(YamlDocumentTest, NodesKeepFileLineAndColumn) {
  const Node root = parseOne(
      "- name: web\n"
      "  hosts: all\n"
      "  tasks:\n"
      "    - copy: src=a dest=b\n");
  ASSERT_TRUE(root.isSequence());
  const Node& play = root.items.at(0);
  EXPECT_EQ(play.position.text(), "site.yml:1:3");
  const Node* tasks = play.find("tasks");
  ASSERT_NE(tasks, nullptr);
  const Node& task = tasks->items.at(0);
  EXPECT_EQ(task.position.text(), "site.yml:4:7");
  EXPECT_EQ(task.entries.at(0).first.scalar, "copy");
  EXPECT_EQ(task.entries.at(0).second.scalar, "src=a dest=b");
  EXPECT_EQ(task.entries.at(0).second.position.text(), "site.yml:4:13");
}

TEST(YamlDocumentTest, ScalarsStayTextWithTheirStyle) {
  const Node root = parseOne("a: yes\nb: \"yes\"\nc: 0644\nd: !vault |\n  abc\ne:\n");
  EXPECT_EQ(root.find("a")->scalar, "yes");
  EXPECT_FALSE(root.find("a")->quoted);
  EXPECT_TRUE(root.find("b")->quoted);
  EXPECT_EQ(root.find("c")->scalar, "0644");
  EXPECT_EQ(root.find("d")->tag, "!vault");
  EXPECT_TRUE(root.find("e")->isNull());
}

TEST(YamlDocumentTest, DuplicateKeysAreErrorsAtTheSecondKey) {
  auto documents = parseYaml("name: a\nhosts: all\nname: b\n", "site.yml");
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().where(), "site.yml:3:1");
  EXPECT_NE(documents.error().message().find("duplicate key 'name' (first at line 1)"),
            std::string::npos);
}

TEST(YamlDocumentTest, MergeKeysFollowYaml11) {
  const Node root = parseOne(
      "defaults: &d {user: www-data, mode: '0644'}\n"
      "site:\n"
      "  <<: *d\n"
      "  mode: '0600'\n");
  const Node* site = root.find("site");
  ASSERT_NE(site, nullptr);
  EXPECT_EQ(site->find("user")->scalar, "www-data");
  // The mapping's own key wins over the merged one, wherever it stands.
  EXPECT_EQ(site->entries.size(), 2u);
  EXPECT_EQ(site->find("mode")->scalar, "0600");
}

TEST(YamlDocumentTest, SyntaxErrorsNameTheLineAndShowACaret) {
  const std::string text = "- hosts: all\n  tasks:\n    - name: x\n     bad: [\n";
  auto documents = parseYaml(text, "site.yml");
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().code(), ErrorCode::Parse);
  const std::string rendered = renderDiagnostic(documents.error(), text);
  EXPECT_NE(rendered.find("site.yml:"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find(" | "), std::string::npos) << rendered;
  EXPECT_NE(rendered.find('^'), std::string::npos) << rendered;
}

TEST(YamlDocumentTest, TabIndentationIsNamed) {
  auto documents = parseYaml("a:\n\tb: 1\n", "site.yml");
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().where(), "site.yml:2:3");
  EXPECT_NE(documents.error().message().find("indented with a tab"), std::string::npos)
      << documents.error().describe();
}

TEST(YamlDocumentTest, RenderedDiagnosticPointsAtTheColumn) {
  const Error error(ErrorCode::Schema, "unknown module 'coppy'; did you mean 'copy'?",
                    "site.yml:2:7");
  const std::string rendered = renderDiagnostic(error, "- hosts: all\n    - coppy: a\n");
  EXPECT_EQ(rendered,
            "site.yml:2:7: error: unknown module 'coppy'; did you mean 'copy'? [schema]\n"
            "    2 |     - coppy: a\n"
            "      |       ^");
}

TEST(YamlDocumentTest, DeepNestingIsRefusedWithoutCrashing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto documents = parseYaml(deep, "deep.yml");
  ASSERT_FALSE(documents.has_value());
  EXPECT_TRUE(documents.error().code() == ErrorCode::TooDeep ||
              documents.error().code() == ErrorCode::Parse)
      << documents.error().describe();
}

TEST(YamlDocumentTest, AliasBombsStopAtTheNodeBudget) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'j'; ++name) {
    text += fmt::format("{0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n",
                        name, previous);
    previous = name;
  }
  auto documents = parseYaml(text, "bomb.yml");
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().code(), ErrorCode::TooLarge);
  EXPECT_NE(documents.error().message().find("alias bomb"), std::string::npos);
}

TEST(YamlDocumentTest, SeveralDocuments) {
  auto documents = parseYaml("a: 1\n---\nb: 2\n", "multi.yml");
  ASSERT_TRUE(documents.has_value());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ(documents->at(1).find("b")->position.text(), "multi.yml:3:4");
}

}  // namespace
}  // namespace sc::controller::yaml
