// What an enrolled agent keeps to reach its controller, in STATE/tls/:
//
//   agent.key        its ECDSA P-256 key (mode 0600; made on this host, never sent)
//   agent.crt        its certificate from the controller's CA
//   ca.crt           the CA it trusts the controller by (and nothing else)
//   controller.json  {"controller": "HOST:PORT", "name": "THIS HOST"}
#pragma once

#include <filesystem>
#include <string>

#include "agent/session/dial.h"
#include "common/error.h"
#include "common/tls/tls_context.h"

namespace sc::agent::session {

struct Credentials {
  std::filesystem::path dir;  // STATE/tls

  std::filesystem::path key() const { return dir / "agent.key"; }
  std::filesystem::path certificate() const { return dir / "agent.crt"; }
  std::filesystem::path ca() const { return dir / "ca.crt"; }
  std::filesystem::path controllerFile() const { return dir / "controller.json"; }
};

struct Enrolment {
  ControllerAddress controller;
  std::string name;
};

Result<Enrolment> loadEnrolment(const Credentials& credentials);
Result<void> saveEnrolment(const Credentials& credentials, const Enrolment& enrolment);

// The client TLS settings of an enrolled agent.
tls::ClientSettings sessionTlsSettings(const Credentials& credentials,
                                       const ControllerAddress& controller);

}  // namespace sc::agent::session
