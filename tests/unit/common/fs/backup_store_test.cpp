// The content-addressed backup store: save, list, find, read, identical
// content stored once, and an index line cut short by a crash skipped.
#include "common/fs/backup_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/hash.h"
#include "tests/support/test_tree.h"

namespace sc::fs {
namespace {

namespace stdfs = std::filesystem;

class BackupStoreTest : public ::testing::Test {
 protected:
  stdfs::path dir() const { return temp_.path() / "backups"; }
  stdfs::path objectPath(const std::string& sha) const {
    return dir() / "objects" / sha.substr(0, 2) / sha;
  }
  std::string readIndex() const {
    std::ifstream in(dir() / "index.jsonl");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void appendToIndex(const std::string& text) const {
    std::ofstream out(dir() / "index.jsonl", std::ios::app);
    out << text;
  }

  testing::TempDir temp_;
  BackupStore store_{dir()};
};

TEST_F(BackupStoreTest, SaveKeepsContentAndMetadata) {
  auto saved = store_.save("/etc/motd", "old motd\n", 0640, 33, 34, 1'700'000'000);
  ASSERT_TRUE(saved.has_value()) << saved.error().describe();
  const std::string sha = sha256Hex("old motd\n");
  EXPECT_EQ(saved->sha256, sha);
  EXPECT_EQ(saved->id, sha.substr(0, 12));
  EXPECT_EQ(saved->size, 9u);

  struct stat object {};
  ASSERT_EQ(::stat(objectPath(sha).c_str(), &object), 0);
  EXPECT_EQ(object.st_mode & 07777, 0600u);
  struct stat top {};
  ASSERT_EQ(::stat(dir().c_str(), &top), 0);
  EXPECT_EQ(top.st_mode & 07777, 0700u);

  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  const BackupEntry& entry = listed->front();
  EXPECT_EQ(entry.path, "/etc/motd");
  EXPECT_EQ(entry.time, 1'700'000'000);
  EXPECT_EQ(entry.mode, 0640u);
  EXPECT_EQ(entry.uid, 33u);
  EXPECT_EQ(entry.gid, 34u);
  EXPECT_EQ(entry.size, 9u);
  auto content = store_.read(entry);
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(*content, "old motd\n");
}

TEST_F(BackupStoreTest, IdenticalContentIsStoredOnce) {
  ASSERT_TRUE(store_.save("/etc/a", "same\n", 0644, 0, 0, 1).has_value());
  ASSERT_TRUE(store_.save("/etc/b", "same\n", 0644, 0, 0, 2).has_value());
  ASSERT_TRUE(store_.save("/etc/a", "same\n", 0644, 0, 0, 3).has_value());
  const std::string sha = sha256Hex("same\n");
  std::size_t objects = 0;
  for (const auto& shard : stdfs::directory_iterator(dir() / "objects")) {
    for ([[maybe_unused]] const auto& object : stdfs::directory_iterator(shard)) ++objects;
  }
  EXPECT_EQ(objects, 1u);
  EXPECT_TRUE(stdfs::exists(objectPath(sha)));
  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 3u);
}

TEST_F(BackupStoreTest, ListFiltersByPathOldestFirst) {
  ASSERT_TRUE(store_.save("/etc/a", "a1", 0644, 0, 0, 10).has_value());
  ASSERT_TRUE(store_.save("/etc/b", "b1", 0644, 0, 0, 11).has_value());
  ASSERT_TRUE(store_.save("/etc/a", "a2", 0644, 0, 0, 12).has_value());
  auto of_a = store_.list(std::string("/etc/a"));
  ASSERT_TRUE(of_a.has_value());
  ASSERT_EQ(of_a->size(), 2u);
  EXPECT_EQ((*of_a)[0].time, 10);
  EXPECT_EQ((*of_a)[1].time, 12);
  auto of_c = store_.list(std::string("/etc/c"));
  ASSERT_TRUE(of_c.has_value());
  EXPECT_TRUE(of_c->empty());
}

TEST_F(BackupStoreTest, ListOfAMissingStoreIsEmpty) {
  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value());
  EXPECT_TRUE(listed->empty());
}

TEST_F(BackupStoreTest, FindGivesTheNewestOrTheOneWithAnIdPrefix) {
  ASSERT_TRUE(store_.save("/etc/a", "first", 0644, 0, 0, 10).has_value());
  ASSERT_TRUE(store_.save("/etc/a", "second", 0644, 0, 0, 20).has_value());
  auto newest = store_.find("/etc/a", std::nullopt);
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->time, 20);
  EXPECT_EQ(*store_.read(*newest), "second");

  const std::string first_id = sha256Hex("first").substr(0, 6);
  auto older = store_.find("/etc/a", first_id);
  ASSERT_TRUE(older.has_value());
  EXPECT_EQ(older->time, 10);
  EXPECT_EQ(*store_.read(*older), "first");

  auto wrong_prefix = store_.find("/etc/a", std::string("zzzz"));
  ASSERT_FALSE(wrong_prefix.has_value());
  EXPECT_EQ(wrong_prefix.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(wrong_prefix.error().message(), "no backup of '/etc/a' with id 'zzzz'");

  auto other_path = store_.find("/etc/b", std::nullopt);
  ASSERT_FALSE(other_path.has_value());
  EXPECT_EQ(other_path.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(other_path.error().message(), "no backup of '/etc/b'");
}

TEST_F(BackupStoreTest, ReadRefusesACorruptObject) {
  auto saved = store_.save("/etc/a", "original", 0644, 0, 0, 1);
  ASSERT_TRUE(saved.has_value());
  {
    std::ofstream out(objectPath(saved->sha256), std::ios::trunc);
    out << "tampered";
  }
  auto content = store_.read(*saved);
  ASSERT_FALSE(content.has_value());
  EXPECT_EQ(content.error().code(), ErrorCode::Io);
  EXPECT_NE(content.error().message().find("is corrupt"), std::string::npos);
}

TEST_F(BackupStoreTest, TornLastIndexLineIsSkipped) {
  ASSERT_TRUE(store_.save("/etc/a", "one", 0644, 0, 0, 1).has_value());
  ASSERT_TRUE(store_.save("/etc/a", "two", 0644, 0, 0, 2).has_value());
  const std::string index = readIndex();
  const auto second_line = index.find('\n') + 1;
  // A crash in the middle of the third append: half a line, no newline.
  appendToIndex(index.substr(second_line, 40));
  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].time, 2);
}

TEST_F(BackupStoreTest, SaveAfterATornLineIsStillListed) {
  ASSERT_TRUE(store_.save("/etc/a", "one", 0644, 0, 0, 1).has_value());
  appendToIndex(R"({"id":"0123456789ab","sha256":"01)");
  ASSERT_TRUE(store_.save("/etc/a", "two", 0644, 0, 0, 2).has_value());
  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u) << readIndex();
  EXPECT_EQ((*listed)[1].time, 2);
  auto newest = store_.find("/etc/a", std::nullopt);
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(*store_.read(*newest), "two");
}

TEST_F(BackupStoreTest, GarbageLinesAreSkipped) {
  ASSERT_TRUE(store_.save("/etc/a", "one", 0644, 0, 0, 1).has_value());
  appendToIndex("not json\n[1,2]\n{\"path\": \"/etc/a\"}\n");
  ASSERT_TRUE(store_.save("/etc/a", "two", 0644, 0, 0, 2).has_value());
  auto listed = store_.list(std::nullopt);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].time, 1);
  EXPECT_EQ((*listed)[1].time, 2);
}

}  // namespace
}  // namespace sc::fs
