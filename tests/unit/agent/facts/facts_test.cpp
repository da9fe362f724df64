// Facts (agent/facts/): every collector on fixture hosts under
// tests/fixtures/facts/ (real os-release, /proc and /sys files of Debian,
// Ubuntu, Rocky, CentOS and Amazon Linux) and on small trees written here.
// File reads go through the real PosixFactProbe under the fixture root;
// what only the kernel, resolver or user database knows comes from
// FixtureProbe. The expected values are Ansible's: tests/ansible/
// facts_differential.py runs Ansible's own collectors on the same fixtures.
#include "agent/facts/facts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/support/test_tree.h"

namespace sc::testing {
namespace {

using agent::FactProbe;
using nlohmann::json;
namespace stdfs = std::filesystem;

const std::string kFixtures = SC_FACTS_FIXTURES;

agent::Uname linuxUname(std::string machine = "x86_64") {
  return {"Linux", "web1.example.com", "6.1.0-18-amd64",
          "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)", std::move(machine)};
}

// Files from a directory; the rest from fields a test sets.
class FixtureProbe : public agent::PosixFactProbe {
 public:
  explicit FixtureProbe(const std::string& root) : PosixFactProbe(root) {}

  std::vector<std::string> listDirectory(const std::string& path) override {
    if (path == "/sys/class/net" && net_order) return *net_order;
    return PosixFactProbe::listDirectory(path);
  }
  agent::Uname uname() override { return uname_value; }
  std::string fqdn(const std::string& name) override { return fqdn_value.value_or(name); }
  std::vector<agent::Ipv4Address> ipv4Addresses() override { return addresses; }
  std::optional<std::string> sourceAddressFor(const std::string& destination) override {
    EXPECT_EQ(destination, "8.8.8.8");
    return source;
  }
  std::optional<std::string> environment(const std::string& name) override {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  }
  std::optional<agent::PasswdEntry> userByName(const std::string& name) override {
    for (const auto& user : users) {
      if (user.name == name) return user;
    }
    return std::nullopt;
  }
  std::optional<agent::PasswdEntry> userById(uid_t uid) override {
    for (const auto& user : users) {
      if (user.uid == uid) return user;
    }
    return std::nullopt;
  }
  agent::ProcessIds processIds() override { return ids; }
  std::optional<int> usableCpus() override { return cpus; }
  std::optional<agent::PythonInfo> python(const std::string& executable) override {
    asked_python.push_back(executable);
    const auto it = pythons.find(executable);
    if (it == pythons.end()) return std::nullopt;
    return it->second;
  }
  std::optional<int> runStatus(const std::vector<std::string>& argv) override {
    ran.push_back(argv);
    return run_status;
  }

  agent::Uname uname_value = linuxUname();
  std::optional<std::string> fqdn_value;
  std::optional<std::vector<std::string>> net_order;
  std::vector<agent::Ipv4Address> addresses;
  std::optional<std::string> source;
  std::map<std::string, std::string> env = {
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}};
  std::vector<agent::PasswdEntry> users = {{"root", 0, 0, "root", "/root", "/bin/bash"}};
  agent::ProcessIds ids;
  std::optional<int> cpus;
  std::map<std::string, agent::PythonInfo> pythons;
  std::optional<int> run_status;
  std::vector<std::string> asked_python;
  std::vector<std::vector<std::string>> ran;
};

agent::PythonInfo python311(const std::string& executable) {
  return {executable, 3, 11, 2, "final", 0, "3.11.2", "cpython", true};
}

// A scratch host: files written by the test under a temp dir.
class ScratchHost {
 public:
  void write(const std::string& path, const std::string& content, mode_t mode = 0644) {
    const stdfs::path real = dir_.path() / path.substr(1);
    stdfs::create_directories(real.parent_path());
    std::ofstream(real, std::ios::binary) << content;
    ::chmod(real.c_str(), mode);
  }
  void mkdir(const std::string& path) { stdfs::create_directories(dir_.path() / path.substr(1)); }
  void symlink(const std::string& path, const std::string& target) {
    const stdfs::path real = dir_.path() / path.substr(1);
    stdfs::create_directories(real.parent_path());
    stdfs::create_symlink(target, real);
  }
  std::string root() const { return dir_.path().string(); }

