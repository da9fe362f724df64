#include "controller/cli/ca_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/text/escape.h"
#include "common/text/host_name.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"
#include "controller/ca/certificate_authority.h"
#include "controller/ca/enrolment_tokens.h"

namespace sc::controller::cli {
namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "scctl: %s\n", error.describe().c_str());
  return exit_code::kFailed;
}

int usage(const std::string& message) {
  std::fprintf(stderr, "scctl: error: %s\n", message.c_str());
  return exit_code::kUsage;
}

std::string day(std::int64_t seconds) { return time::formatRfc3339(seconds).substr(0, 10); }

int runInit(const CaArgs& args) {
  ca::InitOptions options;
  options.controller_names = args.names;
  if (auto created = ca::CertificateAuthority::init(args.ca_dir, options, time::unixNow());
      !created) {
    return fail(created.error());
  }
  auto authority = ca::CertificateAuthority::open(args.ca_dir);
  if (!authority) return fail(authority.error());
  std::printf(
      "CA created in %s\n"
      "CA fingerprint %s\n"
      "controller certificate for: %s\n"
      "Next: 'scctl token create --host NAME' for each agent, or let agents ask and\n"
      "approve them with 'scctl ca list' and 'scctl ca sign NAME'.\n",
      args.ca_dir.c_str(), authority->certificate().fingerprint().c_str(),
      fmt::format("{}", fmt::join(args.names, ", ")).c_str());
  return exit_code::kDone;
}

