// gatherFacts() and the small collectors: platform.py, user.py, python.py
// (with interpreter_discovery.py), service_mgr.py and pkg_mgr.py from
// ansible/module_utils/facts (ansible-core 2.14).
#include "agent/facts/facts.h"

#include <algorithm>
#include <array>

#include "agent/facts/fact_files.h"
#include "agent/facts/python_text.h"

namespace sc::agent {
namespace {

using nlohmann::json;

// module.get_bin_path(): PATH, then the sbin directories; the first
// executable file.
std::optional<std::string> binPath(FactProbe& probe, const std::string& name) {
  std::vector<std::string> dirs = py::split(probe.environment("PATH").value_or(""), ":");
  for (const char* sbin : {"/sbin", "/usr/sbin", "/usr/local/sbin"}) {
    if (std::find(dirs.begin(), dirs.end(), sbin) == dirs.end() && probe.exists(sbin)) {
      dirs.emplace_back(sbin);
    }
  }
  for (const auto& dir : dirs) {
    if (dir.empty()) continue;
    const std::string path = dir.back() == '/' ? dir + name : dir + "/" + name;
    if (probe.exists(path) && !probe.isDirectory(path) && probe.isExecutable(path)) return path;
  }
  return std::nullopt;
}

// `command -v NAME` in the shell Ansible's discovery runs.
std::optional<std::string> commandPath(FactProbe& probe, const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (probe.isExecutable(name)) return name;
    return std::nullopt;
  }
  for (const auto& dir : py::split(probe.environment("PATH").value_or(""), ":")) {
    // Never a relative directory: it would name whatever the cwd holds.
    if (!dir.starts_with('/')) continue;
    const std::string path = dir.back() == '/' ? dir + name : dir + "/" + name;
    if (probe.isExecutable(path)) return path;
  }
  return std::nullopt;
}

// LooseVersion: numbers compare as numbers, words as text (Python cannot
// compare a number with a word; words sort first here).
std::vector<std::pair<long, std::string>> looseVersion(const std::string& text) {
  std::vector<std::pair<long, std::string>> parts;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t j = i;
    if (std::isdigit(c)) {
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      parts.emplace_back(std::stol(text.substr(i, std::min<std::size_t>(j - i, 15))), "");
    } else if (std::isalpha(c)) {
      while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
      parts.emplace_back(-1, text.substr(i, j - i));
    } else {
      j = i + 1;
    }
    i = j;
  }
  return parts;
}

// _version_fuzzy_match(): the exact version, else the nearest older one,
// else the oldest.
std::string fuzzyMatch(const std::string& version,
                       const std::vector<std::pair<std::string, std::string>>& map) {
  for (const auto& [v, path] : map) {
    if (v == version) return path;
  }
  auto sorted = map;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return looseVersion(a.first) < looseVersion(b.first);
  });
  const auto wanted = looseVersion(version);
  std::size_t position = 0;
  while (position < sorted.size() && !(wanted < looseVersion(sorted[position].first))) ++position;
  return position == 0 ? sorted.front().second : sorted[position - 1].second;
}

std::string platformPythonFor(const std::string& distro, const std::string& version) {
  // _INTERPRETER_PYTHON_DISTRO_MAP (ansible-core 2.14 config/base.yml).
  using Map = std::vector<std::pair<std::string, std::string>>;
  static const std::map<std::string, Map> kDistroMap = {
      {"redhat",
       {{"6", "/usr/bin/python"},
        {"8", "/usr/libexec/platform-python"},
        {"9", "/usr/bin/python3"}}},
      {"debian", {{"8", "/usr/bin/python"}, {"10", "/usr/bin/python3"}}},
      {"fedora", {{"23", "/usr/bin/python3"}}},
      {"ubuntu", {{"14", "/usr/bin/python"}, {"16", "/usr/bin/python3"}}},
  };
  const std::string name = py::lower(py::strip(distro));
  auto it = kDistroMap.find(name);
  if (it == kDistroMap.end()) {
    // OS_FAMILY_LOWER: the family of the distribution, by lower-case name.
    it = kDistroMap.find(py::lower(osFamilyOfLowerCase(name)));
  }
  if (it == kDistroMap.end()) return {};
  return fuzzyMatch(version, it->second);
}

}  // namespace

