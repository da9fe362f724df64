// Memory, processors and virtualization: ports of the Linux parts of
// ansible/module_utils/facts/hardware/linux.py (get_memory_facts,
// get_cpu_facts) and virtual/linux.py (ansible-core 2.14), quirks included:
// processor_count and processor_cores come from the first "physical id"
// and "cpu cores" entries exactly as Ansible counts them, so a playbook
// sizing worker pools from them gets the same numbers.
//
// Left out: virtualization_tech_guest/host (sets, unordered in
// Ansible's output), the dmidecode probe (needs root, and only tells
// VMware and bhyve guests that /sys/devices/virtual/dmi already names),
// and lscpu on s390x.
#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "agent/facts/fact_files.h"
#include "agent/facts/facts.h"
#include "agent/facts/python_text.h"

namespace sc::agent {
namespace {

using nlohmann::json;

// int(text) for the decimal numbers /proc prints; nullopt where Python
// would raise ValueError.
std::optional<long long> toInt(const std::string& text) {
  const std::string digits = py::strip(text);
  long long value = 0;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ec != std::errc() || ptr != end || digits.empty()) return std::nullopt;
  return value;
}

// The first field of a /proc/meminfo value ("24684084 kB") in MiB.
std::optional<long long> meminfoMb(const std::string& value) {
  const auto number = toInt(py::split(py::strip(value), " ")[0]);
  if (!number) return std::nullopt;
  return *number / 1024;
}

// Python's dicts keep insertion order; Ansible reads the first value.
// A key of nullopt is the integer 0 the loop starts with, which never
// equals the string "0".
using CpuKey = std::optional<std::string>;
struct OrderedCounts {
  std::vector<std::pair<CpuKey, long long>> entries;
  bool contains(const CpuKey& key) const {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const auto& e) { return e.first == key; });
  }
  void set(const CpuKey& key, long long value) {
    for (auto& e : entries) {
      if (e.first == key) {
        e.second = value;
        return;
      }
    }
    entries.emplace_back(key, value);
  }
};

bool matches(const std::string& pattern, const std::string& line) {
  return py::search(pattern, line).has_value();
}

bool startsWith(const std::string& pattern, const std::string& line) {
  return py::search(pattern, line, /*anchored=*/true).has_value();
}

}  // namespace

json memoryFacts(FactProbe& probe) {
  json facts = json::object();
  const auto meminfo = probe.readFile("/proc/meminfo");
  if (!meminfo) return facts;
  static const std::set<std::string> kOriginal = {"MemTotal", "SwapTotal", "MemFree", "SwapFree"};
  static const std::set<std::string> kMemory = {"MemTotal", "SwapTotal", "MemFree",   "SwapFree",
                                                "Buffers",  "Cached",    "SwapCached"};
  std::map<std::string, long long> stats;
  for (const auto& line : py::splitLines(py::strip(*meminfo))) {
    const auto parts = py::splitOnce(line, ':');
    if (parts.size() != 2) continue;
    const std::string& key = parts[0];
    if (!kMemory.contains(key)) continue;
    const auto mb = meminfoMb(parts[1]);
    if (!mb) continue;
    if (kOriginal.contains(key)) facts[py::lower(key) + "_mb"] = *mb;
    stats[py::lower(key)] = *mb;
  }
  const auto stat = [&](const std::string& key) -> json {
    const auto it = stats.find(key);
    return it == stats.end() ? json(nullptr) : json(it->second);
  };
  const auto has = [&](std::initializer_list<const char*> keys) {
    return std::all_of(keys.begin(), keys.end(), [&](const char* k) { return stats.contains(k); });
  };
  json real_used = nullptr;
  json nocache_free = nullptr;
  json nocache_used = nullptr;
  json swap_used = nullptr;
  if (has({"memtotal", "memfree"})) real_used = stats["memtotal"] - stats["memfree"];
  if (has({"cached", "memfree", "buffers"})) {
    nocache_free = stats["cached"] + stats["memfree"] + stats["buffers"];
    if (has({"memtotal"})) nocache_used = stats["memtotal"] - nocache_free.get<long long>();
  }
  if (has({"swaptotal", "swapfree"})) swap_used = stats["swaptotal"] - stats["swapfree"];
  facts["memory_mb"] = {
      {"real", {{"total", stat("memtotal")}, {"used", real_used}, {"free", stat("memfree")}}},
      {"nocache", {{"free", nocache_free}, {"used", nocache_used}}},
      {"swap",
       {{"total", stat("swaptotal")},
        {"free", stat("swapfree")},
        {"used", swap_used},
        {"cached", stat("swapcached")}}},
  };
  return facts;
}

