#include "tests/support/test_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "agent/host/posix_host.h"
#include "common/error.h"

namespace sc::testing {
namespace {

namespace stdfs = std::filesystem;

class FakeTree final : public TestTree {
 public:
  FakeTree() {
    fake_.setCommandScript([](const agent::Command& command, FakeHost& host) {
      // Enough of a shell for the samples: `touch PATH` and `sh -c 'touch PATH'`.
      std::string target;
      if (command.argv.size() == 2 && command.argv[0] == "touch") target = command.argv[1];
      if (command.argv.size() == 3 && command.argv[1] == "-c" &&
          command.argv[2].rfind("touch ", 0) == 0) {
        target = command.argv[2].substr(6);
      }
      if (target.rfind("/fake", 0) == 0) host.addFile(target.substr(5), "");
      return agent::CommandResult{0, "done\n", "", false};
    });
  }
  agent::Host& host() override { return fake_; }
  void addDirectory(const std::string& path, mode_t mode) override {
    fake_.addDirectory(path, mode);
  }
  void addFile(const std::string& path, const std::string& content, mode_t mode) override {
    fake_.addFile(path, content, mode);
  }
  void addSymlink(const std::string& path, const std::string& target) override {
    fake_.addSymlink(path, target);
  }
  void remove(const std::string& path) override { (void)fake_.remove(path); }
  void chmod(const std::string& path, mode_t mode) override {
    fake_.findMutable(path)->mode = mode;
  }
  std::string read(const std::string& path) override {
    const auto* node = fake_.find(path);
    return node ? node->content : std::string("<missing>");
  }
  std::string snapshot() override {
    std::ostringstream out;
    for (const auto& [path, node] : fake_.nodes()) {
      out << path << ' ' << static_cast<int>(node.type) << ' ' << node.mode << ' ' << node.uid
          << ' ' << node.mtime_ns << ' ' << node.content << '\n';
    }
    return out.str();
  }

 private:
  FakeHost fake_;
};

class PosixTree final : public TestTree {
 public:
  PosixTree() {
    auto host = agent::PosixHost::open({dir_.path().string(), {}});
    SC_CHECK(host.has_value(), "a fresh temp dir opens");
    host_ = std::move(*host);
  }
  agent::Host& host() override { return *host_; }
  stdfs::path at(const std::string& path) { return dir_.path().string() + path; }
  void addDirectory(const std::string& path, mode_t mode) override {
    stdfs::create_directories(at(path));
    ::chmod(at(path).c_str(), mode);
  }
  void addFile(const std::string& path, const std::string& content, mode_t mode) override {
    stdfs::create_directories(at(path).parent_path());
    std::ofstream(at(path), std::ios::binary | std::ios::trunc) << content;
    ::chmod(at(path).c_str(), mode);
  }
  void addSymlink(const std::string& path, const std::string& target) override {
    stdfs::create_directories(at(path).parent_path());
    stdfs::create_symlink(target, at(path));
  }
  void remove(const std::string& path) override { stdfs::remove_all(at(path)); }
  void chmod(const std::string& path, mode_t mode) override { ::chmod(at(path).c_str(), mode); }
  std::string read(const std::string& path) override {
    std::ifstream in(at(path), std::ios::binary);
    if (!in) return "<missing>";
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string snapshot() override {
    std::ostringstream out;
    for (const auto& entry : stdfs::recursive_directory_iterator(dir_.path())) {
      struct stat st {};
      ::lstat(entry.path().c_str(), &st);
      out << entry.path().string() << ' ' << st.st_mode << ' ' << st.st_uid << ' ' << st.st_size
          << ' ' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << ' ' << st.st_ino;
      if (S_ISREG(st.st_mode))
        out << ' ' << read(entry.path().string().substr(dir_.path().string().size()));
      out << '\n';
    }
    return out.str();
  }

 private:
  TempDir dir_;
  std::unique_ptr<agent::PosixHost> host_;
};

}  // namespace

TempDir::TempDir() {
  std::string pattern = (stdfs::temp_directory_path() / "sc-test-XXXXXX").string();
  SC_CHECK(::mkdtemp(pattern.data()) != nullptr, "the temp directory is writable");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  stdfs::remove_all(path_, ec);
}

std::unique_ptr<TestTree> makeFakeTree() { return std::make_unique<FakeTree>(); }
std::unique_ptr<TestTree> makePosixTree() { return std::make_unique<PosixTree>(); }

}  // namespace sc::testing