std::optional<std::string> discoverPython(FactProbe& probe) {
  // INTERPRETER_PYTHON_FALLBACK, in order.
  static constexpr std::array<const char*, 12> kFallback = {
      "python3.11", "python3.10",       "python3.9",
      "python3.8",  "python3.7",        "python3.6",
      "python3.5",  "/usr/bin/python3", "/usr/libexec/platform-python",
      "python2.7",  "/usr/bin/python",  "python"};
  std::vector<std::string> found;
  for (const char* name : kFallback) {
    if (auto path = commandPath(probe, name)) found.push_back(*path);
  }
  if (found.empty()) return std::nullopt;
  std::optional<std::string> text = probe.readFile("/etc/os-release");
  if (!text || text->empty()) text = probe.readFile("/usr/lib/os-release");
  const auto os_release = parseOsRelease(text.value_or(""));
  const auto id = os_release.find("id");
  const auto version = os_release.find("version_id");
  if (id == os_release.end() || version == os_release.end() || id->second.empty() ||
      version->second.empty()) {
    return found.front();
  }
  const std::string platform_python = platformPythonFor(id->second, version->second);
  if (platform_python.empty()) return found.front();
  // The platform Python when `command -v` found it, else the first found.
  if (std::find(found.begin(), found.end(), platform_python) != found.end()) {
    return platform_python;
  }
  return found.front();
}

json platformFacts(FactProbe& probe, const Uname& uname) {
  json facts;
  facts["system"] = uname.sysname;
  facts["kernel"] = uname.release;
  facts["kernel_version"] = uname.version;
  facts["machine"] = uname.machine;
  const std::string fqdn = probe.fqdn(uname.nodename);
  facts["fqdn"] = fqdn;
  facts["hostname"] = py::split(uname.nodename, ".")[0];
  facts["nodename"] = uname.nodename;
  auto labels = py::split(fqdn, ".");
  labels.erase(labels.begin());
  facts["domain"] = py::join(labels, ".");
  if (uname.machine == "x86_64") {
    facts["architecture"] = uname.machine;
  } else if (py::search("i([3456]86|86pc)", uname.machine)) {
    facts["architecture"] = "i386";
  } else {
    facts["architecture"] = uname.machine;
  }
  auto machine_id = fileContent(probe, "/var/lib/dbus/machine-id");
  if (!machine_id) machine_id = fileContent(probe, "/etc/machine-id");
  if (machine_id) facts["machine_id"] = py::splitLines(*machine_id)[0];
  return facts;
}

json userFacts(FactProbe& probe) {
  json facts;
  // getpass.getuser(): the first of these set, else the uid's name.
  const ProcessIds ids = probe.processIds();
  std::string user;
  for (const char* name : {"LOGNAME", "USER", "LNAME", "USERNAME"}) {
    if (auto value = probe.environment(name); value && !value->empty()) {
      user = *value;
      break;
    }
  }
  if (user.empty()) {
    const auto entry = probe.userById(ids.uid);
    user = entry ? entry->name : std::to_string(ids.uid);
  }
  facts["user_id"] = user;
  auto entry = probe.userByName(user);
  if (!entry) entry = probe.userById(ids.uid);
  if (entry) {
    facts["user_uid"] = entry->uid;
    facts["user_gid"] = entry->gid;
    facts["user_gecos"] = entry->gecos;
    facts["user_dir"] = entry->dir;
    facts["user_shell"] = entry->shell;
  }
  facts["real_user_id"] = ids.uid;
  facts["effective_user_id"] = ids.euid;
  facts["real_group_id"] = ids.gid;
  facts["effective_group_id"] = ids.gid;  // Ansible reports getgid() here too
  return facts;
}