json cpuFacts(FactProbe& probe, const std::string& architecture) {
  json facts = json::object();
  bool xen = false;
  bool xen_paravirt = false;
  if (probe.exists("/proc/xen")) {
    xen = true;
  } else {
    const auto lines = fileLines(probe, "/sys/hypervisor/type");
    xen = !lines.empty() && py::strip(lines[0]) == "xen";
  }
  const auto text = probe.readFile("/proc/cpuinfo");
  if (!text) return facts;

  long long i = 0;
  long long vendor_id_occurrence = 0;
  long long model_name_occurrence = 0;
  long long processor_occurrence = 0;
  CpuKey physid;
  CpuKey coreid;
  OrderedCounts sockets;
  OrderedCounts cores;
  json processor = json::array();
  static constexpr std::array<std::string_view, 6> kProcessorKeys = {
      "model name", "Processor", "vendor_id", "cpu", "Vendor", "processor"};
  for (const auto& line : py::splitLines(py::strip(*text))) {
    const auto data = py::splitOnce(line, ':');
    const std::string key = py::strip(data[0]);
    const std::string val = data.size() > 1 ? py::strip(data[1]) : std::string();
    // Xen paravirt guests hide the vme flag and list one core per CPU.
    if (xen && key == "flags" && !py::contains(val, "vme")) xen_paravirt = true;
    if (std::find(kProcessorKeys.begin(), kProcessorKeys.end(), key) != kProcessorKeys.end()) {
      processor.push_back(val);
      if (key == "vendor_id") ++vendor_id_occurrence;
      if (key == "model name") ++model_name_occurrence;
      if (key == "processor") ++processor_occurrence;
      ++i;
    } else if (key == "physical id") {
      physid = val;
      if (!sockets.contains(physid)) sockets.set(physid, 1);
    } else if (key == "core id") {
      coreid = val;
      // Ansible tests `sockets` here, not `cores`: kept for equal counts.
      if (!sockets.contains(coreid)) cores.set(coreid, 1);
    } else if (key == "cpu cores") {
      if (const auto n = toInt(val)) sockets.set(physid, *n);
    } else if (key == "siblings") {
      if (const auto n = toInt(val)) cores.set(coreid, *n);
    } else if (key == "# processors") {
      if (const auto n = toInt(val)) facts["processor_cores"] = *n;
    } else if (key == "ncpus active") {
      if (const auto n = toInt(val)) i = *n;
    }
  }
  facts["processor"] = processor;
  // Platforms without vendor_id and model name (ppc64le) keep the count.
  if (vendor_id_occurrence > 0 && vendor_id_occurrence == model_name_occurrence) {
    i = vendor_id_occurrence;
  }
  // ARM and Power list "processor" (and sometimes "Processor" or "cpu").
  if (architecture.starts_with("armv") || architecture.starts_with("aarch") ||
      architecture.starts_with("ppc")) {
    i = processor_occurrence;
  }
  if (architecture == "s390x") return facts;
  if (xen_paravirt) {
    facts["processor_count"] = i;
    facts["processor_cores"] = i;
    facts["processor_threads_per_core"] = 1;
    facts["processor_vcpus"] = i;
    return facts;
  }
  const long long count =
      sockets.entries.empty() ? i : static_cast<long long>(sockets.entries.size());
  const long long per_socket =
      !sockets.entries.empty() && sockets.entries[0].second != 0 ? sockets.entries[0].second : 1;
  const long long threads =
      cores.entries.empty() ? 1 / per_socket : cores.entries[0].second / per_socket;
  facts["processor_count"] = count;
  facts["processor_cores"] = per_socket;
  facts["processor_threads_per_core"] = threads;
  facts["processor_vcpus"] = threads * count * per_socket;
  facts["processor_nproc"] = processor_occurrence;
  if (const auto usable = probe.usableCpus()) facts["processor_nproc"] = *usable;
  return facts;
}

