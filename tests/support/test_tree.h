// TestTree: one way for tests to seed, change and snapshot the managed tree
// whichever Host they run against: FakeHost in memory, or PosixHost over a
// fresh temporary directory (so contract tests run on the real filesystem
// too).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "agent/host/host.h"
#include "tests/support/fake_host.h"

namespace sc::testing {

class TestTree {
 public:
  virtual ~TestTree() = default;
  virtual agent::Host& host() = 0;
  virtual void addDirectory(const std::string& path, mode_t mode = 0755) = 0;
  virtual void addFile(const std::string& path, const std::string& content, mode_t mode = 0644) = 0;
  virtual void addSymlink(const std::string& path, const std::string& target) = 0;
  virtual void remove(const std::string& path) = 0;
  virtual void chmod(const std::string& path, mode_t mode) = 0;
  virtual std::string read(const std::string& path) = 0;
  // Every path with its type, mode, size, content and mtime: equal
  // snapshots mean nothing changed.
  virtual std::string snapshot() = 0;
  // The path a program run by the host sees.
  std::string real(const std::string& path) { return host().realPath(path); }
};

std::unique_ptr<TestTree> makeFakeTree();
std::unique_ptr<TestTree> makePosixTree();  // under a fresh temp dir, removed on destruction

// A fresh temporary directory, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sc::testing