json pythonFacts(FactProbe& probe) {
  json facts = json::object();
  const auto executable = discoverPython(probe);
  if (!executable) return facts;
  const auto info = probe.python(*executable);
  if (!info) return facts;
  facts["python"] = {
      {"executable", info->executable},
      {"has_sslcontext", info->has_sslcontext},
      {"type", info->type},
      {"version",
       {{"major", info->major},
        {"minor", info->minor},
        {"micro", info->micro},
        {"releaselevel", info->releaselevel},
        {"serial", info->serial}}},
      {"version_info",
       json::array({info->major, info->minor, info->micro, info->releaselevel, info->serial})},
  };
  facts["python_version"] = info->version;
  return facts;
}

std::string serviceManager(FactProbe& probe, const json& facts) {
  const std::string system = facts.value("system", "");
  const std::string distribution = facts.value("distribution", "");
  // What runs as pid 1 names the service manager, unless it is a generic
  // "init" or a shell (a container's entry point).
  std::optional<std::string> proc_1 = fileContent(probe, "/proc/1/comm");
  if (!proc_1 && probe.isLink("/sbin/init")) proc_1 = probe.readLink("/sbin/init");
  if (proc_1) proc_1 = py::strip(py::basename(*proc_1));
  if (proc_1 && (*proc_1 == "init" || proc_1->ends_with("sh"))) proc_1.reset();
  if (proc_1) {
    static const std::map<std::string, std::string> kNames = {{"procd", "openwrt_init"},
                                                              {"runit-init", "runit"},
                                                              {"svscan", "svc"},
                                                              {"openrc-init", "openrc"}};
    const auto it = kNames.find(*proc_1);
    return it == kNames.end() ? *proc_1 : it->second;
  }
  if (py::contains(system, "BSD") || system == "Bitrig" || system == "DragonFly") {
    return "bsdinit";
  }
  if (system == "AIX") return "src";
  if (system == "SunOS") return "smf";
  if (distribution == "OpenWrt") return "openwrt_init";
  if (system == "Linux") {
    const bool systemctl = binPath(probe, "systemctl").has_value();
    // sd_booted(3)'s test.
    static constexpr std::array<const char*, 3> kCanaries = {
        "/run/systemd/system/", "/dev/.run/systemd/", "/dev/.systemd/"};
    const bool booted = std::any_of(kCanaries.begin(), kCanaries.end(),
                                    [&](const char* canary) { return probe.exists(canary); });
    if (systemctl && booted) return "systemd";
    if (binPath(probe, "initctl") && probe.exists("/etc/init/")) return "upstart";
    if (probe.exists("/sbin/openrc")) return "openrc";
    if (systemctl && probe.isLink("/sbin/init")) {
      const auto target = probe.readLink("/sbin/init");
      if (target && py::basename(*target) == "systemd") return "systemd";
    }
    if (probe.exists("/etc/init.d/")) return "sysvinit";
  }
  return "service";
}

