// FactProbe: everything gathering facts reads from the host, behind one
// interface, so that facts.cpp holds only Ansible's rules and tests can
// feed it a fake host (STYLE.md section 2: one seam).
//
// Two kinds of source: files (/etc/os-release, /proc/meminfo, /sys/...),
// read under a root directory so tests and `sc-agent facts --root` can
// point them at a tree of fixtures; and what only the kernel, the resolver,
// the user database or a program can tell (uname(2), getifaddrs(3), a
// route lookup, getpwnam(3), the Python interpreter). No method fails: a
// source that is missing or unreadable gives nullopt or an empty value,
// and the fact keeps the default Ansible would give it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sc::agent {

struct Uname {
  std::string sysname;   // "Linux"
  std::string nodename;  // the host name, as the kernel has it
  std::string release;   // "6.1.0-18-amd64"
  std::string version;   // "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
  std::string machine;   // "x86_64"
};

// One IPv4 address of an interface, as ip(8) lists it.
struct Ipv4Address {
  std::string label;      // "eth0", or an alias label such as "eth0:1"
  std::string address;    // dotted quad
  std::string netmask;    // dotted quad
  std::string broadcast;  // dotted quad; empty when the address has none
};

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string gecos;
  std::string dir;
  std::string shell;
};

struct ProcessIds {
  uid_t uid = 0;
  uid_t euid = 0;
  gid_t gid = 0;
};

// What a Python interpreter says about itself (sys.version_info and friends).
struct PythonInfo {
  std::string executable;  // sys.executable
  int major = 0;
  int minor = 0;
  int micro = 0;
  std::string releaselevel;  // "final", "candidate", ...
  int serial = 0;
  std::string version;  // platform.python_version(): "3.11.2"
  std::string type;     // sys.implementation.name: "cpython"
  bool has_sslcontext = false;
};

class FactProbe {
 public:
  virtual ~FactProbe() = default;

  // --- files: `path` is absolute, as on the host -----------------------
  // The whole content of a file; nullopt when it is missing, unreadable,
  // not a regular file or larger than limits::kMaxFactFileBytes.
  virtual std::optional<std::string> readFile(const std::string& path) = 0;
  // As Python's os.path.exists, isfile, isdir, islink: links are followed
  // except by isLink; a missing path is false.
  virtual bool exists(const std::string& path) = 0;
  virtual bool isFile(const std::string& path) = 0;
  virtual bool isDirectory(const std::string& path) = 0;
  virtual bool isLink(const std::string& path) = 0;
  // A regular file (or a link to one) this process may execute.
  virtual bool isExecutable(const std::string& path) = 0;
  // The size of a file (links followed); 0 when it is missing.
  virtual std::uint64_t fileSize(const std::string& path) = 0;
  virtual std::optional<std::string> readLink(const std::string& path) = 0;
  // Entry names in directory order (as Python's os.listdir and glob give
  // them), without "." and ".."; empty when the directory cannot be read.
  virtual std::vector<std::string> listDirectory(const std::string& path) = 0;

  // --- the running system ------------------------------------------------
  virtual Uname uname() = 0;
  // Python's socket.getfqdn() for `name`: the first of the canonical name
  // and aliases that holds a dot, else the canonical name; `name` itself
  // when the lookup fails.
  virtual std::string fqdn(const std::string& name) = 0;
  // Every IPv4 address, interfaces in kernel order and each interface's
  // primary addresses before its secondary ones.
  virtual std::vector<Ipv4Address> ipv4Addresses() = 0;
  // The source address the kernel would use to reach `destination` (what
  // `ip route get` shows after "src"); nullopt when there is no route.
  virtual std::optional<std::string> sourceAddressFor(const std::string& destination) = 0;
  virtual std::optional<std::string> environment(const std::string& name) = 0;
  virtual std::optional<PasswdEntry> userByName(const std::string& name) = 0;
  virtual std::optional<PasswdEntry> userById(uid_t uid) = 0;
  virtual ProcessIds processIds() = 0;
  // CPUs this process may run on (sched_getaffinity(2)).
  virtual std::optional<int> usableCpus() = 0;
  // Runs `executable` to ask what Python it is; nullopt when it cannot.
  virtual std::optional<PythonInfo> python(const std::string& executable) = 0;
  // Runs a program (argv, no shell, output discarded) and gives its exit
  // status; nullopt when it cannot be started or does not finish in time.
  virtual std::optional<int> runStatus(const std::vector<std::string>& argv) = 0;
};

// The probe of the real machine. Files are read under `root` ("/" for the
// host itself); symlinks inside the root resolve as on the host, so an
// absolute link target leaves the root (--root is for tests and images,
// not a security boundary). Programs (Python, rpm) are run from the root
// only when it is "/": under another root the Python facts are absent.
class PosixFactProbe : public FactProbe {
 public:
  explicit PosixFactProbe(std::string root = "/");

  // Keeps python()'s answer in `file` (JSON, 0600), with the identity of
  // the interpreter's file (device, inode, size, change times), and gives
  // it back while that identity holds: starting an interpreter costs more
  // time and memory than the rest of fact gathering together, and only a
  // new build of it (a package upgrade replaces the file) changes the
  // answer. A missing or damaged cache is asked again and rewritten.
  void cachePythonIn(std::filesystem::path file) { python_cache_ = std::move(file); }

  std::optional<std::string> readFile(const std::string& path) override;
  bool exists(const std::string& path) override;
  bool isFile(const std::string& path) override;
  bool isDirectory(const std::string& path) override;
  bool isLink(const std::string& path) override;
  bool isExecutable(const std::string& path) override;
  std::uint64_t fileSize(const std::string& path) override;
  std::optional<std::string> readLink(const std::string& path) override;
  std::vector<std::string> listDirectory(const std::string& path) override;

  Uname uname() override;
  std::string fqdn(const std::string& name) override;
  std::vector<Ipv4Address> ipv4Addresses() override;
  std::optional<std::string> sourceAddressFor(const std::string& destination) override;
  std::optional<std::string> environment(const std::string& name) override;
  std::optional<PasswdEntry> userByName(const std::string& name) override;
  std::optional<PasswdEntry> userById(uid_t uid) override;
  ProcessIds processIds() override;
  std::optional<int> usableCpus() override;
  std::optional<PythonInfo> python(const std::string& executable) override;
  std::optional<int> runStatus(const std::vector<std::string>& argv) override;

 protected:
  // The real path of a host path: `path` under the root.
  std::string real(const std::string& path) const;
  bool rootIsHost() const { return root_.empty(); }

 private:
  std::optional<PythonInfo> askPython(const std::string& executable);

  std::string root_;                    // without a trailing "/"; empty for the host's own root
  std::filesystem::path python_cache_;  // empty: none
};

}  // namespace sc::agent
