// PosixFactProbe: the FactProbe of the real machine. Like PosixHost it is
// agent code that touches the OS; unlike PosixHost it only reads (and runs
// the Python interpreter, and rpm on Debian hosts that have it, to ask
// what they are).
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/facts/fact_probe.h"
#include "agent/facts/python_text.h"
#include "agent/host/process.h"
#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/limits.h"
#include "common/log/log.h"

namespace sc::agent {
namespace {

constexpr auto kProgramTimeout = std::chrono::seconds(10);

// Asks an interpreter what python.py reports, in one line per value; runs
// on Python 2.7 and 3. -E -s -S: no PYTHON* variables, user site or site
// module, so it starts in milliseconds and reports the interpreter itself.
//
// has_sslcontext is Ansible's "from ssl import SSLContext works". Importing
// ssl loads OpenSSL and doubles the interpreter's memory (7.6 to 14 MiB
// here), so the script looks for the _ssl extension module instead, which
// is what that import needs beyond the standard library.
constexpr const char* kPythonScript = R"(import sys, os
def has_ssl():
    if "_ssl" in sys.builtin_module_names:
        return 1
    for d in sys.path:
        if not d:
            continue
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            if n.startswith("_ssl.") and n.split(".")[-1] in ("so", "pyd"):
                return 1
    return 0
s = has_ssl()
try:
    t = sys.subversion[0]
except AttributeError:
    t = sys.implementation.name
v = sys.version_info
sys.stdout.write("\n".join([sys.executable or "", str(v[0]), str(v[1]), str(v[2]), v[3],
                            str(v[4]), sys.version.split()[0], t, str(s)]) + "\n")
)";

std::optional<PasswdEntry> toEntry(const passwd* pw) {
  if (pw == nullptr) return std::nullopt;
  PasswdEntry entry;
  entry.name = pw->pw_name != nullptr ? pw->pw_name : "";
  entry.uid = pw->pw_uid;
  entry.gid = pw->pw_gid;
  entry.gecos = pw->pw_gecos != nullptr ? pw->pw_gecos : "";
  entry.dir = pw->pw_dir != nullptr ? pw->pw_dir : "";
  entry.shell = pw->pw_shell != nullptr ? pw->pw_shell : "";
  return entry;
}

template <typename Lookup>
std::optional<PasswdEntry> lookUpUser(Lookup lookup) {
  std::vector<char> buffer(16384);
  while (true) {
    passwd pw{};
    passwd* result = nullptr;
    const int rc = lookup(&pw, buffer.data(), buffer.size(), &result);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) return std::nullopt;
    return toEntry(result);
  }
}

std::string ipv4Text(const sockaddr* address) {
  if (address == nullptr || address->sa_family != AF_INET) return {};
  const auto* in = reinterpret_cast<const sockaddr_in*>(address);
  char text[INET_ADDRSTRLEN] = {};
  if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) return {};
  return text;
}

int toInt(const std::string& text) {
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return 0;
  }
}