 private:
  TempDir dir_;
};

// --- a whole host --------------------------------------------------------------

TEST(GatherFactsTest, Debian12OnEc2GivesAnsiblesNamesAndValues) {
  FixtureProbe probe(kFixtures + "/debian12");
  probe.fqdn_value = "web1.example.com";
  probe.net_order = std::vector<std::string>{"lo", "eth1", "eth0"};
  probe.addresses = {{"lo", "127.0.0.1", "255.0.0.0", ""},
                     {"eth0", "192.168.0.10", "255.255.255.0", "192.168.0.255"},
                     {"eth0:1", "192.168.0.11", "255.255.255.0", "192.168.0.255"},
                     {"eth1", "172.16.0.5", "255.255.0.0", "172.16.255.255"}};
  probe.source = "192.168.0.10";
  probe.env["LOGNAME"] = "deploy";
  probe.users.push_back({"deploy", 1001, 1002, "Deploy User,,,", "/home/deploy", "/bin/bash"});
  probe.ids = {1001, 1001, 1002};
  probe.cpus = 4;
  probe.pythons["/usr/bin/python3"] = python311("/usr/bin/python3");

  const json facts = agent::gatherFacts(probe);
  const json expected = json::parse(R"json({
    "ansible_all_ipv4_addresses": ["172.16.0.5", "192.168.0.10", "192.168.0.11"],
    "ansible_architecture": "x86_64",
    "ansible_default_ipv4": {
      "address": "192.168.0.10", "alias": "eth0", "broadcast": "192.168.0.255",
      "gateway": "192.168.0.1", "interface": "eth0", "macaddress": "0a:1b:2c:3d:4e:5f",
      "mtu": 9001, "netmask": "255.255.255.0", "network": "192.168.0.0", "prefix": "24",
      "type": "ether"},
    "ansible_distribution": "Debian",
    "ansible_distribution_file_parsed": true,
    "ansible_distribution_file_path": "/etc/os-release",
    "ansible_distribution_file_variety": "Debian",
    "ansible_distribution_major_version": "12",
    "ansible_distribution_minor_version": "5",
    "ansible_distribution_release": "bookworm",
    "ansible_distribution_version": "12.5",
    "ansible_domain": "example.com",
    "ansible_effective_group_id": 1002,
    "ansible_effective_user_id": 1001,
    "ansible_fqdn": "web1.example.com",
    "ansible_hostname": "web1",
    "ansible_kernel": "6.1.0-18-amd64",
    "ansible_kernel_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
    "ansible_machine": "x86_64",
    "ansible_machine_id": "0123456789abcdef0123456789abcdef",
    "ansible_memfree_mb": 5196,
    "ansible_memory_mb": {
      "nocache": {"free": 6320, "used": 1530},
      "real": {"free": 5196, "total": 7850, "used": 2654},
      "swap": {"cached": 0, "free": 2047, "total": 2047, "used": 0}},
    "ansible_memtotal_mb": 7850,
    "ansible_nodename": "web1.example.com",
    "ansible_os_family": "Debian",
    "ansible_pkg_mgr": "apt",
    "ansible_processor": [
      "0", "GenuineIntel", "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
      "1", "GenuineIntel", "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
      "2", "GenuineIntel", "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
      "3", "GenuineIntel", "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"],
    "ansible_processor_cores": 2,
    "ansible_processor_count": 1,
    "ansible_processor_nproc": 4,
    "ansible_processor_threads_per_core": 2,
    "ansible_processor_vcpus": 4,
    "ansible_python": {
      "executable": "/usr/bin/python3", "has_sslcontext": true, "type": "cpython",
      "version": {"major": 3, "micro": 2, "minor": 11, "releaselevel": "final", "serial": 0},
      "version_info": [3, 11, 2, "final", 0]},
    "ansible_python_version": "3.11.2",
    "ansible_real_group_id": 1002,
    "ansible_real_user_id": 1001,
    "ansible_service_mgr": "systemd",
    "ansible_swapfree_mb": 2047,
    "ansible_swaptotal_mb": 2047,
    "ansible_system": "Linux",
    "ansible_user_dir": "/home/deploy",
    "ansible_user_gecos": "Deploy User,,,",
    "ansible_user_gid": 1002,
    "ansible_user_id": "deploy",
    "ansible_user_shell": "/bin/bash",
    "ansible_user_uid": 1001,
    "ansible_virtualization_role": "guest",
    "ansible_virtualization_type": "kvm"
  })json");
  EXPECT_EQ(facts, expected) << json::diff(expected, facts).dump(2);
  EXPECT_TRUE(probe.ran.empty()) << "rpm is only asked when /usr/bin/rpm exists";
}