namespace {

// virtual/linux.py's get_virtual_facts(), one step per method in Ansible's
// order: the first step that recognises something decides ("found"), and
// later steps only confirm it.
class VirtualizationRules {
 public:
  explicit VirtualizationRules(FactProbe& probe) : probe_(probe) {}

  json run() {
    containers();
    xen();
    dmi();
    vserver();
    cpuinfo();
    modules();
    if (probe_.exists("/dev/kvm")) set("kvm", "host");
    if (!found_) set("NA", "NA");
    return facts_;
  }

 private:
  // Sets type and role unless an earlier step decided.
  void set(const std::string& type, const std::string& role) {
    if (found_) return;
    facts_["virtualization_type"] = type;
    facts_["virtualization_role"] = role;
    found_ = true;
  }

  // lxc, docker, containerd, podman, systemd-nspawn, openvz.
  void containers() {
    for (const auto& line : fileLines(probe_, "/proc/1/cgroup")) {
      if (matches(R"re(/docker(/|-[0-9a-f]+\.scope))re", line)) set("docker", "guest");
      if (matches("/lxc/", line) || matches("/machine.slice/machine-lxc", line)) {
        set("lxc", "guest");
      }
      if (matches("/system.slice/containerd.service", line)) set("containerd", "guest");
    }
    if (const auto environ = fileContent(probe_, "/proc/1/environ")) {
      const std::string trimmed = environ->substr(0, environ->find_last_not_of('\0') + 1);
      for (const auto& entry : py::split(trimmed, std::string_view("\0", 1))) {
        if (matches("container=lxc", entry)) set("lxc", "guest");
        if (matches("container=podman", entry)) set("podman", "guest");
        if (startsWith("container=.", entry)) set("container", "guest");
      }
    }
    if (probe_.exists("/proc/vz") && !probe_.exists("/proc/lve")) {
      facts_["virtualization_type"] = "openvz";  // whatever came before
      if (!found_) facts_["virtualization_role"] = probe_.exists("/proc/bc") ? "host" : "guest";
      found_ = true;
    }
    if (const auto container = fileContent(probe_, "/run/systemd/container")) {
      set(*container, "guest");
    }
    // Docker with a custom cgroup parent shows only in these files.
    if (probe_.exists("/.dockerenv") || probe_.exists("/.dockerinit")) set("docker", "guest");
  }

  void xen() {
    if (!probe_.exists("/proc/xen")) return;
    bool xen_host = false;
    for (const auto& line : fileLines(probe_, "/proc/xen/capabilities")) {
      if (py::contains(line, "control_d")) xen_host = true;
    }
    set("xen", xen_host ? "host" : "guest");
  }