// What tells one build of an interpreter from another: the device, inode,
// size and change times of the file `executable` resolves to.
std::optional<std::string> interpreterIdentity(const std::string& executable) {
  struct stat st {};
  if (::stat(executable.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return fmt::format("{}:{}:{}:{}.{:09}:{}.{:09}", st.st_dev, st.st_ino, st.st_size,
                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

nlohmann::json pythonInfoJson(const PythonInfo& info) {
  return {{"executable", info.executable},
          {"major", info.major},
          {"minor", info.minor},
          {"micro", info.micro},
          {"releaselevel", info.releaselevel},
          {"serial", info.serial},
          {"version", info.version},
          {"type", info.type},
          {"has_sslcontext", info.has_sslcontext}};
}

std::optional<PythonInfo> pythonInfoFrom(const nlohmann::json& json) {
  if (!json.is_object()) return std::nullopt;
  try {
    PythonInfo info;
    info.executable = json.at("executable").get<std::string>();
    info.major = json.at("major").get<int>();
    info.minor = json.at("minor").get<int>();
    info.micro = json.at("micro").get<int>();
    info.releaselevel = json.at("releaselevel").get<std::string>();
    info.serial = json.at("serial").get<int>();
    info.version = json.at("version").get<std::string>();
    info.type = json.at("type").get<std::string>();
    info.has_sslcontext = json.at("has_sslcontext").get<bool>();
    return info;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::optional<PythonInfo> readCachedPython(const std::filesystem::path& file,
                                           const std::string& executable,
                                           const std::string& identity) {
  fs::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  auto text = fs::readAllCapped(fd.get(), 64 * 1024);
  if (!text) return std::nullopt;
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  const auto holds = [&](const char* key, const std::string& expected) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
  };
  if (!doc.is_object() || !holds("executable", executable) || !holds("identity", identity)) {
    return std::nullopt;
  }
  const auto python = doc.find("python");
  return python == doc.end() ? std::nullopt : pythonInfoFrom(*python);
}

void writeCachedPython(const std::filesystem::path& file, const std::string& executable,
                       const std::string& identity, const PythonInfo& info) {
  const nlohmann::json doc{
      {"executable", executable}, {"identity", identity}, {"python", pythonInfoJson(info)}};
  // A failure here only costs asking the interpreter again next time.
  const auto dir_path = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  fs::UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    spdlog::debug("facts: cannot cache Python facts in '{}': {}", dir_path.string(),
                  std::strerror(errno));
    return;
  }
  fs::AtomicWriteOptions options;
  options.mode = 0600;
  const auto written =
      fs::writeFileAtomicAt(dir.get(), file.filename().string(), doc.dump() + "\n", options);
  if (!written) {
    spdlog::debug("facts: cannot cache Python facts in '{}': {}", file.string(),
                  written.error().describe());
  }
}

}  // namespace

PosixFactProbe::PosixFactProbe(std::string root) : root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

std::string PosixFactProbe::real(const std::string& path) const { return root_ + path; }

std::optional<std::string> PosixFactProbe::readFile(const std::string& path) {
  // O_NONBLOCK: as Ansible's get_file_content, never hang on a FIFO or a
  // slow /proc file.
  fs::UniqueFd fd(::open(real(path).c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno != ENOENT && errno != ENOTDIR) {
      spdlog::debug("facts: cannot read '{}': {}", path, std::strerror(errno));
    }
    return std::nullopt;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  auto content = fs::readAllCapped(fd.get(), limits::kMaxFactFileBytes);
  if (!content) {
    spdlog::debug("facts: cannot read '{}': {}", path, content.error().describe());
    return std::nullopt;
  }
  return std::move(*content);
}

bool PosixFactProbe::exists(const std::string& path) {
  struct stat info {};
  return ::stat(real(path).c_str(), &info) == 0;
}

bool PosixFactProbe::isFile(const std::string& path) {
  struct stat info {};
  return ::stat(real(path).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool PosixFactProbe::isDirectory(const std::string& path) {
  struct stat info {};
  return ::stat(real(path).c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool PosixFactProbe::isLink(const std::string& path) {
  struct stat info {};
  return ::lstat(real(path).c_str(), &info) == 0 && S_ISLNK(info.st_mode);
}

bool PosixFactProbe::isExecutable(const std::string& path) {
  struct stat info {};
  return ::stat(real(path).c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         (info.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
}

std::uint64_t PosixFactProbe::fileSize(const std::string& path) {
  struct stat info {};
  if (::stat(real(path).c_str(), &info) != 0) return 0;
  return static_cast<std::uint64_t>(info.st_size);
}

std::optional<std::string> PosixFactProbe::readLink(const std::string& path) {
  std::string target(limits::kMaxPathBytes + 1, '\0');
  const ssize_t length = ::readlink(real(path).c_str(), target.data(), target.size());
  if (length < 0 || static_cast<std::size_t>(length) >= target.size()) return std::nullopt;
  target.resize(static_cast<std::size_t>(length));
  return target;
}

std::vector<std::string> PosixFactProbe::listDirectory(const std::string& path) {
  std::vector<std::string> names;
  const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(real(path).c_str()), &::closedir);
  if (!dir) return names;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  return names;
}

Uname PosixFactProbe::uname() {
  utsname info{};
  if (::uname(&info) != 0) return {};
  return {info.sysname, info.nodename, info.release, info.version, info.machine};
}

std::string PosixFactProbe::fqdn(const std::string& name_in) {
  // CPython's socket.getfqdn() and setipaddr(): a numeric address is used
  // as it is, a name resolves to its first address, and the canonical name
  // and aliases come from the reverse lookup of that address.
  std::string name = py::strip(name_in);
  if (name.empty() || name == "0.0.0.0" || name == "::") {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) name = host;
  }
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, name.c_str(), &v4->sin_addr) == 1) {
    family = AF_INET;
  } else if (::inet_pton(AF_INET6, name.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    addrinfo* found = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return name;
    const std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, &::freeaddrinfo);
    if (found->ai_addrlen > sizeof storage) return name;
    std::memcpy(&storage, found->ai_addr, found->ai_addrlen);
    family = found->ai_family;
  }
  const void* address = nullptr;
  if (family == AF_INET) {
    address = &v4->sin_addr;
    length = sizeof v4->sin_addr;
  } else if (family == AF_INET6) {
    address = &v6->sin6_addr;
    length = sizeof v6->sin6_addr;
  } else {
    return name;
  }
  hostent entry{};
  hostent* result = nullptr;
  int h_error = 0;
  std::vector<char> buffer(16384);
  while (true) {
    const int rc = ::gethostbyaddr_r(address, length, family, &entry, buffer.data(), buffer.size(),
                                     &result, &h_error);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || result == nullptr || result->h_name == nullptr) return name;
    break;
  }
  std::vector<std::string> names = {result->h_name};
  for (char** alias = result->h_aliases; alias != nullptr && *alias != nullptr; ++alias) {
    names.emplace_back(*alias);
  }
  for (const auto& candidate : names) {
    if (candidate.find('.') != std::string::npos) return candidate;
  }
  return names.front();
}

std::vector<Ipv4Address> PosixFactProbe::ipv4Addresses() {
  std::vector<Ipv4Address> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    spdlog::debug("facts: getifaddrs failed: {}", std::strerror(errno));
    return out;
  }
  const std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, &::freeifaddrs);
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    Ipv4Address address;
    address.label = entry->ifa_name != nullptr ? entry->ifa_name : "";
    address.address = ipv4Text(entry->ifa_addr);
    address.netmask = ipv4Text(entry->ifa_netmask);
    if ((entry->ifa_flags & IFF_BROADCAST) != 0) {
      address.broadcast = ipv4Text(entry->ifa_broadaddr);
      if (address.broadcast == "0.0.0.0") address.broadcast.clear();
    }
    out.push_back(std::move(address));
  }
  return out;
}

std::optional<std::string> PosixFactProbe::sourceAddressFor(const std::string& destination) {
  // connect(2) on a UDP socket makes the kernel choose the route and the
  // source address; nothing is sent.
  fs::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::nullopt;
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(53);
  if (::inet_pton(AF_INET, destination.c_str(), &target.sin_addr) != 1) return std::nullopt;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
    spdlog::debug("facts: no route to '{}': {}", destination, std::strerror(errno));
    return std::nullopt;
  }
  sockaddr_in local{};
  socklen_t length = sizeof local;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return std::nullopt;
  }
  const std::string text = ipv4Text(reinterpret_cast<const sockaddr*>(&local));
  if (text.empty() || text == "0.0.0.0") return std::nullopt;
  return text;
}

