// ansible_distribution and friends, written here to report exactly what
// ansible-core 2.14's setup module reports (and python-distro 1.8 beneath
// it). The order of the checks, the substring tests and the patterns follow
// Ansible's observable behaviour, quirks included, because playbooks depend
// on the exact strings
// ("Debian", "12.5", "bookworm", "RedHat" for Rocky's family).
//
// Left out: the lsb_release command (on the distributions Ansible
// supports it repeats os-release; running it costs a Python start-up), and
// Debian's last resort of asking dpkg about tzdata when os-release has no
// code name (Debian 7 and older).
#include <algorithm>
#include <array>
#include <utility>

#include "agent/facts/fact_files.h"
#include "agent/facts/facts.h"
#include "agent/facts/python_text.h"

namespace sc::agent {
namespace {

using nlohmann::json;
using StringMap = std::map<std::string, std::string>;

std::string valueOf(const StringMap& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

std::string reversed(std::string_view text) { return std::string(text.rbegin(), text.rend()); }

std::string group(const std::optional<py::Groups>& match, std::size_t index) {
  if (!match || index >= match->size() || !(*match)[index]) return {};
  return *(*match)[index];
}

// --- python-distro -----------------------------------------------------------

// distro's _parse_distro_release_content(): "CentOS Linux release 7.9.2009
// (Core)" -> name, version_id, codename, matched on the reversed line.
StringMap parseDistroReleaseLine(std::string_view line) {
  StringMap info;
  const std::string text = reversed(py::strip(line));
  const auto match =
      py::search(R"re((?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+))re", text,
                 /*anchored=*/true);
  if (match) {
    info["name"] = reversed(group(match, 3));
    if (!group(match, 2).empty()) info["version_id"] = reversed(group(match, 2));
    if (!group(match, 1).empty()) info["codename"] = reversed(group(match, 1));
  } else if (!line.empty()) {
    info["name"] = py::strip(line);
  }
  return info;
}

class Distro {
 public:
  explicit Distro(FactProbe& probe) {
    // /etc/os-release, else /usr/lib/os-release (distro's choice of file).
    std::string os_release_path = "/etc/os-release";
    if (!probe.isFile(os_release_path) && probe.isFile("/usr/lib/os-release")) {
      os_release_path = "/usr/lib/os-release";
    }
    if (probe.isFile(os_release_path)) {
      if (auto text = probe.readFile(os_release_path)) os_release_ = parseOsRelease(*text);
    }
    distro_release_ = findDistroRelease(probe);
    if (auto text = probe.readFile("/etc/debian_version")) {
      debian_version_ = py::rstrip(text->substr(0, text->find('\n')));
    }
  }

  const StringMap& osRelease() const { return os_release_; }

  std::string id() const {
    const auto normalize = [](const std::string& raw,
                              const std::map<std::string, std::string>& table) {
      std::string id = py::lower(raw);
      std::replace(id.begin(), id.end(), ' ', '_');
      const auto it = table.find(id);
      return it == table.end() ? id : it->second;
    };
    if (const auto id = valueOf(os_release_, "id"); !id.empty()) {
      return normalize(id, {{"ol", "oracle"}, {"opensuse-leap", "opensuse"}});
    }
    if (const auto id = valueOf(distro_release_, "id"); !id.empty()) {
      return normalize(id, {{"redhat", "rhel"}});
    }
    return {};
  }

  std::string version(bool best) const {
    std::vector<std::string> versions = {
        valueOf(os_release_, "version_id"),
        valueOf(distro_release_, "version_id"),
        valueOf(parseDistroReleaseLine(valueOf(os_release_, "pretty_name")), "version_id"),
    };
    const auto like = py::split(valueOf(os_release_, "id_like"));
    if (id() == "debian" || std::find(like.begin(), like.end(), "debian") != like.end()) {
      versions.push_back(debian_version_);
    }
    std::string version;
    for (const auto& v : versions) {
      if (best) {
        // The last version in priority order with the most dots.
        if (std::count(v.begin(), v.end(), '.') > std::count(version.begin(), version.end(), '.') ||
            version.empty()) {
          version = v;
        }
      } else if (!v.empty()) {
        return v;
      }
    }
    return version;
  }

  std::string codename() const {
    if (const auto it = os_release_.find("codename"); it != os_release_.end()) return it->second;
    return valueOf(distro_release_, "codename");
  }

 private:
  // distro's _distro_release_info(): the first /etc/*-release or
  // *-version file, by name, whose first line parses.
  static StringMap findDistroRelease(FactProbe& probe) {
    static constexpr std::array<std::string_view, 7> kIgnored = {
        "debian_version", "lsb-release",   "oem-release",     "os-release",
        "system-release", "plesk-release", "iredmail-release"};
    std::vector<std::string> names;
    for (auto& name : probe.listDirectory("/etc")) {
      if (std::find(kIgnored.begin(), kIgnored.end(), name) != kIgnored.end()) continue;
      if (probe.isFile("/etc/" + name)) names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const auto match = py::search(R"re((\w+)[-_](release|version)$)re", name, /*anchored=*/true);
      if (!match) continue;
      const auto text = probe.readFile("/etc/" + name);
      if (!text) continue;
      const auto newline = text->find('\n');
      StringMap info = parseDistroReleaseLine(
          newline == std::string::npos ? *text : text->substr(0, newline + 1));
      if (!info.contains("name")) continue;
      info["id"] = group(match, 1);
      if (py::contains(py::lower(info["name"]), "cloudlinux")) info["id"] = "cloudlinux";
      return info;
    }
    return {};
  }

  StringMap os_release_;
  StringMap distro_release_;
  std::string debian_version_;
};

// sys_info.get_distribution()
std::string sysInfoDistribution(const Distro& distro) {
  const std::string name = py::capitalize(distro.id());
  if (name == "Amzn") return "Amazon";
  if (name == "Rhel") return "Redhat";
  if (name.empty()) return "OtherLinux";
  return name;
}

// sys_info.get_distribution_version()
std::string sysInfoVersion(const Distro& distro) {
  const std::string id = distro.id();
  if (id == "centos") {
    // Ansible reports major.minor for CentOS although os-release says only
    // the major version (ansible#50141).
    auto parts = py::split(distro.version(true), ".");
    if (parts.size() > 2) parts.resize(2);
    return py::join(parts, ".");
  }
  // Debian's os-release has no minor version (Debian bug 931197).
  if (id == "debian") return distro.version(true);
  return distro.version(false);
}

// sys_info.get_distribution_codename(); nullopt is Python's None.
std::optional<std::string> sysInfoCodename(const Distro& distro) {
  const auto& os_release = distro.osRelease();
  if (const auto it = os_release.find("version_codename"); it != os_release.end()) {
    return it->second;
  }
  if (const auto it = os_release.find("ubuntu_codename"); it != os_release.end()) {
    return it->second;
  }
  std::string codename = distro.codename();
  if (codename.empty()) return std::nullopt;
  return codename;
}

// --- DistributionFiles -------------------------------------------------------

struct DistFile {
  const char* path;
  const char* name;
  bool allow_empty;
};

// OSDIST_LIST: the order is the precedence.
constexpr std::array<DistFile, 23> kDistFiles = {{
    {"/etc/altlinux-release", "Altlinux", false},
    {"/etc/oracle-release", "OracleLinux", false},
    {"/etc/slackware-version", "Slackware", false},
    {"/etc/centos-release", "CentOS", false},
    {"/etc/redhat-release", "RedHat", false},
    {"/etc/vmware-release", "VMwareESX", true},
    {"/etc/openwrt_release", "OpenWrt", false},
    {"/etc/os-release", "Amazon", false},
    {"/etc/system-release", "Amazon", false},
    {"/etc/alpine-release", "Alpine", false},
    {"/etc/arch-release", "Archlinux", true},
    {"/etc/os-release", "Archlinux", false},
    {"/etc/os-release", "SUSE", false},
    {"/etc/SuSE-release", "SUSE", false},
    {"/etc/gentoo-release", "Gentoo", false},
    {"/etc/os-release", "Debian", false},
    {"/etc/lsb-release", "Debian", false},
    {"/etc/lsb-release", "Mandriva", false},
    {"/etc/sourcemage-release", "SMGL", false},
    {"/usr/lib/os-release", "ClearLinux", false},
    {"/etc/coreos/update.conf", "Coreos", false},
    {"/etc/os-release", "Flatcar", false},
    {"/etc/os-release", "NA", false},
}};

const std::map<std::string, std::string>& searchStrings() {
  static const std::map<std::string, std::string> kSearch = {{"OracleLinux", "Oracle Linux"},
                                                             {"RedHat", "Red Hat"},
                                                             {"Altlinux", "ALT"},
                                                             {"SMGL", "Source Mage GNU/Linux"}};
  return kSearch;
}

struct Parsed {
  bool parsed = false;
  json facts = json::object();
};

class DistributionFiles {
 public:
  DistributionFiles(FactProbe& probe, const Distro& distro) : probe_(probe), distro_(distro) {}

  json process() {
    json facts = guess();
    for (const auto& file : kDistFiles) {
      const std::string path = file.path;
      const std::string name = file.name;
      if (!probe_.exists(path)) continue;
      if (!file.allow_empty && probe_.fileSize(path) == 0) continue;
      if (file.allow_empty) {
        facts["distribution"] = name;
        facts["distribution_file_path"] = path;
        facts["distribution_file_variety"] = name;
        break;
      }
      const std::string data = fileContent(probe_, path).value_or("");
      Parsed parsed = parse(name, data, path, facts);
      if (!parsed.parsed) continue;
      facts["distribution"] = name;
      facts["distribution_file_path"] = path;
      facts["distribution_file_variety"] = name;
      facts["distribution_file_parsed"] = true;
      facts.update(parsed.facts);
      break;
    }
    return facts;
  }

 private:
  json guess() const {
    const auto codename = sysInfoCodename(distro_);
    const std::string distribution = sysInfoDistribution(distro_);
    std::string version = sysInfoVersion(distro_);
    if (version.empty()) version = "NA";
    std::string major = py::split(version, ".")[0];
    if (major.empty()) major = "NA";
    return {{"distribution", distribution.empty() ? "NA" : distribution},
            {"distribution_version", version},
            {"distribution_release", codename ? *codename : "NA"},
            {"distribution_major_version", major}};
  }

  Parsed parse(const std::string& name, const std::string& raw, const std::string& path,
               const json& collected) {
    const std::string data = py::strip(raw, "'\"\\");
    Parsed out;
    if (const auto it = searchStrings().find(name); it != searchStrings().end()) {
      if (py::contains(data, it->second)) {
        // "Red Hat" in the file: distribution RedHat.
        out.facts["distribution"] = name;
        out.facts["distribution_file_search_string"] = it->second;
      } else {
        // Otherwise the file's first word: CentOS, Rocky, Fedora, ...
        const auto words = py::split(data);
        if (words.empty()) return out;
        out.facts["distribution"] = words[0];
      }
      out.parsed = true;
      return out;
    }
    if (name == "Archlinux") {
      if (py::contains(data, "Arch Linux")) {
        out.facts["distribution"] = name;
        out.parsed = true;
      }
      return out;
    }
    if (name == "Slackware") return slackware(name, data);
    if (name == "Amazon") return amazon(data, path);
    if (name == "OpenWrt") return openWrt(name, data);
    if (name == "Alpine") return alpine(data);
    if (name == "SUSE") return suse(data, path, collected);
    if (name == "Debian") return debian(data, path);
    if (name == "Mandriva") return mandriva(name, data);
    if (name == "NA") return notAvailable(name, data, collected);
    if (name == "Coreos") return coreos(data);
    if (name == "Flatcar") return flatcar(data);
    if (name == "ClearLinux") return clearLinux(name, data);
    if (name == "CentOS") return centos(data);
    return out;  // no parser: Ansible's AttributeError branch
  }

  static Parsed slackware(const std::string& name, const std::string& data) {
    Parsed out;
    if (!py::contains(data, "Slackware")) return out;
    out.facts["distribution"] = name;
    const auto versions = py::findAll(R"re(\w+[.]\w+\+?)re", data);
    if (!versions.empty()) out.facts["distribution_version"] = versions[0];
    out.parsed = true;
    return out;
  }

  static Parsed amazon(const std::string& data, const std::string& path) {
    Parsed out;
    if (!py::contains(data, "Amazon")) return out;
    out.facts["distribution"] = "Amazon";
    if (path == "/etc/os-release") {
      if (const auto match = py::search(R"re(VERSION_ID="(.*)")re", data)) {
        const std::string version = group(match, 1);
        out.facts["distribution_version"] = version;
        const auto parts = py::split(version, ".");
        out.facts["distribution_major_version"] = parts[0];
        out.facts["distribution_minor_version"] = parts.size() > 1 ? parts[1] : "NA";
      }
    } else {
      std::string version = "NA";
      for (const auto& word : py::split(data)) {
        if (py::isDigits(word)) {
          version = word;
          break;
        }
      }
      out.facts["distribution_version"] = version;
    }
    out.parsed = true;
    return out;
  }

  static Parsed openWrt(const std::string& name, const std::string& data) {
    Parsed out;
    if (!py::contains(data, "OpenWrt")) return out;
    out.facts["distribution"] = name;
    if (const auto m = py::search(R"re(DISTRIB_RELEASE="(.*)")re", data)) {
      out.facts["distribution_version"] = group(m, 1);
    }
    if (const auto m = py::search(R"re(DISTRIB_CODENAME="(.*)")re", data)) {
      out.facts["distribution_release"] = group(m, 1);
    }
    out.parsed = true;
    return out;
  }

  static Parsed alpine(const std::string& data) {
    Parsed out;
    out.facts["distribution"] = "Alpine";
    out.facts["distribution_version"] = data;
    out.parsed = true;
    return out;
  }

  Parsed suse(const std::string& data, const std::string& path, const json& collected) {
    Parsed out;
    const std::string lowered = py::lower(data);
    if (!py::contains(lowered, "suse")) return out;
    if (path == "/etc/os-release") {
      for (const auto& line : py::splitLines(data)) {
        if (const auto m = py::search("^NAME=(.*)", line)) {
          out.facts["distribution"] = py::strip(group(m, 1), "\"");
        }
        if (const auto m = py::search(R"re(^VERSION_ID="?([0-9]+\.?[0-9]*)"?)re", line)) {
          out.facts["distribution_version"] = group(m, 1);
          out.facts["distribution_major_version"] = py::split(group(m, 1), ".")[0];
        }
        if (py::contains(lowered, "open")) {
          if (const auto m = py::search(R"re(^VERSION_ID="?[0-9]+\.?([0-9]*)"?)re", line)) {
            out.facts["distribution_release"] = group(m, 1);
          }
        } else if (py::contains(lowered, "enterprise") && py::contains(line, "VERSION_ID")) {
          // SLES has no release names: the minor version, "0" for none.
          const auto m = py::search(R"re(^VERSION_ID="?[0-9]+\.?([0-9]*)"?)re", line);
          const std::string minor = group(m, 1);
          out.facts["distribution_release"] = minor.empty() ? "0" : minor;
        }
      }
    } else if (path == "/etc/SuSE-release") {
      const auto lines = py::splitLines(data);
      if (py::contains(lowered, "open")) {
        const auto first = fileLines(probe_, path);
        if (!first.empty() && !py::split(first[0]).empty()) {
          out.facts["distribution"] = py::split(first[0])[0];
        }
        for (const auto& line : lines) {
          if (const auto m = py::search(R"re(CODENAME *= *([^\n]+))re", line)) {
            out.facts["distribution_release"] = py::strip(group(m, 1));
          }
        }
      } else if (py::contains(lowered, "enterprise")) {
        if (py::contains(data, "Server")) {
          out.facts["distribution"] = "SLES";
        } else if (py::contains(data, "Desktop")) {
          out.facts["distribution"] = "SLED";
        }
        for (const auto& line : lines) {
          if (const auto m = py::search("PATCHLEVEL = ([0-9]+)", line)) {
            out.facts["distribution_release"] = group(m, 1);
            out.facts["distribution_version"] =
                collected.value("distribution_version", "") + "." + group(m, 1);
          }
        }
      }
    }
    // SLES for SAP (https://www.suse.com/support/kb/doc/?id=000019341).
    if (probe_.isLink("/etc/products.d/baseproduct")) {
      const auto target = probe_.readLink("/etc/products.d/baseproduct");
      if (target && target->ends_with("SLES_SAP.prod")) out.facts["distribution"] = "SLES_SAP";
    }
    out.parsed = true;
    return out;
  }

  Parsed debian(const std::string& data, const std::string& path) {
    Parsed out;
    auto& facts = out.facts;
    const auto versionId = [&](bool split_major) {
      if (const auto m = py::search(R"re(VERSION_ID="(.*)")re", data)) {
        facts["distribution_version"] = group(m, 1);
        facts["distribution_major_version"] =
            split_major ? py::split(group(m, 1), ".")[0] : group(m, 1);
      }
    };
    const auto codename = [&] {
      if (const auto m = py::search(R"re(VERSION_CODENAME="?([^"]+)"?)re", data)) {
        facts["distribution_release"] = group(m, 1);
      }
    };
    if (py::contains(data, "Debian") || py::contains(data, "Raspbian")) {
      facts["distribution"] = "Debian";
      if (const auto m = py::search(R"re(PRETTY_NAME=[^(]+ \(?([^)]+?)\))re", data)) {
        facts["distribution_release"] = group(m, 1);
      }
      for (const auto& line : fileLines(probe_, "/etc/debian_version")) {
        if (const auto m = py::search(R"re((\d+)\.(\d+))re", py::strip(line))) {
          facts["distribution_minor_version"] = group(m, 2);
        }
      }
    } else if (py::contains(data, "Ubuntu")) {
      facts["distribution"] = "Ubuntu";
    } else if (py::contains(data, "SteamOS")) {
      facts["distribution"] = "SteamOS";
    } else if ((path == "/etc/lsb-release" || path == "/etc/os-release") &&
               (py::contains(data, "Kali") || py::contains(data, "Parrot"))) {
      facts["distribution"] = py::contains(data, "Kali") ? "Kali" : "Parrot";
      if (const auto m = py::search("DISTRIB_RELEASE=(.*)", data)) {
        facts["distribution_release"] = group(m, 1);
      }
    } else if (py::contains(data, "Devuan")) {
      facts["distribution"] = "Devuan";
      if (const auto m = py::search(R"re(PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?)re", data)) {
        facts["distribution_release"] = group(m, 1);
      }
      versionId(/*split_major=*/false);
    } else if (py::contains(data, "Cumulus")) {
      facts["distribution"] = "Cumulus Linux";
      if (const auto m = py::search("VERSION_ID=(.*)", data)) {
        const auto parts = py::split(group(m, 1), ".");
        if (parts.size() == 3) {  // Ansible fails on any other shape
          facts["distribution_version"] = group(m, 1);
          facts["distribution_major_version"] = parts[0];
        }
      }
      if (const auto m = py::search(R"re(VERSION="(.*)")re", data)) {
        facts["distribution_release"] = group(m, 1);
      }
    } else if (py::contains(data, "Mint")) {
      facts["distribution"] = "Linux Mint";
      versionId(/*split_major=*/true);
    } else if (py::contains(data, "UOS") || py::contains(data, "Uos") ||
               py::contains(data, "uos")) {
      facts["distribution"] = "Uos";
      codename();
      versionId(/*split_major=*/true);
    } else if (py::contains(data, "Deepin") || py::contains(data, "deepin")) {
      facts["distribution"] = "Deepin";
      codename();
      versionId(/*split_major=*/true);
    } else {
      return out;
    }
    out.parsed = true;
    return out;
  }

  static Parsed mandriva(const std::string& name, const std::string& data) {
    Parsed out;
    if (!py::contains(data, "Mandriva")) return out;
    if (const auto m = py::search(R"re(DISTRIB_RELEASE="(.*)")re", data)) {
      out.facts["distribution_version"] = group(m, 1);
    }
    if (const auto m = py::search(R"re(DISTRIB_CODENAME="(.*)")re", data)) {
      out.facts["distribution_release"] = group(m, 1);
    }
    out.facts["distribution"] = name;
    out.parsed = true;
    return out;
  }

  static Parsed notAvailable(const std::string& name, const std::string& data,
                             const json& collected) {
    Parsed out;
    for (const auto& line : py::splitLines(data)) {
      if (const auto m = py::search("^NAME=(.*)", line); m && name == "NA") {
        out.facts["distribution"] = py::strip(group(m, 1), "\"");
      }
      if (const auto m = py::search("^VERSION=(.*)", line);
          m && collected.value("distribution_version", "") == "NA") {
        out.facts["distribution_version"] = py::strip(group(m, 1), "\"");
      }
    }
    out.parsed = true;
    return out;
  }

  Parsed coreos(const std::string& data) const {
    Parsed out;
    if (py::lower(sysInfoDistribution(distro_)) != "coreos" || data.empty()) return out;
    if (const auto m = py::search("^GROUP=(.*)", data)) {
      out.facts["distribution_release"] = py::strip(group(m, 1), "\"");
    }
    out.parsed = true;
    return out;
  }

  Parsed flatcar(const std::string& data) const {
    Parsed out;
    if (py::lower(sysInfoDistribution(distro_)) != "flatcar" || data.empty()) return out;
    if (const auto m = py::search("VERSION=(.*)", data)) {
      const std::string version = py::strip(group(m, 1), "\"");
      out.facts["distribution_major_version"] = py::split(version, ".")[0];
      out.facts["distribution_version"] = version;
    }
    out.parsed = true;
    return out;
  }

  static Parsed clearLinux(const std::string& name, const std::string& data) {
    Parsed out;
    if (!py::contains(py::lower(name), "clearlinux")) return out;
    if (const auto m = py::search(R"re(NAME="(.*)")re", data)) {
      if (!py::contains(group(m, 1), "Clear Linux")) return out;
      out.facts["distribution"] = group(m, 1);
    }
    if (const auto m = py::search("VERSION_ID=(.*)", data)) {
      out.facts["distribution_major_version"] = group(m, 1);
      out.facts["distribution_version"] = group(m, 1);
    }
    if (const auto m = py::search("ID=(.*)", data)) {
      out.facts["distribution_release"] = group(m, 1);
    }
    out.parsed = true;
    return out;
  }

  static Parsed centos(const std::string& data) {
    Parsed out;
    if (py::contains(data, "CentOS Stream")) {
      out.facts["distribution_release"] = "Stream";
      out.parsed = true;
    } else if (py::contains(data, "TencentOS Server")) {
      out.facts["distribution"] = "TencentOS";
      out.parsed = true;
    }
    return out;
  }

  FactProbe& probe_;
  const Distro& distro_;
};

// Distribution.OS_FAMILY_MAP, keyed by distribution.
const std::map<std::string, std::string>& osFamilies() {
  static const std::map<std::string, std::string> kFamilies = [] {
    const std::vector<std::pair<std::string, std::vector<std::string>>> families = {
        {"RedHat",
         {"RedHat",
          "RHEL",
          "Fedora",
          "CentOS",
          "Scientific",
          "SLC",
          "Ascendos",
          "CloudLinux",
          "PSBM",
          "OracleLinux",
          "OVS",
          "OEL",
          "Amazon",
          "Virtuozzo",
          "XenServer",
          "Alibaba",
          "EulerOS",
          "openEuler",
          "AlmaLinux",
          "Rocky",
          "TencentOS",
          "EuroLinux",
          "Kylin Linux Advanced Server"}},
        {"Debian",
         {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan",
          "Kali", "Cumulus Linux", "Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin",
          "OSMC"}},
        {"Suse",
         {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX",
          "openSUSE Leap"}},
        {"Archlinux", {"Archlinux", "Antergos", "Manjaro"}},
        {"Mandrake", {"Mandrake", "Mandriva"}},
        {"Solaris", {"Solaris", "Nexenta", "OmniOS", "OpenIndiana", "SmartOS"}},
        {"Slackware", {"Slackware"}},
        {"Altlinux", {"Altlinux"}},
        {"SGML", {"SGML"}},
        {"Gentoo", {"Gentoo", "Funtoo"}},
        {"Alpine", {"Alpine"}},
        {"AIX", {"AIX"}},
        {"HP-UX", {"HPUX"}},
        {"Darwin", {"MacOSX"}},
        {"FreeBSD", {"FreeBSD", "TrueOS"}},
        {"ClearLinux", {"Clear Linux OS", "Clear Linux Mix"}},
        {"DragonFly",
         {"DragonflyBSD", "DragonFlyBSD", "Gentoo/DragonflyBSD", "Gentoo/DragonFlyBSD"}},
        {"NetBSD", {"NetBSD"}},
    };
    std::map<std::string, std::string> out;
    for (const auto& [family, names] : families) {
      for (const auto& name : names) out[name] = family;
    }
    return out;
  }();
  return kFamilies;
}

}  // namespace

std::string osFamilyOf(const std::string& distribution) {
  const auto it = osFamilies().find(distribution);
  return it == osFamilies().end() ? std::string() : it->second;
}

std::string osFamilyOfLowerCase(const std::string& lower_name) {
  std::string family;
  for (const auto& [name, name_family] : osFamilies()) {
    if (py::lower(name) == lower_name) family = name_family;
  }
  return family;
}

std::map<std::string, std::string> parseOsRelease(std::string_view text) {
  StringMap props;
  for (const auto& token : py::shlexSplit(text)) {
    const auto parts = py::splitOnce(token, '=');
    if (parts.size() == 2) props[py::lower(parts[0])] = parts[1];
  }
  if (const auto it = props.find("version"); it != props.end()) {
    if (const auto m = py::search(R"re(\((\D+)\)|,\s*(\D+))re", it->second)) {
      const std::string codename = (*m)[1] ? *(*m)[1] : group(m, 2);
      props["codename"] = codename;
      props["release_codename"] = codename;
    }
  }
  if (const auto it = props.find("version_codename"); it != props.end()) {
    props["codename"] = it->second;
  } else if (const auto ubuntu = props.find("ubuntu_codename"); ubuntu != props.end()) {
    props["codename"] = ubuntu->second;
  }
  return props;
}

json distributionFacts(FactProbe& probe, const Uname& uname) {
  json facts = {{"distribution", uname.sysname},
                {"distribution_release", uname.release},
                {"distribution_version", uname.version}};
  if (uname.sysname == "Linux") {
    const Distro distro(probe);
    facts.update(DistributionFiles(probe, distro).process());
  }
  const std::string distribution = facts["distribution"].get<std::string>();
  const std::string family = osFamilyOf(distribution);
  facts["os_family"] = family.empty() ? distribution : family;
  return facts;
}

}  // namespace sc::agent
