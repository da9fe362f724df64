// The controller's certificate authority: one directory (docs/enrolment.md)
// holding the CA key and certificate, the controller's own serving
// certificate, every certificate issued to an agent, the requests waiting
// for an operator, the revocation list and an audit log.
//
//   DIR/ca.key, ca.crt                 ECDSA P-256 CA (key mode 0600)
//   DIR/controller.key, controller.crt  what `scctl serve` presents
//   DIR/agents/NAME.crt                 the latest certificate issued to NAME
//   DIR/pending/NAME.csr                requests waiting for `scctl ca sign`
//   DIR/issued.jsonl                    every certificate ever issued
//   DIR/revoked.json                    revoked serial numbers
//   DIR/audit.jsonl                     every enrolment attempt and CA action
//
// The `scctl ca` commands and `scctl serve` share the directory; each change
// takes DIR/.lock (flock) and replaces files atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/fs/unique_fd.h"
#include "common/pki/certificate.h"
#include "common/pki/ec_key.h"

namespace sc::controller::ca {

inline constexpr std::int64_t kDay = 24 * 60 * 60;
inline constexpr std::int64_t kDefaultAgentValidity = 90 * kDay;
inline constexpr std::int64_t kDefaultControllerValidity = 825 * kDay;

struct InitOptions {
  // The names agents dial (DNS names or IP addresses); the first is the
  // controller certificate's commonName. Agents check the name they dial.
  std::vector<std::string> controller_names;
  std::int64_t ca_validity = 10 * 365 * kDay;
  std::int64_t controller_validity = kDefaultControllerValidity;
};

struct IssuedRecord {
  std::string name;
  std::string serial;
  std::int64_t issued_at = 0;
  std::int64_t not_after = 0;
  bool revoked = false;
};

struct PendingRecord {
  std::string name;
  std::string key_fingerprint;  // publicKeyFingerprint() of the request's key
  std::int64_t received_at = 0;
};

class CertificateAuthority {
 public:
  // Creates DIR (mode 0700) and everything in it; refuses a DIR that
  // already holds a CA.
  static Result<void> init(const std::filesystem::path& dir, const InitOptions& options,
                           std::int64_t now);
  static Result<CertificateAuthority> open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const pki::Certificate& certificate() const { return certificate_; }
  std::filesystem::path certificatePath() const { return dir_ / "ca.crt"; }
  std::filesystem::path controllerCertificatePath() const { return dir_ / "controller.crt"; }
  std::filesystem::path controllerKeyPath() const { return dir_ / "controller.key"; }

  // Issues an agent certificate for a request csr_policy accepted, records
  // it and keeps it as DIR/agents/NAME.crt.
  Result<pki::Certificate> issueAgent(const pki::CertificateRequest& request,
                                      const std::string& name, std::int64_t now,
                                      std::int64_t validity = kDefaultAgentValidity);

  // Issues the controller a new certificate for `names` (the first is its
  // commonName), keeping its key: before the old one expires, or when
  // agents are to dial it by other names. A running `scctl serve` uses it
  // from its next start.
  Result<pki::Certificate> renewController(const std::vector<std::string>& names, std::int64_t now,
                                           std::int64_t validity = kDefaultControllerValidity);

  // The latest certificate issued to `name`, if any.
  Result<std::optional<pki::Certificate>> agentCertificate(const std::string& name) const;

  // Keeps a request for an operator; Conflict when another key's request
  // for the same name is already waiting.
  Result<void> addPending(const pki::CertificateRequest& request, const std::string& name,
                          std::int64_t now);
  Result<std::vector<PendingRecord>> pending() const;
  // `scctl ca sign NAME`: issues the waiting request and removes it.
  Result<pki::Certificate> signPending(const std::string& name, std::int64_t now,
                                       std::int64_t validity = kDefaultAgentValidity);

  Result<std::vector<IssuedRecord>> issued() const;
  // Revokes every certificate issued to `name`; NotFound when none was.
  Result<std::size_t> revoke(const std::string& name, std::int64_t now);
  // The revoked serial numbers (serialHex()).
  Result<std::set<std::string>> revokedSerials() const;

  // Appends one line to DIR/audit.jsonl ("at" is added).
  void audit(nlohmann::json event, std::int64_t now) const;

 private:
  CertificateAuthority(std::filesystem::path dir, pki::Certificate certificate, pki::EcKey key)
      : dir_(std::move(dir)), certificate_(std::move(certificate)), key_(std::move(key)) {}

  std::filesystem::path dir_;
  pki::Certificate certificate_;
  pki::EcKey key_;
};

// Holds DIR/.lock (flock) while alive: one change to a CA directory at a time.
class CaLock {
 public:
  static Result<CaLock> take(const std::filesystem::path& dir);

 private:
  explicit CaLock(fs::UniqueFd fd) : fd_(std::move(fd)) {}
  fs::UniqueFd fd_;  // closing it releases the lock
};

}  // namespace sc::controller::ca