  // Hypervisors by DMI strings (EC2 is kvm); the role is "guest" only when
  // one of them matches.
  void dmi() {
    const auto type = [&](const std::string& name) { set(name, "guest"); };
    const std::string dir = "/sys/devices/virtual/dmi/id/";
    const std::string product_name = fileContent(probe_, dir + "product_name").value_or("");
    const std::string sys_vendor = fileContent(probe_, dir + "sys_vendor").value_or("");
    const std::string product_family = fileContent(probe_, dir + "product_family").value_or("");
    const std::string bios_vendor = fileContent(probe_, dir + "bios_vendor").value_or("");
    const auto isOneOf = [](const std::string& value, std::initializer_list<const char*> names) {
      return std::any_of(names.begin(), names.end(), [&](const char* n) { return value == n; });
    };
    if (isOneOf(product_name, {"KVM", "KVM Server", "Bochs", "AHV"})) type("kvm");
    if (sys_vendor == "oVirt") type("oVirt");
    if (sys_vendor == "Red Hat" && product_family == "RHV") type("RHV");
    if (sys_vendor == "Red Hat" && product_family != "RHV" && product_name == "RHEV Hypervisor") {
      type("RHEV");
    }
    if (isOneOf(product_name, {"VMware Virtual Platform", "VMware7,1"})) type("VMware");
    if (isOneOf(product_name, {"OpenStack Compute", "OpenStack Nova"})) type("openstack");
    if (bios_vendor == "Xen") type("xen");
    if (bios_vendor == "innotek GmbH") type("virtualbox");
    if (isOneOf(bios_vendor, {"Amazon EC2", "DigitalOcean", "Hetzner"})) type("kvm");
    if (isOneOf(sys_vendor,
                {"QEMU", "Amazon EC2", "DigitalOcean", "Google", "Scaleway", "Nutanix"})) {
      type("kvm");
    }
    if (sys_vendor == "KubeVirt") type("KubeVirt");
    if (sys_vendor == "Microsoft Corporation") type("VirtualPC");
    if (sys_vendor == "Parallels Software International Inc.") type("parallels");
    if (sys_vendor == "OpenStack Foundation") type("openstack");
  }

  void vserver() {
    for (const auto& line : fileLines(probe_, "/proc/self/status")) {
      if (!startsWith(R"re(VxID:\s+\d+)re", line)) continue;
      set("linux_vserver", startsWith(R"re(VxID:\s+0)re", line) ? "host" : "guest");
    }
  }

  void cpuinfo() {
    for (const auto& line : fileLines(probe_, "/proc/cpuinfo")) {
      // Ansible's re.match patterns, each behind its literal prefix: a
      // 256-CPU host has thousands of lines.
      const auto after = [&](std::string_view prefix, std::string_view part) {
        return line.starts_with(prefix) && line.find(part, prefix.size()) != std::string::npos;
      };
      if (after("model name", "QEMU Virtual CPU")) {
        set("kvm", "guest");
      } else if (after("vendor_id", "User Mode Linux") || after("model name", "UML")) {
        set("uml", "guest");
      } else if (line.starts_with("machine") &&
                 startsWith("machine.*CHRP IBM pSeries .emulated by qemu.", line)) {
        set("kvm", "guest");
      } else if (after("vendor_id", "PowerVM Lx86")) {
        set("powervm_lx86", "guest");
      } else if (after("vendor_id", "IBM/S390")) {
        set("PR/SM", "LPAR");  // Ansible asks lscpu for the hypervisor here; we do not
      }
    }
  }

  void modules() {
    const auto text = probe_.readFile("/proc/modules");
    if (!text) return;
    std::set<std::string> loaded;
    for (const auto& line : py::splitLines(py::strip(*text))) {
      loaded.insert(py::splitOnce(line, ' ')[0]);
    }
    if (loaded.contains("kvm")) {
      set(runsVdsm() ? "RHEV" : "kvm", "host");
      found_ = true;
    }
    if (loaded.contains("vboxdrv")) set("virtualbox", "host");
    if (loaded.contains("virtio")) set("kvm", "guest");
  }

  // A RHEV hypervisor: /rhev/ and a process named vdsm.
  bool runsVdsm() {
    if (found_ || !probe_.isDirectory("/rhev/")) return false;
    for (const auto& entry : probe_.listDirectory("/proc")) {
      if (!py::isDigits(entry)) continue;
      const auto comm = probe_.readFile("/proc/" + entry + "/comm");
      if (!comm) continue;
      const std::string name = comm->substr(0, comm->find_last_not_of(" \t\r\n") + 1);
      if (name == "vdsm" || name == "vdsmd") return true;
    }
    return false;
  }

  FactProbe& probe_;
  json facts_ = json::object();
  bool found_ = false;
};

}  // namespace

json virtualizationFacts(FactProbe& probe) { return VirtualizationRules(probe).run(); }

}  // namespace sc::agent