TEST(GatherFactsTest, AnEmptyRootGivesAnsiblesDefaultsAndNoCrash) {
  FixtureProbe probe(kFixtures + "/empty");
  probe.env.erase("PATH");
  const json facts = agent::gatherFacts(probe);
  EXPECT_EQ(facts["ansible_distribution"], "OtherLinux");
  EXPECT_EQ(facts["ansible_distribution_version"], "NA");
  EXPECT_EQ(facts["ansible_distribution_major_version"], "NA");
  EXPECT_EQ(facts["ansible_distribution_release"], "NA");
  EXPECT_EQ(facts["ansible_os_family"], "OtherLinux");
  EXPECT_EQ(facts["ansible_pkg_mgr"], "unknown");
  EXPECT_EQ(facts["ansible_service_mgr"], "service");
  EXPECT_EQ(facts["ansible_virtualization_type"], "NA");
  EXPECT_EQ(facts["ansible_virtualization_role"], "NA");
  EXPECT_EQ(facts["ansible_default_ipv4"], json::object());
  EXPECT_EQ(facts["ansible_all_ipv4_addresses"], json::array());
  // Ansible leaves out what it could not read at all.
  for (const char* absent :
       {"ansible_memtotal_mb", "ansible_memory_mb", "ansible_processor", "ansible_processor_count",
        "ansible_python", "ansible_machine_id", "ansible_distribution_file_path"}) {
    EXPECT_FALSE(facts.contains(absent)) << absent;
  }
  for (const auto& [key, value] : facts.items()) EXPECT_TRUE(key.starts_with("ansible_")) << key;
}

// --- distributions -------------------------------------------------------------

struct DistributionCase {
  std::string fixture;
  std::string distribution;
  std::string version;
  std::string major;
  std::string release;
  std::string family;
  std::string file_path;  // empty: no file matched
  std::string pkg_mgr;
  std::string python;  // empty: none found
};

class DistributionTest : public ::testing::TestWithParam<DistributionCase> {};

TEST_P(DistributionTest, FixtureGivesAnsiblesDistributionFacts) {
  const DistributionCase& c = GetParam();
  FixtureProbe probe(kFixtures + "/" + c.fixture);
  json facts = agent::distributionFacts(probe, linuxUname());
  EXPECT_EQ(facts["distribution"], c.distribution);
  EXPECT_EQ(facts["distribution_version"], c.version);
  EXPECT_EQ(facts["distribution_major_version"], c.major);
  EXPECT_EQ(facts["distribution_release"], c.release);
  EXPECT_EQ(facts["os_family"], c.family);
  if (c.file_path.empty()) {
    EXPECT_FALSE(facts.contains("distribution_file_path")) << facts.dump();
  } else {
    EXPECT_EQ(facts["distribution_file_path"], c.file_path);
  }
  EXPECT_EQ(agent::packageManager(probe, facts), c.pkg_mgr);
  EXPECT_EQ(agent::discoverPython(probe).value_or(""), c.python);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, DistributionTest,
    ::testing::Values(
        DistributionCase{"debian12", "Debian", "12.5", "12", "bookworm", "Debian",
                         "/etc/os-release", "apt", "/usr/bin/python3"},
        // ID_LIKE=debian, but Ubuntu's own VERSION_ID wins over debian_version.
        DistributionCase{"ubuntu2204", "Ubuntu", "22.04", "22", "jammy", "Debian",
                         "/etc/os-release", "apt", ""},
        // "Rocky Linux release ..." in redhat-release lacks "Red Hat": its first word.
        DistributionCase{"rocky9", "Rocky", "9.3", "9", "Blue Onyx", "RedHat",
                         "/etc/redhat-release", "dnf", "/usr/bin/python3"},
        // CentOS: the best version of all sources, cut to major.minor.
        DistributionCase{"centos7", "CentOS", "7.9", "7", "Core", "RedHat", "/etc/redhat-release",
                         "yum", "/usr/bin/python"},
        // Amazon Linux: no code name, "amzn" not in the interpreter map.
        DistributionCase{"amazon2023", "Amazon", "2023", "2023", "NA", "RedHat", "/etc/os-release",
                         "dnf", "/usr/bin/python3.9"},
        DistributionCase{"amazon2", "Amazon", "2", "2", "NA", "RedHat", "/etc/os-release", "yum",
                         "/usr/bin/python2.7"},
        DistributionCase{"empty", "OtherLinux", "NA", "NA", "NA", "OtherLinux", "", "unknown", ""}),
    [](const auto& test) { return test.param.fixture; });

