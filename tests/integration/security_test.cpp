// SECURITY.md T-22 (symlink / TOCTOU on writes), T-23 (drift read through a
// symlink), T-24 (permission window), T-25 (secret leakage) and T-29
// (unprivileged agent), with the real sc-agent on real files.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {
namespace stdfs = std::filesystem;
using std::chrono::seconds;

class SecurityTest : public ::testing::Test, public AgentFixture {
 protected:
  // A decoy "/etc" outside the managed root.
  void makeDecoy() {
    decoy_ = tmp() / "decoy-etc";
    stdfs::create_directories(decoy_);
    writeFile(decoy_ / "app.conf", "decoy app\n");
    writeFile(decoy_ / "shadow", "root:$6$decoy:19000:0:99999:7:::\n", 0600);
    for (int i = 0; i < 50; ++i) writeFile(decoy_ / fmt::format("f{:02}", i), "decoy\n");
  }
  stdfs::path decoy_;
};

// T-22 static cases: the target is a symlink, a parent is a symlink.
TEST_F(SecurityTest, SymlinkTargetAndParentAreRefused) {
  makeDecoy();
  const std::string before = treeDigest(decoy_);
  stdfs::create_directories(real("/etc"));
  stdfs::create_symlink(decoy_ / "app.conf", real("/etc/app.conf"));
  stdfs::create_symlink(decoy_, real("/linked"));
  auto doc = manifest({copy("target-link", "/etc/app.conf", "pwned\n"),
                       copy("parent-link", "/linked/app.conf", "pwned\n"),
                       copy("parent-link-new", "/linked/new.conf", "pwned\n"),
                       {{"id", "mode-through-link"},
                        {"type", "file"},
                        {"params", {{"path", "/linked/shadow"}, {"mode", "0644"}}}}});
  doc["on_failure"] = "continue";
  const RunResult result = apply(doc);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const auto report = parseReport(result.out);
  for (const char* id : {"target-link", "parent-link", "parent-link-new", "mode-through-link"}) {
    EXPECT_EQ(reasonOf(report, id), "unsafe_path") << id << "\n" << result.out;
  }
  EXPECT_EQ(treeDigest(decoy_), before);
  EXPECT_TRUE(stdfs::is_symlink(real("/etc/app.conf")));
}

