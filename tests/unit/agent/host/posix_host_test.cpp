// B-22 on the real filesystem: PosixHost over a temp dir refuses a FIFO, a
// character device and a directory where a file is expected, without
// opening them (a FIFO open would block), and a huge sparse file as
// TooLarge without reading it. Commands run as another user
// (become_user) get that user's identity and environment.
#include "agent/host/posix_host.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tests/support/test_tree.h"
#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using nlohmann::json;

constexpr std::uint64_t kTiB = 1ull << 40;

class PosixHostSpecialFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Any blocking open would hang the test; make it fail instead.
    ::alarm(60);
    auto host = agent::PosixHost::open({temp_.path().string(), {}});
    ASSERT_TRUE(host.has_value()) << host.error().describe();
    host_ = std::move(*host);
    ASSERT_EQ(::mkdir((temp_.path() / "srv").c_str(), 0755), 0);
  }
  void TearDown() override { ::alarm(0); }

  std::string real(const std::string& path) const {
    return (temp_.path() / path.substr(1)).string();
  }

  TempDir temp_;
  std::unique_ptr<agent::PosixHost> host_;
};

TEST_F(PosixHostSpecialFilesTest, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(real("/srv/fifo").c_str(), 0644), 0);
  auto content = host_->readFile("/srv/fifo", limits::kDefaultMaxFileBytes);
  ASSERT_FALSE(content.has_value());
  EXPECT_EQ(content.error().code(), ErrorCode::UnsupportedFileType);
  EXPECT_EQ(content.error().message(), "'/srv/fifo' is a fifo, not a regular file");
  auto info = host_->stat("/srv/fifo");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->type, agent::FileType::Fifo);
}

TEST_F(PosixHostSpecialFilesTest, CharacterDeviceIsRefused) {
  if (::mknod(real("/srv/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "mknod is not permitted here: " << std::strerror(errno);
  }
  auto content = host_->readFile("/srv/null", limits::kDefaultMaxFileBytes);
  ASSERT_FALSE(content.has_value());
  EXPECT_EQ(content.error().code(), ErrorCode::UnsupportedFileType);
  EXPECT_EQ(content.error().message(), "'/srv/null' is a character device, not a regular file");
}

TEST_F(PosixHostSpecialFilesTest, DirectoryIsRefused) {
  ASSERT_EQ(::mkdir(real("/srv/dir").c_str(), 0755), 0);
  auto content = host_->readFile("/srv/dir", limits::kDefaultMaxFileBytes);
  ASSERT_FALSE(content.has_value());
  EXPECT_EQ(content.error().code(), ErrorCode::UnsupportedFileType);
  EXPECT_EQ(content.error().message(), "'/srv/dir' is a directory, not a regular file");
}

TEST_F(PosixHostSpecialFilesTest, HugeSparseFileIsTooLargeWithoutReading) {
  const int fd = ::open(real("/srv/sparse").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const int truncated = ::ftruncate(fd, static_cast<off_t>(kTiB));
  const int saved_errno = errno;
  ::close(fd);
  if (truncated != 0)
    GTEST_SKIP() << "cannot make a 1 TiB sparse file: " << std::strerror(saved_errno);
  auto content = host_->readFile("/srv/sparse", limits::kDefaultMaxFileBytes);
  ASSERT_FALSE(content.has_value());
  EXPECT_EQ(content.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(content.error().message(),
            fmt::format("'/srv/sparse' is {} bytes, over the limit of {}", kTiB,
                        limits::kDefaultMaxFileBytes));
}

// Through the kinds and the engine: the run fails the resource with the
// reason code and leaves the special file as it was.
TEST_F(PosixHostSpecialFilesTest, KindsFailOnSpecialFilesAndLeaveThemAlone) {
  ASSERT_EQ(::mkfifo(real("/srv/fifo").c_str(), 0644), 0);
  ASSERT_EQ(::mkdir(real("/srv/dir").c_str(), 0755), 0);
  const int fd = ::open(real("/srv/sparse").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const bool sparse = ::ftruncate(fd, static_cast<off_t>(kTiB)) == 0;
  ::close(fd);
  struct Case {
    std::string kind;
    json params;
    std::string reason;
  };
  std::vector<Case> cases = {
      {"copy", {{"dest", "/srv/fifo"}, {"content", "x"}}, "unsupported_file_type"},
      {"lineinfile", {{"path", "/srv/fifo"}, {"line", "x"}}, "unsupported_file_type"},
      {"blockinfile", {{"path", "/srv/fifo"}, {"block", "x"}}, "unsupported_file_type"},
      {"replace", {{"path", "/srv/fifo"}, {"regexp", "x"}}, "unsupported_file_type"},
      {"file", {{"path", "/srv/fifo"}, {"mode", "0600"}}, "unsupported_file_type"},
      {"copy", {{"dest", "/srv/dir"}, {"content", "x"}}, "unsupported_file_type"},
      {"lineinfile", {{"path", "/srv/dir"}, {"line", "x"}}, "unsupported_file_type"},
  };
  if (sparse) {
    cases.push_back({"lineinfile", {{"path", "/srv/sparse"}, {"line", "x"}}, "too_large"});
    cases.push_back({"copy", {{"dest", "/srv/sparse"}, {"content", "x"}}, "too_large"});
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind + " " + c.params.dump());
    const auto m = makeManifest({makeSpec("r", c.kind, c.params)});
    const auto report = runManifest(*host_, m);
    ASSERT_EQ(report.resources.size(), 1u);
    EXPECT_EQ(report.resources[0].outcome, agent::Outcome::Failed);
    EXPECT_EQ(report.resources[0].reason, c.reason) << report.resources[0].message;
  }
  struct stat st {};
  ASSERT_EQ(::lstat(real("/srv/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  ASSERT_EQ(::lstat(real("/srv/dir").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  if (sparse) {
    ASSERT_EQ(::lstat(real("/srv/sparse").c_str(), &st), 0);
    EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), kTiB);
  }
}

TEST_F(PosixHostSpecialFilesTest, BecomeUserRunsWithThatUsersIdentity) {
  const struct passwd* nobody = ::getpwnam("nobody");
  if (::geteuid() != 0 || nobody == nullptr) GTEST_SKIP() << "needs root and a 'nobody' user";
  const std::string home = nobody->pw_dir;
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  // The command starts in the host's "/", here the temp dir: let nobody in.
  std::filesystem::permissions(temp_.path(), std::filesystem::perms(0755));
  agent::Command command;
  command.argv = {"/bin/sh", "-c", "id -u; id -g; echo \"$HOME $USER $LOGNAME\"; pwd"};
  command.user = "nobody";
  auto ran = host_->run(command);
  ASSERT_TRUE(ran) << ran.error().describe();
  EXPECT_EQ(ran->rc, 0) << ran->stderr_text;
  EXPECT_EQ(ran->stdout_text, std::to_string(uid) + "\n" + std::to_string(gid) + "\n" + home +
                                  " nobody nobody\n" +
                                  std::filesystem::canonical(temp_.path()).string() + "\n");

  command.user = "no-such-user-here";
  auto missing = host_->run(command);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  EXPECT_NE(missing.error().message().find("no-such-user-here"), std::string::npos);
}

}  // namespace
}  // namespace sc::testing