TEST(DistributionFactsTest, RedHatEnterpriseIsRedHatWithPlatformPython) {
  ScratchHost host;
  host.write("/etc/os-release",
             "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.9 (Ootpa)\"\nID=\"rhel\"\n"
             "ID_LIKE=\"fedora\"\nVERSION_ID=\"8.9\"\n"
             "PRETTY_NAME=\"Red Hat Enterprise Linux 8.9 (Ootpa)\"\n");
  host.write("/etc/redhat-release", "Red Hat Enterprise Linux release 8.9 (Ootpa)\n");
  host.write("/usr/bin/dnf", "", 0755);
  host.write("/usr/bin/python3", "", 0755);
  host.write("/usr/libexec/platform-python", "", 0755);
  FixtureProbe probe(host.root());
  const json facts = agent::distributionFacts(probe, linuxUname());
  EXPECT_EQ(facts["distribution"], "RedHat");
  EXPECT_EQ(facts["distribution_file_search_string"], "Red Hat");
  EXPECT_EQ(facts["distribution_version"], "8.9");
  EXPECT_EQ(facts["distribution_release"], "Ootpa");
  EXPECT_EQ(facts["os_family"], "RedHat");
  EXPECT_EQ(agent::packageManager(probe, facts), "dnf");
  // RHEL 8's map entry, though /usr/bin/python3 exists too.
  EXPECT_EQ(agent::discoverPython(probe).value_or(""), "/usr/libexec/platform-python");
}

TEST(DistributionFactsTest, EmptyArchReleaseMeansArchlinux) {
  ScratchHost host;
  host.write("/etc/arch-release", "");
  host.write("/etc/os-release", "NAME=\"Arch Linux\"\nID=arch\nBUILD_ID=rolling\n");
  FixtureProbe probe(host.root());
  const json facts = agent::distributionFacts(probe, linuxUname());
  EXPECT_EQ(facts["distribution"], "Archlinux");
  EXPECT_EQ(facts["os_family"], "Archlinux");
  EXPECT_EQ(facts["distribution_file_path"], "/etc/arch-release");
  EXPECT_FALSE(facts.contains("distribution_file_parsed"));
}

TEST(DistributionFactsTest, UnknownOsReleaseFallsToItsName) {
  ScratchHost host;
  host.write("/etc/os-release", "NAME=\"Frobnix\"\nID=frobnix\nVERSION_ID=3.1\n");
  FixtureProbe probe(host.root());
  const json facts = agent::distributionFacts(probe, linuxUname());
  // Ansible's last entry ("NA") takes NAME; the version came from distro.
  EXPECT_EQ(facts["distribution"], "Frobnix");
  EXPECT_EQ(facts["distribution_version"], "3.1");
  EXPECT_EQ(facts["distribution_major_version"], "3");
  EXPECT_EQ(facts["os_family"], "Frobnix");
}

TEST(DistributionFactsTest, FamilyDecidesThePackageManager) {
  ScratchHost host;
  host.write("/usr/bin/zypper", "", 0755);
  host.write("/usr/bin/yum", "", 0755);
  FixtureProbe probe(host.root());
  // zypper (and yum) installed on Debian do not make them its manager.
  EXPECT_EQ(agent::packageManager(probe, {{"os_family", "Debian"}, {"distribution", "Debian"}}),
            "apt");
  EXPECT_EQ(agent::packageManager(probe, {{"os_family", "Suse"}, {"distribution", "SLES"}}),
            "zypper");
  json redhat = {
      {"os_family", "RedHat"}, {"distribution", "CentOS"}, {"distribution_major_version", "7"}};
  EXPECT_EQ(agent::packageManager(probe, redhat), "yum");
  redhat["distribution_major_version"] = "8";
  EXPECT_EQ(agent::packageManager(probe, redhat), "dnf");
  const json fedora = {
      {"os_family", "RedHat"}, {"distribution", "Fedora"}, {"distribution_major_version", "39"}};
  EXPECT_EQ(agent::packageManager(probe, fedora), "zypper") << "no dnf: the last one present";
}

TEST(DistributionFactsTest, AptOwnedByRpmIsAptRpm) {
  ScratchHost host;
  host.write("/usr/bin/apt-get", "", 0755);
  host.write("/usr/bin/rpm", "", 0755);
  FixtureProbe probe(host.root());
  const json facts = {{"os_family", "Debian"}, {"distribution", "Debian"}};
  probe.run_status = 1;
  EXPECT_EQ(agent::packageManager(probe, facts), "apt");
  probe.run_status = 0;
  EXPECT_EQ(agent::packageManager(probe, facts), "apt_rpm");
  ASSERT_FALSE(probe.ran.empty());
  EXPECT_EQ(probe.ran.back(),
            (std::vector<std::string>{"/usr/bin/rpm", "-q", "--whatprovides", "/usr/bin/apt-get"}));
}

