#include "controller/cli/hosts_command.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/text/escape.h"
#include "common/time/rfc3339.h"
#include "controller/ca/certificate_authority.h"
#include "controller/cli/ca_command.h"
#include "controller/cli/reports_command.h"
#include "controller/push/admin_client.h"
#include "controller/reports/report_store.h"

namespace sc::controller::cli {

CLI::App* addHostsCommand(CLI::App& app, HostsArgs& args) {
  auto* command =
      app.add_subcommand("hosts", "List hosts: connected, certificate expiry, last seen");
  command->add_option("--admin-socket", args.admin_socket, "The socket of scctl serve")
      ->default_val(push::kDefaultAdminSocket);
  command->add_option("--ca-dir", args.ca_dir, "The CA directory (hosts not connected too)")
      ->default_val(kDefaultCaDir);
  command->add_option("--db", args.database, "The report store (last serial, last report)")
      ->default_val(kDefaultDatabase);
  command->add_flag("--json", args.json, "Machine-readable output");
  command->footer(R"(Exit codes:
  0  listed
  1  neither scctl serve nor the CA directory could be read)");
  return command;
}

int runHosts(const HostsArgs& args) {
  // Every host the CA issued to (latest certificate), then what the daemon
  // knows of the connected ones.
  std::map<std::string, nlohmann::json> hosts;
  bool any_source = false;
  if (auto authority = ca::CertificateAuthority::open(args.ca_dir)) {
    if (auto issued = authority->issued()) {
      any_source = true;
      for (const auto& record : *issued) {
        auto& host = hosts[record.name];
        host["host"] = record.name;
        host["connected"] = false;
        host["certificate_expires_at"] = time::formatRfc3339(record.not_after);
        host["revoked"] = record.revoked;
      }
    }
  }
  std::string daemon_error;
  if (auto admin = push::AdminClient::connect(args.admin_socket)) {
    auto sent = admin->send({{"op", "hosts"}});
    auto event =
        sent ? admin->next(std::chrono::seconds(30)) : Result<nlohmann::json>(sent.error());
    if (event) {
      any_source = true;
      for (const auto& entry : event->value("hosts", nlohmann::json::array())) {
        auto& host = hosts[entry.value("host", "")];
        host.update(entry);
        host["connected"] = true;
        host["revoked"] = host.value("revoked", false);
      }
    } else {
      daemon_error = event.error().describe();
    }
  } else {
    daemon_error = admin.error().describe();
  }
  // The last serial each host reported, from the store; no store yet (the
  // daemon never ran here) is nothing to show, not an error.
  if (auto store = reports::ReportStore::openReadOnly(args.database)) {
    if (auto latest = store->latestOfEachHost()) {
      for (const auto& report : *latest) {
        auto found = hosts.find(report.host);
        if (found == hosts.end()) continue;
        found->second["last_serial"] = report.serial;
        found->second["last_report_at"] = time::formatRfc3339(report.received_at);
      }
    }
  }
  if (!any_source) {
    std::fprintf(stderr, "scctl: %s\n", daemon_error.c_str());
    return exit_code::kFailed;
  }
  if (!daemon_error.empty()) {
    std::fprintf(stderr, "warning: %s; connection state unknown\n", daemon_error.c_str());
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& [name, host] : hosts) out.push_back(host);
    std::printf("%s\n", out.dump(2).c_str());
    return exit_code::kDone;
  }
  std::printf("%-32s %-10s %-22s %-22s %s\n", "HOST", "SESSION", "CERT EXPIRES", "LAST SEEN",
              "LAST SERIAL");
  for (const auto& [name, host] : hosts) {
    const std::string serial = host.contains("last_serial")
                                   ? std::to_string(host["last_serial"].get<std::uint64_t>())
                                   : "-";
    std::printf("%-32s %-10s %-22s %-22s %s\n", text::escapeControl(name).c_str(),
                host.value("revoked", false)     ? "revoked"
                : host.value("connected", false) ? "connected"
                                                 : "-",
                host.value("certificate_expires_at", "-").c_str(),
                host.value("last_seen", "-").c_str(), serial.c_str());
  }
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