int runList(const ca::CertificateAuthority& authority, bool json) {
  auto pending = authority.pending();
  if (!pending) return fail(pending.error());
  auto issued = authority.issued();
  if (!issued) return fail(issued.error());
  if (json) {
    nlohmann::json out = {{"pending", nlohmann::json::array()},
                          {"issued", nlohmann::json::array()}};
    for (const auto& p : *pending) {
      out["pending"].push_back({{"name", p.name},
                                {"key_fingerprint", p.key_fingerprint},
                                {"received_at", time::formatRfc3339(p.received_at)}});
    }
    for (const auto& i : *issued) {
      out["issued"].push_back({{"name", i.name},
                               {"serial", i.serial},
                               {"issued_at", time::formatRfc3339(i.issued_at)},
                               {"not_after", time::formatRfc3339(i.not_after)},
                               {"revoked", i.revoked}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return exit_code::kDone;
  }
  std::printf("Waiting for approval ('scctl ca sign NAME'):\n");
  if (pending->empty()) std::printf("  (none)\n");
  for (const auto& p : *pending) {
    std::printf("  %-40s key %s  since %s\n", text::escapeControl(p.name).c_str(),
                p.key_fingerprint.substr(0, 16).c_str(),
                time::formatRfc3339(p.received_at).c_str());
  }
  std::printf("Issued:\n");
  if (issued->empty()) std::printf("  (none)\n");
  for (const auto& i : *issued) {
    std::printf("  %-40s serial %s  expires %s%s\n", text::escapeControl(i.name).c_str(),
                i.serial.c_str(), day(i.not_after).c_str(), i.revoked ? "  REVOKED" : "");
  }
  return exit_code::kDone;
}

int runRenewController(ca::CertificateAuthority& authority, const CaArgs& args) {
  for (const auto& name : args.names) {
    if (auto valid = text::checkHostName(name); !valid) return usage(valid.error().message());
  }
  const auto validity = time::parseDuration(args.controller_lifetime);
  if (!validity || *validity < ca::kDay || *validity > ca::kDefaultControllerValidity) {
    return usage("--valid-for '" + args.controller_lifetime + "': expected 1d to 825d");
  }
  auto lock = ca::CaLock::take(args.ca_dir);
  if (!lock) return fail(lock.error());
  auto certificate = authority.renewController(args.names, time::unixNow(), *validity);
  if (!certificate) return fail(certificate.error());
  std::printf(
      "controller certificate for %s renewed (serial %s, expires %s); restart 'scctl serve' to "
      "use it\n",
      fmt::format("{}", fmt::join(args.names, ", ")).c_str(), certificate->serialHex().c_str(),
      time::formatRfc3339(certificate->notAfter()).c_str());
  return exit_code::kDone;
}

int runCaAction(const CaArgs& args) {
  auto authority = ca::CertificateAuthority::open(args.ca_dir);
  if (!authority) return fail(authority.error());
  if (args.show->parsed()) {
    const auto& certificate = authority->certificate();
    std::printf("CA fingerprint %s\nexpires %s\n", certificate.fingerprint().c_str(),
                time::formatRfc3339(certificate.notAfter()).c_str());
    if (auto controller = pki::Certificate::fromPemFile(authority->controllerCertificatePath())) {
      std::printf("controller certificate %s expires %s\n",
                  text::escapeControl(controller->commonName()).c_str(),
                  time::formatRfc3339(controller->notAfter()).c_str());
    }
    return exit_code::kDone;
  }
  if (args.list->parsed()) return runList(*authority, args.json);
  if (args.renew_controller->parsed()) return runRenewController(*authority, args);
  if (auto valid = text::checkHostName(args.host); !valid) return usage(valid.error().message());
  const std::int64_t now = time::unixNow();
  auto lock = ca::CaLock::take(args.ca_dir);
  if (!lock) return fail(lock.error());
  if (args.sign->parsed()) {
    const auto validity = time::parseDuration(args.lifetime);
    if (!validity || *validity < 60 * 60 || *validity > 825 * ca::kDay) {
      return usage("--valid-for '" + args.lifetime + "': expected 1h to 825d, such as 90d");
    }
    auto certificate = authority->signPending(args.host, now, *validity);
    if (!certificate) return fail(certificate.error());
    std::printf("signed %s (serial %s, expires %s); the agent picks it up when it asks again\n",
                args.host.c_str(), certificate->serialHex().c_str(),
                time::formatRfc3339(certificate->notAfter()).c_str());
    return exit_code::kDone;
  }
  if (args.revoke->parsed()) {
    auto count = authority->revoke(args.host, now);
    if (!count) return fail(count.error());
    std::printf(
        "revoked %zu certificate(s) of %s; a running 'scctl serve' closes its session within "
        "seconds\n",
        *count, args.host.c_str());
    return exit_code::kDone;
  }
  const auto lifetime = time::parseDuration(args.lifetime);
  if (!lifetime || *lifetime < 60 || *lifetime > 30 * ca::kDay) {
    return usage("--ttl '" + args.lifetime + "': expected 1m to 30d, such as 1h");
  }
  auto token = ca::createToken(args.ca_dir, args.host, authority->certificate().fingerprint(), now,
                               *lifetime);
  if (!token) return fail(token.error());
  authority->audit({{"event", "token_created"},
                    {"name", args.host},
                    {"expires_at", time::formatRfc3339(now + *lifetime)}},
                   now);
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr,
               "one-time token for %s, valid until %s; on that host run:\n"
               "  sc-agent enroll --controller CONTROLLER:PORT --name %s --token TOKEN\n",
               args.host.c_str(), time::formatRfc3339(now + *lifetime).c_str(), args.host.c_str());
  return exit_code::kDone;
}

}  // namespace

void addCaCommands(CLI::App& app, CaArgs& args) {
  args.ca = app.add_subcommand("ca", "The certificate authority agents enrol with");
  args.ca->require_subcommand(1);
  args.ca->add_option("--ca-dir", args.ca_dir, "The CA directory")->default_val(kDefaultCaDir);
  args.ca->footer(R"(Examples:
  scctl ca init --name ctl.example.com --name 10.0.0.5
  scctl ca list                    # requests waiting for approval, certificates issued
  scctl ca sign web1.example.com   # approve a waiting request
  scctl ca revoke web1.example.com # cut the host off, including its open session
  scctl ca renew-controller --name ctl.example.com --name 10.0.0.5

Keys are ECDSA P-256, written mode 0600 and never replaced. docs/enrolment.md
describes the directory, the certificate profiles and enrolment.

Exit codes:
  0  done
  1  the CA could not be read or changed
  2  bad usage)");
  args.init = args.ca->add_subcommand("init", "Create the CA and the controller's certificate");
  args.init
      ->add_option("--name", args.names,
                   "A name agents dial the controller by (DNS name or IP address; repeat)")
      ->required();
  args.show = args.ca->add_subcommand("show", "Print the CA certificate's fingerprint");
  args.list = args.ca->add_subcommand("list", "List waiting requests and issued certificates");
  args.list->add_flag("--json", args.json, "Machine-readable output");
  args.sign = args.ca->add_subcommand("sign", "Approve the request waiting for NAME");
  args.sign->add_option("name", args.host, "The host name")->required();
  args.sign->add_option("--valid-for", args.lifetime, "Certificate lifetime")->default_val("90d");
  args.revoke = args.ca->add_subcommand("revoke", "Revoke every certificate of NAME");
  args.revoke->add_option("name", args.host, "The host name")->required();
  args.renew_controller = args.ca->add_subcommand(
      "renew-controller", "Issue the controller a new certificate (same key) before it expires");
  args.renew_controller
      ->add_option("--name", args.names,
                   "A name agents dial the controller by (DNS name or IP address; repeat)")
      ->required();
  args.renew_controller->add_option("--valid-for", args.controller_lifetime, "Certificate lifetime")
      ->default_val("825d");

  args.token = app.add_subcommand("token", "One-time enrolment tokens");
  args.token->require_subcommand(1);
  args.token->add_option("--ca-dir", args.ca_dir, "The CA directory")->default_val(kDefaultCaDir);
  args.token_create =
      args.token->add_subcommand("create", "Make a one-time token that enrols one host");
  args.token_create->add_option("--host", args.host, "The host it enrols")->required();
  args.token_create->add_option("--ttl", args.lifetime, "How long it stays usable")
      ->default_val("1h");
  args.token_create->footer(
      "The token is printed on stdout; it is spent by its first use, and it also pins the CA\n"
      "so the agent trusts the right controller on its first connection.");
}

bool caCommandParsed(const CaArgs& args) { return args.ca->parsed() || args.token->parsed(); }

int runCa(const CaArgs& args) {
  if (args.init->parsed()) return runInit(args);
  return runCaAction(args);
}

}  // namespace sc::controller::cli