TEST(DistributionFactsTest, OtherKernelsKeepUnameValues) {
  FixtureProbe probe(kFixtures + "/debian12");
  const json facts =
      agent::distributionFacts(probe, {"FreeBSD", "h", "14.0-RELEASE", "v", "amd64"});
  EXPECT_EQ(facts["distribution"], "FreeBSD");
  EXPECT_EQ(facts["distribution_release"], "14.0-RELEASE");
  EXPECT_EQ(facts["os_family"], "FreeBSD");
}

// --- os-release parsing ------------------------------------------------------------

TEST(ParseOsReleaseTest, ShellQuotingAndCommentsAsShlexReadsThem) {
  const auto props = agent::parseOsRelease(
      "NAME=\"Foo Bar\"\nID=foo # trailing comment\n# full comment\nX=a\\ b\n"
      "A='single # not a comment'\nB=\"say \\\"hi\\\" \\$HOME \\\\\"\n"
      "C=val#ue D=\"\"\nE=''\nI=x\"y z\"w\nnot-an-assignment\nLOWER=1\n");
  EXPECT_EQ(props.at("name"), "Foo Bar");
  EXPECT_EQ(props.at("id"), "foo");
  EXPECT_EQ(props.at("x"), "a b");
  EXPECT_EQ(props.at("a"), "single # not a comment");
  EXPECT_EQ(props.at("b"), "say \"hi\" \\$HOME \\");
  EXPECT_EQ(props.at("c"), "val");
  EXPECT_FALSE(props.contains("d")) << "a '#' inside a word starts a comment";
  EXPECT_EQ(props.at("e"), "");
  EXPECT_EQ(props.at("i"), "xy zw");
  EXPECT_EQ(props.at("lower"), "1");
}

TEST(ParseOsReleaseTest, CodenameFromVersionCodenameUbuntuCodenameOrVersion) {
  EXPECT_EQ(agent::parseOsRelease("VERSION=\"12 (bookworm)\"\n").at("codename"), "bookworm");
  EXPECT_EQ(agent::parseOsRelease("VERSION=\"7.9, Maipo\"\n").at("codename"), "Maipo");
  EXPECT_FALSE(agent::parseOsRelease("VERSION=\"2023\"\n").contains("codename"));
  EXPECT_EQ(agent::parseOsRelease("VERSION=\"1 (a)\"\nVERSION_CODENAME=b\n").at("codename"), "b");
  EXPECT_EQ(agent::parseOsRelease("VERSION=\"1 (a)\"\nUBUNTU_CODENAME=c\n").at("codename"), "c");
  EXPECT_EQ(agent::parseOsRelease("VERSION_CODENAME=\"\"\n").at("codename"), "");
}

TEST(ParseOsReleaseTest, UnclosedQuoteKeepsWhatCameBefore) {
  const auto props = agent::parseOsRelease("ID=debian\nNAME=\"broken\nVERSION_ID=1\n");
  EXPECT_EQ(props.at("id"), "debian");
  EXPECT_FALSE(props.contains("name"));
}

// --- memory and processors -------------------------------------------------------------

TEST(MemoryFactsTest, NothingWithoutMeminfo) {
  FixtureProbe probe(kFixtures + "/empty");
  EXPECT_EQ(agent::memoryFacts(probe), json::object());
}

TEST(MemoryFactsTest, MissingFieldsAreNull) {
  ScratchHost host;
  host.write("/proc/meminfo", "MemTotal: 2048000 kB\nMemFree: garbage kB\nnot a field\n");
  FixtureProbe probe(host.root());
  const json facts = agent::memoryFacts(probe);
  EXPECT_EQ(facts["memtotal_mb"], 2000);
  EXPECT_FALSE(facts.contains("memfree_mb"));
  EXPECT_EQ(facts["memory_mb"]["real"]["total"], 2000);
  EXPECT_TRUE(facts["memory_mb"]["real"]["used"].is_null());
  EXPECT_TRUE(facts["memory_mb"]["swap"]["total"].is_null());
}

std::string cpuinfo(int processors, const std::string& per_processor) {
  std::string text;
  for (int p = 0; p < processors; ++p) {
    text += "processor\t: " + std::to_string(p) + "\n" + per_processor + "\n";
  }
  return text;
}