// T-22: a hard link to a file outside the root is replaced, never written
// through; its owner and mode stay as they were.
TEST_F(SecurityTest, HardLinkToOutsideFileIsNeverWrittenThrough) {
  makeDecoy();
  stdfs::create_directories(real("/etc"));
  stdfs::create_hard_link(decoy_ / "shadow", real("/etc/shadow"));
  stdfs::create_hard_link(decoy_ / "app.conf", real("/etc/app.conf"));
  const std::string before = treeDigest(decoy_, /*with_nlink=*/false);
  // The content differs: the file is replaced by rename. For app.conf only
  // the mode differs: a chmod on the shared inode would change the decoy.
  auto doc = manifest({copy("content", "/etc/shadow", "managed\n"),
                       {{"id", "mode"},
                        {"type", "file"},
                        {"params", {{"path", "/etc/app.conf"}, {"mode", "0666"}}}}});
  doc["on_failure"] = "continue";
  const RunResult result = apply(doc);
  const auto report = parseReport(result.out);
  EXPECT_EQ(readFile(real("/etc/shadow")), "managed\n") << result.describe();
  EXPECT_EQ(readFile(decoy_ / "shadow"), "root:$6$decoy:19000:0:99999:7:::\n");
  struct stat st {};
  ASSERT_EQ(::stat((decoy_ / "app.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u) << "the outside file's mode changed\n" << result.out;
  EXPECT_EQ(outcomeOf(report, "mode"), "failed") << result.out;
  EXPECT_EQ(reasonOf(report, "mode"), "unsafe_path") << result.out;
  // Only the link counts may differ: the agent replaced the linked name.
  EXPECT_EQ(treeDigest(decoy_, /*with_nlink=*/false), before);
}

// T-22 race harness: a child swaps a managed directory with a symlink to a
// decoy in a tight loop while the agent applies 50 files, 200 times.
TEST_F(SecurityTest, DirectorySwapRaceNeverWritesOutsideTheRoot) {
  // On a tmpfs: fsync costs nothing, so more applies fit in the time bound.
  MountGuard mounts;
  if (auto error = mounts.mountTmpfs(tmp(), "size=64m,mode=0700"); !error.empty()) {
    GTEST_SKIP() << "needs root to mount a tmpfs: " << error;
  }
  stdfs::create_directories(root());
  makeDecoy();
  const std::string before = treeDigest(decoy_);
  stdfs::create_directories(real("/srv/site"));
  stdfs::create_symlink(decoy_, real("/srv/swap"));
  constexpr unsigned kSeed = 42;
  SCOPED_TRACE(fmt::format("seed {}", kSeed));

  const std::string site = real("/srv/site").string();
  const std::string swap = real("/srv/swap").string();
  const pid_t swapper = ::fork();
  ASSERT_GE(swapper, 0);
  if (swapper == 0) {
    // Exchange "site" (the real directory) and "swap" (the symlink to the
    // decoy) atomically, forever; killed by the parent.
    std::minstd_rand random(kSeed);
    while (true) {
      ::renameat2(AT_FDCWD, site.c_str(), AT_FDCWD, swap.c_str(), RENAME_EXCHANGE);
      ::sched_yield();  // leave the agent the CPU on small machines
      for (auto spin = random() % 2000; spin > 0; --spin) {
        __asm__ __volatile__("" ::: "memory");
      }
    }
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{swapper};

  constexpr int kRuns = 200;
  int unsafe = 0;
  int changed = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int run = 0; run < kRuns; ++run) {
    auto resources = nlohmann::json::array();
    for (int i = 0; i < 50; ++i) {
      resources.push_back(copy(fmt::format("f{}", i), fmt::format("/srv/site/f{:02}", i),
                               fmt::format("run {} file {}\n", run, i)));
    }
    auto doc = manifest(resources);
    doc["on_failure"] = "continue";
    const RunResult result = apply(doc, {"--json"}, {}, seconds(60));
    ASSERT_TRUE(result.exit_code == 0 || result.exit_code == 1) << result.describe();
    const auto report = parseReport(result.out);
    for (int i = 0; i < 50; ++i) {
      const std::string reason = reasonOf(report, fmt::format("f{}", i));
      if (reason == "unsafe_path") ++unsafe;
      if (outcomeOf(report, fmt::format("f{}", i)) == "changed") ++changed;
      // Any failure is a refusal to go through the link, nothing else.
      EXPECT_TRUE(reason.empty() || reason == "unsafe_path" || reason == "not_found" ||
                  reason == "conflict")
          << reason << "\n"
          << result.out.substr(0, 4000);
    }
    ASSERT_EQ(treeDigest(decoy_), before) << "run " << run;
    // Keep the whole test bounded whatever the machine's speed.
    if (std::chrono::steady_clock::now() - started > seconds(60)) {
      std::printf("race harness stopped after %d runs (time bound)\n", run + 1);
      break;
    }
  }
  std::printf("race harness: %d writes, %d unsafe_path refusals\n", changed, unsafe);
  EXPECT_GT(changed, 0);
  EXPECT_GT(unsafe, 0) << "the swap never raced the agent: the harness proves nothing";
}

// T-23: drift reads never follow a symlink to a secret, never open a FIFO or
// a device; the report says why and holds nothing of the secret.
TEST_F(SecurityTest, CheckModeNeverReadsThroughLinksFifosOrDevices) {
  const std::string secret = "T23-SECRET-CANARY-7f3a9c";
  const stdfs::path secret_file = tmp() / "root-only-secret";
  writeFile(secret_file, secret + "\n", 0600);
  stdfs::create_directories(real("/etc"));
  stdfs::create_symlink(secret_file, real("/etc/linked.conf"));
  ASSERT_EQ(::mkfifo(real("/etc/fifo.conf").c_str(), 0644), 0);
  // /dev/zero: reading it would never end.
  ASSERT_EQ(::mknod(real("/etc/device.conf").c_str(), S_IFCHR | 0644, makedev(1, 5)), 0)
      << "mknod needs root";
  auto doc = manifest({copy("linked", "/etc/linked.conf", "managed\n"),
                       copy("fifo", "/etc/fifo.conf", "managed\n"),
                       copy("device", "/etc/device.conf", "managed\n")});
  doc["on_failure"] = "continue";
  const std::string before = treeDigest(root());
  for (const auto& flags : std::vector<std::vector<std::string>>{{"--check", "--json", "--diff"},
                                                                 {"--check", "--diff", "-vv"}}) {
    SCOPED_TRACE(fmt::format("{}", fmt::join(flags, " ")));
    const RunResult result = apply(doc, flags, {}, seconds(30));
    EXPECT_FALSE(result.timed_out) << "the agent hung";
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_EQ(countOccurrences(result.out + result.err, "T23-SECRET"), 0u) << result.describe();
    if (flags[1] == "--json") {
      const auto report = parseReport(result.out);
      EXPECT_EQ(reasonOf(report, "linked"), "unsafe_path") << result.out;
      EXPECT_EQ(reasonOf(report, "fifo"), "unsupported_file_type") << result.out;
      EXPECT_EQ(reasonOf(report, "device"), "unsupported_file_type") << result.out;
    }
  }
  EXPECT_EQ(treeDigest(root()), before);
  EXPECT_EQ(readFile(secret_file), secret + "\n");
}

// T-24: a new 0600 file is never visible with a looser mode, under umask 000.
TEST_F(SecurityTest, PrivateFilesAreNeverLooserThanTheirMode) {
  stdfs::create_directories(real("/etc/ssl/private"));
  const std::string dir = real("/etc/ssl/private").string();
  std::atomic<bool> stop{false};
  std::atomic<long> observations{0};
  std::atomic<long> loose{0};
  std::string loose_example;
  std::thread watcher([&] {
    while (!stop.load()) {
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) continue;
      while (const dirent* entry = ::readdir(d)) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        ++observations;
        if ((st.st_mode & 077) != 0 && loose.fetch_add(1) == 0) {
          loose_example = fmt::format("{} mode {:o}", entry->d_name, st.st_mode & 07777);
        }
      }
      ::closedir(d);
    }
  });
  struct Stopper {
    std::atomic<bool>& stop;
    std::thread& thread;
    void now() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
    ~Stopper() { now(); }
  } stopper{stop, watcher};

  constexpr int kKeys = 100;
  constexpr int kRounds = 2;  // 200 creations
  auto resources = nlohmann::json::array();
  for (int i = 0; i < kKeys; ++i) {
    auto key = copy(fmt::format("k{}", i), fmt::format("/etc/ssl/private/k{:03}.pem", i),
                    "-----BEGIN PRIVATE KEY-----\nT24\n-----END PRIVATE KEY-----\n");
    key["params"]["mode"] = "0600";
    resources.push_back(std::move(key));
  }
  const auto doc = manifest(resources);
  SpawnOptions options;
  options.umask = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& entry : stdfs::directory_iterator(dir)) stdfs::remove(entry.path());
    const RunResult result = apply(doc, {"--json"}, options, seconds(60));
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    for (int i = 0; i < kKeys; ++i) {
      struct stat st {};
      ASSERT_EQ(::stat(fmt::format("{}/k{:03}.pem", dir, i).c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07777, 0600u);
    }
  }
  stopper.now();
  EXPECT_EQ(loose.load(), 0) << loose_example;
  EXPECT_GT(observations.load(), 0);
}

