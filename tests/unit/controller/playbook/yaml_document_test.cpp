// Loading YAML with positions: nodes keep file:line:col, and what would
// pass silently or hurt (duplicate keys, deep nesting, alias bombs, syntax
// errors) is an error naming the place, rendered with the line and a caret.
// Files over the size limit are refused.
#include "controller/playbook/yaml_document.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/test_tree.h"

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

// Files: read whole and parsed with their positions; a file over the limit
// is refused without reading more than the limit; what cannot be read
// names the path.
class YamlFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = temp_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  sc::testing::TempDir temp_;
};

TEST_F(YamlFileTest, ReadsAFileWithPositions) {
  const std::string path = write("vars.yml", "a: 1\nitems:\n  - x\n  - y\n");
  auto documents = loadYamlFile(path);
  ASSERT_TRUE(documents.has_value()) << documents.error().describe();
  ASSERT_EQ(documents->size(), 1u);
  const Node* items = documents->front().find("items");
  ASSERT_NE(items, nullptr);
  ASSERT_EQ(items->items.size(), 2u);
  EXPECT_EQ(items->items[1].scalar, "y");
  EXPECT_EQ(items->items[1].position.text(), path + ":4:5");
}

TEST_F(YamlFileTest, AFileOverTheLimitIsRefused) {
  YamlLimits limits;
  limits.max_bytes = 64;
  const std::string path = write("big.yml", "k: " + std::string(200, 'v') + "\n");
  auto documents = loadYamlFile(path, limits);
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(documents.error().where(), path);
  EXPECT_EQ(documents.error().message(), "more than 64 bytes, over the limit of 64");
  const std::string fits = write("fits.yml", "k: " + std::string(60, 'v'));
  EXPECT_TRUE(loadYamlFile(fits, limits).has_value());
}

TEST_F(YamlFileTest, WhatCannotBeReadNamesThePath) {
  const std::string missing = (temp_.path() / "missing.yml").string();
  auto documents = loadYamlFile(missing);
  ASSERT_FALSE(documents.has_value());
  EXPECT_EQ(documents.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(documents.error().where(), missing);
  auto directory = loadYamlFile(temp_.path().string());
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().where(), temp_.path().string());
  EXPECT_NE(directory.error().describe().find("Is a directory"), std::string::npos)
      << directory.error().describe();
}

}  // namespace
}  // namespace sc::controller::yaml