TEST(CpuFactsTest, ArmCountsProcessorLines) {
  ScratchHost host;
  host.write("/proc/cpuinfo",
             cpuinfo(4, "BogoMIPS\t: 243.75\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"));
  FixtureProbe probe(host.root());
  probe.cpus = 2;
  const json facts = agent::cpuFacts(probe, "aarch64");
  EXPECT_EQ(facts["processor"], json({"0", "1", "2", "3"}));
  EXPECT_EQ(facts["processor_count"], 4);
  EXPECT_EQ(facts["processor_cores"], 1);
  EXPECT_EQ(facts["processor_threads_per_core"], 1);
  EXPECT_EQ(facts["processor_vcpus"], 4);
  EXPECT_EQ(facts["processor_nproc"], 2);
}

TEST(CpuFactsTest, TwoSocketsAsAnsibleCountsThem) {
  ScratchHost host;
  std::string text;
  for (int p = 0; p < 4; ++p) {
    text += "processor\t: " + std::to_string(p) +
            "\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7R13 Processor\nphysical id\t: " +
            std::to_string(p / 2) + "\nsiblings\t: 2\ncore id\t\t: " + std::to_string(p % 2) +
            "\ncpu cores\t: 2\nflags\t\t: fpu vme de\n\n";
  }
  host.write("/proc/cpuinfo", text);
  FixtureProbe probe(host.root());
  const json facts = agent::cpuFacts(probe, "x86_64");
  EXPECT_EQ(facts["processor_count"], 2);
  EXPECT_EQ(facts["processor_cores"], 2);
  EXPECT_EQ(facts["processor_threads_per_core"], 1);
  EXPECT_EQ(facts["processor_vcpus"], 4);
  EXPECT_EQ(facts["processor_nproc"], 4) << "without a CPU mask: the processor lines";
}

TEST(CpuFactsTest, XenParavirtGuestCountsEachCpuAsACore) {
  ScratchHost host;
  host.write("/proc/xen/capabilities", "");
  host.write("/proc/cpuinfo",
             cpuinfo(2,
                     "vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2676 v3\n"
                     "physical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\ncpu cores\t: 1\n"
                     "flags\t\t: fpu de tsc msr pae\n"));
  FixtureProbe probe(host.root());
  const json facts = agent::cpuFacts(probe, "x86_64");
  EXPECT_EQ(facts["processor_count"], 2);
  EXPECT_EQ(facts["processor_cores"], 2);
  EXPECT_EQ(facts["processor_threads_per_core"], 1);
  EXPECT_EQ(facts["processor_vcpus"], 2);
  EXPECT_FALSE(facts.contains("processor_nproc"));
}

// --- virtualization -----------------------------------------------------------------------

TEST(VirtualizationFactsTest, ContainersAndHypervisors) {
  struct Case {
    std::string name;
    std::map<std::string, std::string> files;
    std::string type;
    std::string role;
  };
  const std::vector<Case> cases = {
      {"docker cgroup", {{"/proc/1/cgroup", "0::/docker/0123abcd\n"}}, "docker", "guest"},
      {"docker env file", {{"/.dockerenv", ""}}, "docker", "guest"},
      {"podman",
       {{"/proc/1/environ", std::string("PATH=/bin\0container=podman\0", 27)}},
       "podman",
       "guest"},
      {"nspawn", {{"/run/systemd/container", "systemd-nspawn\n"}}, "systemd-nspawn", "guest"},
      {"vmware",
       {{"/sys/devices/virtual/dmi/id/product_name", "VMware Virtual Platform\n"}},
       "VMware",
       "guest"},
      {"qemu cpu",
       {{"/proc/cpuinfo", "model name\t: QEMU Virtual CPU version 2.5+\n"}},
       "kvm",
       "guest"},
      {"kvm host",
       {{"/proc/modules", "kvm_intel 1 0 - Live\nkvm 2 1 kvm_intel, Live\n"}},
       "kvm",
       "host"},
      {"docker beats ec2",
       {{"/.dockerenv", ""}, {"/sys/devices/virtual/dmi/id/sys_vendor", "Amazon EC2\n"}},
       "docker",
       "guest"},
      {"bare metal", {{"/proc/cpuinfo", "model name\t: Intel(R) Core(TM) i7\n"}}, "NA", "NA"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ScratchHost host;
    host.mkdir("/proc");
    for (const auto& [path, content] : c.files) host.write(path, content);
    FixtureProbe probe(host.root());
    const json facts = agent::virtualizationFacts(probe);
    EXPECT_EQ(facts.value("virtualization_type", "<none>"), c.type);
    EXPECT_EQ(facts.value("virtualization_role", "<none>"), c.role);
  }
}

// --- network ---------------------------------------------------------------------------------

std::vector<agent::Ipv4Route> fixtureRoutes() {
  std::ifstream in(kFixtures + "/debian12/proc/net/route");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return agent::parseRouteTable(text);
}

TEST(RouteTest, ParsesProcNetRoute) {
  const auto routes = fixtureRoutes();
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0].interface, "eth0");
  EXPECT_EQ(routes[0].destination, 0u);
  EXPECT_EQ(routes[0].gateway, 0xC0A80001u);  // 192.168.0.1
  EXPECT_EQ(routes[0].flags, 3u);
  EXPECT_EQ(routes[0].metric, 100u);
  EXPECT_EQ(routes[1].destination, 0xC0A80000u);
  EXPECT_EQ(routes[1].mask, 0xFFFFFF00u);
}