// T-25: a no_log secret never shows in output, at any verbosity, in diffs,
// validation failures, write failures or JSON; state is private.
TEST_F(SecurityTest, NoLogSecretNeverAppearsInOutput) {
  const std::string pem_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCCANARYKEYT25";
  const std::string password = "hunter2-T25-canary-password";
  const std::string secret = "-----BEGIN PRIVATE KEY-----\n" + pem_body +
                             "\n-----END PRIVATE KEY-----\npassword=" + password + "\n";
  const std::vector<std::string> canaries{pem_body, password, "CANARYKEY", "T25-canary"};
  stdfs::create_directories(real("/etc/app"));
  const auto secretCopy = [&](const std::string& content, const std::string& validate) {
    auto resource = copy("secret", "/etc/app/key.pem", content);
    resource["no_log"] = true;
    resource["params"]["mode"] = "0600";
    if (!validate.empty()) resource["params"]["validate"] = validate;
    return manifest({resource});
  };
  std::string all_output;
  const auto run = [&](const nlohmann::json& doc, const std::vector<std::string>& flags) {
    const RunResult result = apply(doc, flags, {}, seconds(60));
    all_output += result.out + result.err;
    return result;
  };
  // Creation, then drift repaired with --diff, in check mode too.
  EXPECT_EQ(run(secretCopy(secret, ""), {"-vv", "--diff"}).exit_code, 0);
  writeFile(real("/etc/app/key.pem"), "drifted " + password + "\n", 0600);
  EXPECT_EQ(run(secretCopy(secret, ""), {"--check", "--diff", "-vv"}).exit_code, 0);
  EXPECT_EQ(run(secretCopy(secret, ""), {"--check", "--diff", "--json"}).exit_code, 0);
  EXPECT_EQ(run(secretCopy(secret, ""), {"--diff", "-vv"}).exit_code, 0);
  // A validator that fails and prints the candidate (diff shows its lines).
  writeFile(real("/etc/app/key.pem"), "drifted " + password + "\n", 0600);
  const RunResult rejected =
      run(secretCopy(secret + "x\n", "/usr/bin/diff /dev/null %s"), {"-vv", "--diff"});
  EXPECT_EQ(rejected.exit_code, 1) << rejected.describe();
  EXPECT_EQ(run(secretCopy(secret + "x\n", "/usr/bin/diff /dev/null %s"), {"--json"}).exit_code, 1);
  // A write failure: the destination's directory is missing.
  auto missing = secretCopy(secret, "");
  missing["resources"][0]["params"]["dest"] = "/nonexistent/key.pem";
  EXPECT_EQ(run(missing, {"-vv", "--diff", "--json"}).exit_code, 1);

  for (const auto& canary : canaries) {
    EXPECT_EQ(countOccurrences(all_output, canary), 0u) << canary << "\n" << all_output;
  }
  // Permission audit of the state directory the agent created.
  struct stat st {};
  ASSERT_EQ(::stat(stateDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  for (const auto& entry : stdfs::recursive_directory_iterator(stateDir())) {
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 077, 0u) << entry.path() << " mode " << std::oct << st.st_mode;
    } else {
      EXPECT_EQ(st.st_mode & 07777, 0600u) << entry.path() << " mode " << std::oct << st.st_mode;
    }
  }
}