std::optional<std::string> PosixFactProbe::environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<PasswdEntry> PosixFactProbe::userByName(const std::string& name) {
  return lookUpUser([&](passwd* pw, char* buffer, std::size_t size, passwd** result) {
    return ::getpwnam_r(name.c_str(), pw, buffer, size, result);
  });
}

std::optional<PasswdEntry> PosixFactProbe::userById(uid_t uid) {
  return lookUpUser([&](passwd* pw, char* buffer, std::size_t size, passwd** result) {
    return ::getpwuid_r(uid, pw, buffer, size, result);
  });
}

ProcessIds PosixFactProbe::processIds() { return {::getuid(), ::geteuid(), ::getgid()}; }

std::optional<int> PosixFactProbe::usableCpus() {
  // Grow the set until the kernel's CPU mask fits, as Python's
  // os.sched_getaffinity does.
  for (std::size_t count = 1024; count <= (std::size_t{1} << 16); count *= 2) {
    const std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set(CPU_ALLOC(count),
                                                               [](cpu_set_t* s) { CPU_FREE(s); });
    if (!set) return std::nullopt;
    const std::size_t size = CPU_ALLOC_SIZE(count);
    CPU_ZERO_S(size, set.get());
    if (::sched_getaffinity(0, size, set.get()) == 0) return CPU_COUNT_S(size, set.get());
    if (errno != EINVAL) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<PythonInfo> PosixFactProbe::python(const std::string& executable) {
  if (!rootIsHost()) return std::nullopt;
  if (python_cache_.empty()) return askPython(executable);
  const auto identity = interpreterIdentity(executable);
  if (!identity) return askPython(executable);
  if (auto cached = readCachedPython(python_cache_, executable, *identity)) return cached;
  auto info = askPython(executable);
  if (info) writeCachedPython(python_cache_, executable, *identity, *info);
  return info;
}

std::optional<PythonInfo> PosixFactProbe::askPython(const std::string& executable) {
  Command command;
  command.argv = {executable, "-E", "-s", "-S", "-c", kPythonScript};
  command.timeout = kProgramTimeout;
  auto result = runProcess(command, "/");
  if (!result || result->rc != 0) {
    spdlog::debug("facts: cannot ask '{}' for its version: {}", executable,
                  result ? result->stderr_text : result.error().describe());
    return std::nullopt;
  }
  const auto lines = py::splitLines(result->stdout_text);
  if (lines.size() < 9) return std::nullopt;
  PythonInfo info;
  info.executable = lines[0];
  info.major = toInt(lines[1]);
  info.minor = toInt(lines[2]);
  info.micro = toInt(lines[3]);
  info.releaselevel = lines[4];
  info.serial = toInt(lines[5]);
  info.version = lines[6];
  info.type = lines[7];
  info.has_sslcontext = lines[8] == "1";
  return info;
}

std::optional<int> PosixFactProbe::runStatus(const std::vector<std::string>& argv) {
  if (!rootIsHost()) return std::nullopt;
  Command command;
  command.argv = argv;
  command.timeout = kProgramTimeout;
  auto result = runProcess(command, "/");
  if (!result) return std::nullopt;
  return result->rc;
}

}  // namespace sc::agent