std::string packageManager(FactProbe& probe, const json& facts) {
  // PKG_MGRS: the last one present wins, then the family's own choice.
  static constexpr std::array<std::pair<const char*, const char*>, 26> kManagers = {{
      {"/usr/bin/rpm-ostree", "atomic_container"},
      {"/usr/bin/yum", "yum"},
      {"/usr/bin/dnf", "dnf"},
      {"/usr/bin/apt-get", "apt"},
      {"/usr/bin/zypper", "zypper"},
      {"/usr/sbin/urpmi", "urpmi"},
      {"/usr/bin/pacman", "pacman"},
      {"/bin/opkg", "opkg"},
      {"/usr/pkg/bin/pkgin", "pkgin"},
      {"/opt/local/bin/pkgin", "pkgin"},
      {"/opt/tools/bin/pkgin", "pkgin"},
      {"/opt/local/bin/port", "macports"},
      {"/usr/local/bin/brew", "homebrew"},
      {"/opt/homebrew/bin/brew", "homebrew"},
      {"/sbin/apk", "apk"},
      {"/usr/sbin/pkg", "pkgng"},
      {"/usr/sbin/swlist", "swdepot"},
      {"/usr/bin/emerge", "portage"},
      {"/usr/sbin/pkgadd", "svr4pkg"},
      {"/usr/bin/pkg", "pkg5"},
      {"/usr/bin/xbps-install", "xbps"},
      {"/usr/local/sbin/pkg", "pkgng"},
      {"/usr/bin/swupd", "swupd"},
      {"/usr/sbin/sorcery", "sorcery"},
      {"/usr/bin/installp", "installp"},
      {"/QOpenSys/pkgs/bin/yum", "yum"},
  }};
  const std::string family = facts.value("os_family", "");
  const std::string distribution = facts.value("distribution", "");
  const std::string major = facts.value("distribution_major_version", "");
  const auto exists = [&](const char* name) {
    return std::any_of(kManagers.begin(), kManagers.end(), [&](const auto& m) {
      return std::string_view(m.second) == name && probe.exists(m.first);
    });
  };
  std::string name = "unknown";
  for (const auto& [path, manager] : kManagers) {
    // On ALT Linux /usr/bin/pkg is perl-Package, not Solaris' pkg.
    if (family == "Altlinux" && std::string_view(path) == "/usr/bin/pkg") continue;
    if (probe.exists(path)) name = manager;
  }
  const auto number = [](const std::string& text) -> std::optional<long> {
    if (!py::isDigits(text)) return std::nullopt;
    return std::stol(text.substr(0, 15));
  };
  if (family == "RedHat") {
    if (probe.exists("/run/ostree-booted")) {
      name = "atomic_container";
    } else if (distribution == "Fedora" || distribution == "Amazon") {
      const long threshold = distribution == "Fedora" ? 23 : 2022;
      const auto version = number(major);
      if (!version) {
        name = "dnf";  // "some new magical version in the future"
      } else if (*version < threshold) {
        if (exists("yum")) name = "yum";
      } else if (exists("dnf")) {
        name = "dnf";
      }
    } else {
      // RHEL and its clones: yum before 8, dnf since.
      const auto version = number(major);
      name = version && *version < 8 ? "yum" : "dnf";
    }
  } else if (family == "Debian" && name != "apt") {
    // yum or zypper installed on Debian do not make them its manager.
    name = "apt";
  } else if (family == "Altlinux" && name == "apt") {
    name = "apt_rpm";
  }
  if (name == "apt" && probe.exists("/usr/bin/rpm")) {
    // APT-RPM if rpm owns apt-get.
    const auto status =
        probe.runStatus({"/usr/bin/rpm", "-q", "--whatprovides", "/usr/bin/apt-get"});
    if (status && *status == 0) name = "apt_rpm";
  }
  return name;
}

json gatherFacts(FactProbe& probe) {
  const Uname uname = probe.uname();
  json facts = platformFacts(probe, uname);
  facts.update(distributionFacts(probe, uname));
  facts.update(memoryFacts(probe));
  facts.update(cpuFacts(probe, facts.value("architecture", "")));
  facts.update(virtualizationFacts(probe));
  facts.update(networkFacts(probe));
  facts.update(userFacts(probe));
  facts.update(pythonFacts(probe));
  facts["service_mgr"] = serviceManager(probe, facts);
  facts["pkg_mgr"] = packageManager(probe, facts);
  json out = json::object();
  for (auto& [key, value] : facts.items()) out["ansible_" + key] = std::move(value);
  return out;
}

}  // namespace sc::agent
