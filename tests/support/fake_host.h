// FakeHost: an in-memory Host for unit and contract tests. Files,
// directories and links live in a map; users and groups come from a small
// table; commands are answered by a script the test supplies. Every change
// bumps generation(), so a test can prove observe() changed nothing.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "agent/host/host.h"

namespace sc::testing {

class FakeHost final : public agent::Host {
 public:
  struct Node {
    agent::FileType type = agent::FileType::Regular;
    std::string content;  // file content or link target
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t atime_ns = 0;
    std::uint64_t inode = 0;
  };
  using CommandScript = std::function<agent::CommandResult(const agent::Command&, FakeHost&)>;

  FakeHost();

  // Seeding and inspection.
  void addDirectory(const std::string& path, mode_t mode = 0755);
  void addFile(const std::string& path, std::string content, mode_t mode = 0644);
  void addSymlink(const std::string& path, std::string target);
  void addNode(const std::string& path, Node node);
  const Node* find(const std::string& path) const;
  Node* findMutable(const std::string& path);
  const std::map<std::string, Node>& nodes() const { return nodes_; }
  void setCommandScript(CommandScript script) { script_ = std::move(script); }
  std::uint64_t generation() const { return generation_; }
  std::vector<agent::Command>& commands() { return commands_; }
  void advanceClock(std::int64_t ns) { now_ns_ += ns; }

  // Host.
  Result<agent::FileInfo> stat(const std::string& path) override;
  Result<std::string> readFile(const std::string& path, std::uint64_t max_bytes) override;
  Result<std::string> readLink(const std::string& path) override;
  Result<uid_t> userId(const std::string& name) override;
  Result<gid_t> groupId(const std::string& name) override;
  std::string userName(uid_t uid) override;
  std::string groupName(gid_t gid) override;
  std::string realPath(const std::string& path) const override { return "/fake" + path; }
  Result<void> writeFile(const std::string& path, std::string_view content,
                         const agent::FileAttrs& attrs,
                         const agent::BeforeCommit& before_commit) override;
  Result<void> makeDirectory(const std::string& path, const agent::FileAttrs& attrs) override;
  Result<void> setAttrs(const std::string& path, const agent::FileAttrs& attrs) override;
  Result<void> makeSymlink(const std::string& path, const std::string& target) override;
  Result<void> makeHardLink(const std::string& path, const std::string& existing) override;
  Result<void> remove(const std::string& path) override;
  Result<void> setTimes(const std::string& path, std::int64_t atime_ns,
                        std::int64_t mtime_ns) override;
  Result<agent::CommandResult> run(const agent::Command& command) override;
  std::int64_t nowNs() const override { return now_ns_; }

 private:
  Result<void> checkParent(const std::string& path) const;
  void touchGeneration() {
    ++generation_;
    now_ns_ += 1000;
  }

  std::map<std::string, Node> nodes_;
  std::map<std::string, uid_t> users_{{"root", 0}, {"www-data", 33}, {"nobody", 65534}};
  std::map<std::string, gid_t> groups_{{"root", 0}, {"www-data", 33}, {"nogroup", 65534}};
  CommandScript script_;
  std::vector<agent::Command> commands_;
  std::uint64_t generation_ = 0;
  std::uint64_t next_inode_ = 100;
  std::int64_t now_ns_ = 1'700'000'000'000'000'000LL;
};

}  // namespace sc::testing