TEST(RouteTest, LongestPrefixThenLowestMetric) {
  const auto routes = fixtureRoutes();
  const auto to_internet = agent::routeFor(routes, 0x08080808);
  ASSERT_TRUE(to_internet.has_value());
  EXPECT_EQ(to_internet->interface, "eth0") << "metric 100 beats metric 200";
  const auto to_lan = agent::routeFor(routes, 0xAC100203);  // 172.16.2.3
  ASSERT_TRUE(to_lan.has_value());
  EXPECT_EQ(to_lan->interface, "eth1");
  EXPECT_EQ(to_lan->gateway, 0u);
}

TEST(RouteTest, NoRouteDownRouteAndRejectRoute) {
  EXPECT_FALSE(agent::routeFor({}, 0x08080808).has_value());
  const agent::Ipv4Route down{"eth0", 0, 0xC0A80001, 0, 0x0002, 0};
  EXPECT_FALSE(agent::routeFor({down}, 0x08080808).has_value());
  const agent::Ipv4Route reject{"lo", 0x08080800, 0, 0xFFFFFF00, 0x0201, 0};
  const agent::Ipv4Route fallback{"eth0", 0, 0xC0A80001, 0, 0x0003, 0};
  EXPECT_FALSE(agent::routeFor({fallback, reject}, 0x08080808).has_value());
  EXPECT_TRUE(agent::routeFor({fallback, reject}, 0x01010101).has_value());
}

TEST(RouteTest, PrefixLengthOfNetmask) {
  EXPECT_EQ(agent::prefixLength("255.255.255.0"), 24);
  EXPECT_EQ(agent::prefixLength("255.255.255.255"), 32);
  EXPECT_EQ(agent::prefixLength("0.0.0.0"), 0);
  EXPECT_EQ(agent::prefixLength("255.255.240.0"), 20);
  EXPECT_FALSE(agent::prefixLength("255.0.255.0").has_value());
  EXPECT_FALSE(agent::prefixLength("garbage").has_value());
}

TEST(NetworkFactsTest, AliasAddressAndNoBroadcast) {
  FixtureProbe probe(kFixtures + "/debian12");
  probe.net_order = std::vector<std::string>{"eth0"};
  probe.addresses = {{"eth0", "192.168.0.10", "255.255.255.0", ""},
                     {"eth0:web", "192.168.0.20", "255.255.255.255", ""}};
  probe.source = "192.168.0.20";
  const json facts = agent::networkFacts(probe);
  const json& def = facts["default_ipv4"];
  EXPECT_EQ(def["address"], "192.168.0.20");
  EXPECT_EQ(def["alias"], "eth0:web");
  EXPECT_EQ(def["interface"], "eth0");
  EXPECT_EQ(def["broadcast"], "");
  EXPECT_EQ(def["prefix"], "32");
  EXPECT_EQ(def["network"], "192.168.0.20");
  EXPECT_EQ(def["macaddress"], "0a:1b:2c:3d:4e:5f") << "the device's, not the label's";
  EXPECT_EQ(def["mtu"], 9001);
}

TEST(NetworkFactsTest, RouteWithoutSourceKeepsInterfaceAndGateway) {
  FixtureProbe probe(kFixtures + "/debian12");
  const json facts = agent::networkFacts(probe);
  EXPECT_EQ(facts["default_ipv4"], json({{"gateway", "192.168.0.1"}, {"interface", "eth0"}}));
  EXPECT_EQ(facts["all_ipv4_addresses"], json::array());
}

// --- service manager, user, platform, python -----------------------------------------------

