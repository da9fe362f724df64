// `sc-agent enroll`: makes this host's key (once), sends a certificate
// request to the controller and stores what comes back (docs/enrolment.md).
//
// On the first connection the agent has no CA yet. It trusts the
// controller by the CA fingerprint a token carries (or --ca-fingerprint):
// the handshake completes, the controller's chain must hold that CA and its
// certificate must verify under it for the dialled name, and only then is
// anything sent (tls::pinnedPeerCa).
#pragma once

#include <chrono>
#include <string>

#include "agent/session/credentials.h"
#include "agent/session/dial.h"
#include "common/error.h"

namespace sc::agent::session {

struct EnrolSettings {
  ControllerAddress controller;
  std::string name;
  std::string token;           // empty: wait for an operator
  std::string ca_fingerprint;  // from the token when it has one
  Credentials credentials;
  bool wait = false;  // keep asking until an operator signs
  std::chrono::seconds timeout{30};
};

enum class EnrolStatus { Issued, Pending };

// Issued: agent.crt and ca.crt written. Pending: the request waits for
// `scctl ca sign NAME` (with `wait`, this returns only once signed).
Result<EnrolStatus> enrolAgent(const EnrolSettings& settings);

}  // namespace sc::agent::session
