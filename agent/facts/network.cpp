// ansible_default_ipv4 and ansible_all_ipv4_addresses, as
// ansible/module_utils/facts/network/linux.py (ansible-core 2.14) fills
// them, without running ip(8):
//
//   - Ansible runs `ip -4 route get 8.8.8.8` and takes "dev", "src" and
//     "via". Here the route is the best match for 8.8.8.8 in
//     /proc/net/route (the main table) and the source address is the one
//     the kernel picks for a UDP socket connected to 8.8.8.8 (no packet is
//     sent), which is what `ip route get` prints.
//   - Ansible then walks /sys/class/net in directory order running `ip addr
//     show primary|secondary dev X`; the default address's netmask,
//     network, broadcast and label come from that listing, its macaddress,
//     mtu and type from /sys/class/net/X. Here the addresses come from
//     getifaddrs(3), grouped by device in the same directory order.
#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <charconv>

#include "agent/facts/fact_files.h"
#include "agent/facts/facts.h"
#include "agent/facts/python_text.h"

namespace sc::agent {
namespace {

using nlohmann::json;

constexpr const char* kProbeDestination = "8.8.8.8";  // Google public DNS, as Ansible uses
constexpr unsigned kRouteUp = 0x0001;                 // RTF_UP
constexpr unsigned kRouteGateway = 0x0002;            // RTF_GATEWAY
constexpr unsigned kRouteReject = 0x0200;             // RTF_REJECT

std::optional<std::uint32_t> hexField(const std::string& text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// /proc/net/route prints addresses as the raw 32-bit value in the
// kernel's memory: network byte order read as a host integer.
std::uint32_t fromRouteField(std::uint32_t raw) { return ntohl(raw); }

std::optional<std::uint32_t> parseIpv4(const std::string& text) {
  in_addr address{};
  if (::inet_pton(AF_INET, text.c_str(), &address) != 1) return std::nullopt;
  return ntohl(address.s_addr);
}

std::string formatIpv4(std::uint32_t host_order) {
  in_addr address{};
  address.s_addr = htonl(host_order);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

// INTERFACE_TYPE: /sys/class/net/X/type (ARPHRD_*) to Ansible's names.
std::string interfaceType(FactProbe& probe, const std::string& dir) {
  std::string type = "unknown";
  if (probe.exists(dir + "/type")) {
    const std::string code = fileContent(probe, dir + "/type").value_or("");
    if (code == "1") {
      type = "ether";
    } else if (code == "32") {
      type = "infiniband";
    } else if (code == "512") {
      type = "ppp";
    } else if (code == "772") {
      type = "loopback";
    } else if (code == "65534") {
      type = "tunnel";
    }
  }
  if (probe.exists(dir + "/bridge")) type = "bridge";
  if (probe.exists(dir + "/bonding")) type = "bonding";
  return type;
}

// The device an address label belongs to: "eth0:1" -> "eth0" (the kernel
// requires a label to start with its device's name).
std::string deviceOf(const std::string& label, const std::vector<std::string>& devices) {
  std::string best;
  for (const auto& device : devices) {
    if (label.starts_with(device) && device.size() > best.size()) best = device;
  }
  return best.empty() ? label : best;
}

}  // namespace

std::vector<Ipv4Route> parseRouteTable(std::string_view text) {
  std::vector<Ipv4Route> routes;
  const auto lines = py::splitLines(text);
  for (std::size_t n = 1; n < lines.size(); ++n) {  // line 0 is the header
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    const auto fields = py::split(lines[n]);
    if (fields.size() < 8) continue;
    const auto destination = hexField(fields[1]);
    const auto gateway = hexField(fields[2]);
    const auto flags = hexField(fields[3]);
    const auto mask = hexField(fields[7]);
    std::uint32_t metric = 0;
    const auto [ptr, ec] =
        std::from_chars(fields[6].data(), fields[6].data() + fields[6].size(), metric);
    if (!destination || !gateway || !flags || !mask || ec != std::errc()) continue;
    routes.push_back({fields[0], fromRouteField(*destination), fromRouteField(*gateway),
                      fromRouteField(*mask), *flags, metric});
  }
  return routes;
}

std::optional<Ipv4Route> routeFor(const std::vector<Ipv4Route>& routes, std::uint32_t destination) {
  std::optional<Ipv4Route> best;
  for (const auto& route : routes) {
    if ((route.flags & kRouteUp) == 0) continue;
    if ((destination & route.mask) != route.destination) continue;
    if (!best) {
      best = route;
      continue;
    }
    const int length = std::popcount(route.mask);
    const int best_length = std::popcount(best->mask);
    if (length > best_length || (length == best_length && route.metric < best->metric)) {
      best = route;
    }
  }
  if (best && (best->flags & kRouteReject) != 0) return std::nullopt;
  return best;
}

std::optional<int> prefixLength(const std::string& netmask) {
  const auto mask = parseIpv4(netmask);
  if (!mask) return std::nullopt;
  const int length = std::popcount(*mask);
  // A netmask is ones then zeros.
  const std::uint32_t expected = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  if (*mask != expected) return std::nullopt;
  return length;
}

json networkFacts(FactProbe& probe) {
  json default_ipv4 = json::object();
  const auto destination = parseIpv4(kProbeDestination);
  if (const auto table = probe.readFile("/proc/net/route"); table && destination) {
    if (const auto route = routeFor(parseRouteTable(*table), *destination)) {
      default_ipv4["interface"] = route->interface;
      if (const auto source = probe.sourceAddressFor(kProbeDestination)) {
        default_ipv4["address"] = *source;
      }
      if ((route->flags & kRouteGateway) != 0 && route->gateway != *destination) {
        default_ipv4["gateway"] = formatIpv4(route->gateway);
      }
    }
  }

  // Addresses grouped by device, devices in /sys/class/net order (Ansible's
  // glob order), then any device not listed there.
  const std::vector<std::string> devices = probe.listDirectory("/sys/class/net");
  const std::vector<Ipv4Address> addresses = probe.ipv4Addresses();
  std::vector<std::string> order;
  for (const auto& device : devices) {
    if (probe.isDirectory("/sys/class/net/" + device)) order.push_back(device);
  }
  for (const auto& address : addresses) {
    const std::string device = deviceOf(address.label, devices);
    if (std::find(order.begin(), order.end(), device) == order.end()) order.push_back(device);
  }

  json all_ipv4 = json::array();
  for (const auto& device : order) {
    const std::string dir = "/sys/class/net/" + device;
    for (const auto& address : addresses) {
      if (deviceOf(address.label, devices) != device) continue;
      if (default_ipv4.contains("address") && default_ipv4["address"] == address.address) {
        const auto netmask = parseIpv4(address.netmask).value_or(0);
        const auto host = parseIpv4(address.address).value_or(0);
        default_ipv4["broadcast"] = address.broadcast;
        default_ipv4["netmask"] = address.netmask;
        default_ipv4["network"] = formatIpv4(host & netmask);
        default_ipv4["prefix"] = std::to_string(prefixLength(address.netmask).value_or(32));
        default_ipv4["macaddress"] = fileContent(probe, dir + "/address").value_or("");
        if (const auto mtu = fileContent(probe, dir + "/mtu")) {
          int value = 0;
          const auto [ptr, ec] = std::from_chars(mtu->data(), mtu->data() + mtu->size(), value);
          if (ec == std::errc() && ptr == mtu->data() + mtu->size()) default_ipv4["mtu"] = value;
        }
        default_ipv4["type"] = interfaceType(probe, dir);
        default_ipv4["alias"] = address.label;
      }
      if (!address.address.starts_with("127.")) all_ipv4.push_back(address.address);
    }
  }
  return {{"default_ipv4", default_ipv4}, {"all_ipv4_addresses", all_ipv4}};
}

}  // namespace sc::agent