TEST(ServiceManagerTest, PidOneThenSystemdCanariesThenInitScripts) {
  struct Case {
    std::string name;
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> links;
    std::string expected;
  };
  const std::string exe = "#!/bin/sh\n";
  const std::vector<Case> cases = {
      {"systemd pid 1", {{"/proc/1/comm", "systemd\n"}}, {}, "systemd"},
      {"runit maps to its name", {{"/proc/1/comm", "runit-init\n"}}, {}, "runit"},
      {"a shell in a container, systemd booted",
       {{"/proc/1/comm", "bash\n"}, {"/usr/bin/systemctl", exe}, {"/run/systemd/system/x", ""}},
       {},
       "systemd"},
      {"init, systemd offline",
       {{"/proc/1/comm", "init\n"}, {"/usr/bin/systemctl", exe}},
       {{"/sbin/init", "../lib/systemd/systemd"}},
       "systemd"},
      {"no comm: /sbin/init names it", {}, {{"/sbin/init", "/lib/systemd/systemd"}}, "systemd"},
      {"openrc", {{"/proc/1/comm", "init\n"}, {"/sbin/openrc", exe}}, {}, "openrc"},
      {"sysvinit", {{"/proc/1/comm", "init\n"}, {"/etc/init.d/ssh", exe}}, {}, "sysvinit"},
      {"nothing known", {{"/proc/1/comm", "sh\n"}}, {}, "service"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ScratchHost host;
    for (const auto& [path, content] : c.files) {
      host.write(path, content, content == exe ? 0755 : 0644);
    }
    for (const auto& [path, target] : c.links) host.symlink(path, target);
    FixtureProbe probe(host.root());
    EXPECT_EQ(agent::serviceManager(probe, {{"system", "Linux"}, {"distribution", "Debian"}}),
              c.expected);
  }
}

TEST(UserFactsTest, EnvironmentNameThenUidAndAnsiblesGroupIdQuirk) {
  FixtureProbe probe(kFixtures + "/empty");
  probe.ids = {1000, 0, 1000};
  probe.users.push_back({"alice", 1000, 1000, "Alice", "/home/alice", "/bin/zsh"});
  probe.env["USER"] = "ghost";  // not in the user database: the uid's entry
  json facts = agent::userFacts(probe);
  EXPECT_EQ(facts["user_id"], "ghost");
  EXPECT_EQ(facts["user_uid"], 1000);
  EXPECT_EQ(facts["user_dir"], "/home/alice");
  EXPECT_EQ(facts["effective_user_id"], 0);
  EXPECT_EQ(facts["effective_group_id"], 1000) << "Ansible reports getgid() as the effective gid";
  probe.env.erase("USER");
  facts = agent::userFacts(probe);
  EXPECT_EQ(facts["user_id"], "alice");
  EXPECT_EQ(facts["user_shell"], "/bin/zsh");
}

TEST(PlatformFactsTest, NamesAndArchitecture) {
  FixtureProbe probe(kFixtures + "/empty");
  probe.fqdn_value = "localhost";
  json facts = agent::platformFacts(probe, linuxUname("i686"));
  EXPECT_EQ(facts["hostname"], "web1");
  EXPECT_EQ(facts["nodename"], "web1.example.com");
  EXPECT_EQ(facts["fqdn"], "localhost");
  EXPECT_EQ(facts["domain"], "");
  EXPECT_EQ(facts["architecture"], "i386");
  EXPECT_EQ(facts["machine"], "i686");
  EXPECT_FALSE(facts.contains("machine_id"));
  probe.fqdn_value = "db.eu.example.org";
  facts = agent::platformFacts(probe, linuxUname("armv7l"));
  EXPECT_EQ(facts["domain"], "eu.example.org");
  EXPECT_EQ(facts["architecture"], "armv7l");
}

TEST(PythonFactsTest, AbsentWhenThePythonCannotBeAsked) {
  FixtureProbe probe(kFixtures + "/debian12");
  EXPECT_EQ(agent::pythonFacts(probe), json::object());
  EXPECT_EQ(probe.asked_python, std::vector<std::string>{"/usr/bin/python3"});
}

TEST(PythonFactsTest, PythonOnPathWhenTheDistributionHasNoPlatformPython) {
  ScratchHost host;
  host.write("/etc/os-release", "ID=frobnix\nVERSION_ID=1\n");
  host.write("/opt/py/bin/python3.10", "", 0755);
  host.write("/usr/bin/python3", "", 0755);
  FixtureProbe probe(host.root());
  probe.env["PATH"] = "/opt/py/bin:/usr/bin";
  EXPECT_EQ(agent::discoverPython(probe).value_or(""), "/opt/py/bin/python3.10");
}

}  // namespace
}  // namespace sc::testing