// T-29: an unprivileged agent without --root never touches /etc.
TEST_F(SecurityTest, UnprivilegedAgentCannotWriteEtc) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to uid 1001 with setpriv";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv is not installed";
  const stdfs::path target = "/etc/sc-t29-test";
  ASSERT_FALSE(stdfs::exists(target)) << "left over from an earlier run; remove it";
  const stdfs::path home = tmp() / "home";
  const stdfs::path state = home / "state";
  stdfs::create_directories(state);
  ASSERT_EQ(::chmod(tmp().c_str(), 0755), 0);
  for (const auto& dir : {home, state}) ASSERT_EQ(::chown(dir.c_str(), 1001, 1001), 0);
  auto doc = manifest({copy("etc", target.string(), "escaped\n"),
                       copy("home", (home / "ok.txt").string(), "allowed\n")});
  doc["on_failure"] = "continue";
  const std::string manifest_path = writeManifest(doc);
  const RunResult result = runProgram(
      {"/usr/bin/setpriv", "--reuid=1001", "--regid=1001", "--clear-groups", agentBinary(), "apply",
       "--manifest", manifest_path, "--state-dir", state.string(), "--json"},
      SpawnOptions{{{"HOME", home.string()}}, {"XDG_STATE_HOME"}, {}}, seconds(60));
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const auto report = parseReport(result.out);
  EXPECT_EQ(reasonOf(report, "etc"), "not_permitted") << result.out;
  EXPECT_EQ(outcomeOf(report, "home"), "changed") << result.out;
  EXPECT_FALSE(stdfs::exists(target));
  EXPECT_EQ(readFile(home / "ok.txt"), "allowed\n");
  std::error_code ec;
  stdfs::remove(target, ec);
}

}  // namespace
}  // namespace sc::testing
