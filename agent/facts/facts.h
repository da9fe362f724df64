// Facts: what sc-agent knows about its host, under the names and in the
// value formats of Ansible's setup module (ansible-core 2.14 on Linux), so
// that playbooks branching on ansible_os_family or reading
// ansible_default_ipv4.address compile against them unchanged.
//
// gatherFacts() returns one JSON object of "ansible_*" keys, the shape
// Ansible's jsonfile fact cache stores per host and `scctl compile --facts
// DIR` reads from DIR/HOST. Each group below ports one Ansible collector
// (ansible/module_utils/facts/...) and says which; docs/facts.md lists the
// facts, their sources, and what is not gathered and why.
//
// Gathering never fails: a missing or unreadable source gives the value
// Ansible gives in that case ("NA", "unknown", an empty object) or leaves
// the fact out where Ansible leaves it out.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/facts/fact_probe.h"

namespace sc::agent {

// Every fact, keys with the "ansible_" prefix.
nlohmann::json gatherFacts(FactProbe& probe);

// --- the collectors: facts without the "ansible_" prefix ----------------

// platform.py: system, kernel, kernel_version, machine, architecture,
// hostname, nodename, fqdn, domain, machine_id.
nlohmann::json platformFacts(FactProbe& probe, const Uname& uname);
// distribution.py with python-distro 1.8: distribution,
// distribution_version, distribution_major_version, distribution_release,
// distribution_file_*, os_family.
nlohmann::json distributionFacts(FactProbe& probe, const Uname& uname);
// hardware/linux.py: memtotal_mb, memfree_mb, swaptotal_mb, swapfree_mb,
// memory_mb (nothing when /proc/meminfo cannot be read).
nlohmann::json memoryFacts(FactProbe& probe);
// hardware/linux.py: processor, processor_count, processor_cores,
// processor_threads_per_core, processor_vcpus, processor_nproc.
nlohmann::json cpuFacts(FactProbe& probe, const std::string& architecture);
// virtual/linux.py: virtualization_type, virtualization_role.
nlohmann::json virtualizationFacts(FactProbe& probe);
// network/linux.py: default_ipv4, all_ipv4_addresses.
nlohmann::json networkFacts(FactProbe& probe);
// user.py: user_id, user_uid, user_gid, user_gecos, user_dir, user_shell,
// real_user_id, effective_user_id, real_group_id, effective_group_id.
nlohmann::json userFacts(FactProbe& probe);
// python.py for the interpreter Ansible's discovery would pick on this
// host: python, python_version (nothing when no Python runs).
nlohmann::json pythonFacts(FactProbe& probe);
// service_mgr.py; `facts` holds system and distribution.
std::string serviceManager(FactProbe& probe, const nlohmann::json& facts);
// pkg_mgr.py; `facts` holds os_family, distribution and its major version.
std::string packageManager(FactProbe& probe, const nlohmann::json& facts);

// --- parsing, exposed for tests -------------------------------------------

// Distribution.OS_FAMILY: "Rocky" -> "RedHat"; empty for a name it lacks.
std::string osFamilyOf(const std::string& distribution);
// The same keyed by lower-case name ("rocky" -> "RedHat"), as Ansible's
// interpreter discovery looks it up.
std::string osFamilyOfLowerCase(const std::string& lower_name);

// The interpreter Ansible's "auto" discovery picks (interpreter_discovery.py):
// the platform Python of the distribution in os-release when it is
// installed, else the first of Ansible's fallback list found; nullopt when
// there is none.
std::optional<std::string> discoverPython(FactProbe& probe);

// An os-release file as python-distro reads it: lower-case keys, shell
// quoting undone, plus "codename" (and "release_codename") derived from
// VERSION_CODENAME, UBUNTU_CODENAME or VERSION as python-distro derives it.
std::map<std::string, std::string> parseOsRelease(std::string_view text);

// One line of /proc/net/route; addresses in host byte order.
struct Ipv4Route {
  std::string interface;
  std::uint32_t destination = 0;
  std::uint32_t gateway = 0;
  std::uint32_t mask = 0;
  unsigned flags = 0;
  unsigned metric = 0;
};

std::vector<Ipv4Route> parseRouteTable(std::string_view text);
// The route the kernel's main table uses for `destination` (host byte
// order): the longest matching prefix that is up, then the lowest metric;
// nullopt when none matches or the best one rejects.
std::optional<Ipv4Route> routeFor(const std::vector<Ipv4Route>& routes, std::uint32_t destination);

// "255.255.255.0" -> 24, as ip(8) prints a prefix; nullopt when not a netmask.
std::optional<int> prefixLength(const std::string& netmask);

}  // namespace sc::agent
