#include "controller/ca/certificate_authority.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/crypto/openssl.h"
#include "common/fs/atomic_file.h"
#include "common/json/strict_json.h"
#include "common/time/rfc3339.h"
#include "controller/ca/issuer.h"

namespace sc::controller::ca {
namespace {

namespace stdfs = std::filesystem;

constexpr json::ParseLimits kRecordLimits{16, 64ull * 1024 * 1024};
constexpr char kCaCommonName[] = "smartcookies CA";

Result<std::string> readText(const stdfs::path& path) {
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errnoError(errno, "cannot open", path.string());
  auto text = fs::readAllCapped(fd.get(), kRecordLimits.max_bytes);
  if (!text) return std::move(text.error()).withWhere(path.string());
  return text;
}

Result<void> appendLine(const stdfs::path& path, const nlohmann::json& record) {
  fs::UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return errnoError(errno, "cannot open", path.string());
  SC_TRY(fs::writeAll(fd.get(), record.dump() + "\n"));
  if (::fsync(fd.get()) != 0) return errnoError(errno, "cannot sync", path.string());
  return {};
}

// Each line of a JSON-lines file, parsed strictly.
Result<std::vector<nlohmann::json>> readLines(const stdfs::path& path) {
  std::vector<nlohmann::json> records;
  std::error_code ec;
  if (!stdfs::exists(path, ec)) return records;
  SC_TRY_ASSIGN(const std::string text, readText(path));
  std::size_t start = 0;
  std::size_t line = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      auto record = json::parseStrictJson(std::string_view(text).substr(start, end - start),
                                          fmt::format("{}:{}", path.string(), line), kRecordLimits);
      if (!record) return std::move(record.error());
      records.push_back(std::move(*record));
    }
    start = end + 1;
    ++line;
  }
  return records;
}

Result<nlohmann::json> readRevoked(const stdfs::path& dir) {
  const auto path = dir / "revoked.json";
  SC_TRY_ASSIGN(const std::string text, readText(path));
  SC_TRY_ASSIGN(auto document, json::parseStrictJson(text, path.string(), kRecordLimits));
  if (!document.is_object() || !document.contains("revoked") || !document["revoked"].is_array()) {
    return Error(ErrorCode::Schema, "expected {\"revoked\": [...]}", path.string());
  }
  return document;
}

Result<void> makeDirectory(const stdfs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return errnoError(errno, "cannot create the directory", path.string());
  }
  return {};
}

}  // namespace

Result<CaLock> CaLock::take(const stdfs::path& dir) {
  const auto path = dir / ".lock";
  fs::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return errnoError(errno, "cannot open the CA lock", path.string());
  if (::flock(fd.get(), LOCK_EX) != 0) return errnoError(errno, "cannot lock", path.string());
  return CaLock(std::move(fd));
}

Result<void> CertificateAuthority::init(const stdfs::path& dir, const InitOptions& options,
                                        std::int64_t now) {
  SC_CHECK(!options.controller_names.empty(), "a controller needs at least one name");
  std::error_code ec;
  stdfs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::Io, "cannot create the CA directory", dir.string(), ec.message());
  stdfs::permissions(dir, stdfs::perms::owner_all, ec);
  SC_TRY_ASSIGN(auto lock, CaLock::take(dir));
  if (stdfs::exists(dir / "ca.key", ec) || stdfs::exists(dir / "ca.crt", ec)) {
    return Error(ErrorCode::Conflict, "a CA already exists here; it is never replaced",
                 dir.string());
  }
  SC_TRY_ASSIGN(auto ca_key, pki::EcKey::generate());
  IssueRequest root;
  root.profile = Profile::Root;
  root.subject_key = ca_key.get();
  root.common_name = kCaCommonName;
  root.not_before = now - 60;  // a minute of slack for clocks behind ours
  root.not_after = now + options.ca_validity;
  SC_TRY_ASSIGN(auto ca_cert, issue(root, nullptr, ca_key));

  SC_TRY_ASSIGN(auto server_key, pki::EcKey::generate());
  IssueRequest server;
  server.profile = Profile::Controller;
  server.subject_key = server_key.get();
  server.common_name = options.controller_names.front();
  server.alt_names = options.controller_names;
  server.not_before = now - 60;
  server.not_after = now + options.controller_validity;
  SC_TRY_ASSIGN(auto server_cert, issue(server, &ca_cert, ca_key));

  SC_TRY(makeDirectory(dir / "agents"));
  SC_TRY(makeDirectory(dir / "pending"));
  fs::AtomicWriteOptions record;
  record.mode = 0600;
  SC_TRY(fs::writeFileAtomic(dir / "revoked.json", "{\"revoked\": []}\n", record));
  // The CA key last: a CA directory without ca.key is an unfinished init.
  SC_TRY(server_key.writeNew(dir / "controller.key"));
  SC_TRY(crypto::writePemFile(dir / "controller.crt", server_cert.pem(),
                              crypto::FileSecrecy::Public, /*replace=*/true));
  SC_TRY(crypto::writePemFile(dir / "ca.crt", ca_cert.pem(), crypto::FileSecrecy::Public,
                              /*replace=*/false));
  SC_TRY(ca_key.writeNew(dir / "ca.key"));
  CertificateAuthority(dir, ca_cert, ca_key)
      .audit({{"event", "ca_init"}, {"controller_names", options.controller_names}}, now);
  return {};
}

Result<CertificateAuthority> CertificateAuthority::open(const stdfs::path& dir) {
  auto certificate = pki::Certificate::fromPemFile(dir / "ca.crt");
  if (!certificate) {
    return std::move(certificate.error())
        .withContext("no usable CA here (run 'scctl ca init' first)");
  }
  SC_TRY_ASSIGN(auto key, pki::EcKey::fromPemFile(dir / "ca.key"));
  return CertificateAuthority(dir, std::move(*certificate), std::move(key));
}

Result<pki::Certificate> CertificateAuthority::issueAgent(const pki::CertificateRequest& request,
                                                          const std::string& name, std::int64_t now,
                                                          std::int64_t validity) {
  IssueRequest agent;
  agent.profile = Profile::Agent;
  agent.subject_key = X509_REQ_get0_pubkey(request.get());
  agent.common_name = name;
  agent.not_before = now - 60;
  agent.not_after = now + validity;
  SC_TRY_ASSIGN(auto certificate, issue(agent, &certificate_, key_));
  // Recorded before it is handed out: a certificate the log does not know
  // could never be revoked.
  SC_TRY(appendLine(dir_ / "issued.jsonl",
                    {{"name", name},
                     {"serial", certificate.serialHex()},
                     {"issued_at", time::formatRfc3339(now)},
                     {"not_after", time::formatRfc3339(certificate.notAfter())}}));
  SC_TRY(crypto::writePemFile(dir_ / "agents" / (name + ".crt"), certificate.pem(),
                              crypto::FileSecrecy::Public, /*replace=*/true));
  audit({{"event", "issued"}, {"name", name}, {"serial", certificate.serialHex()}}, now);
  return certificate;
}

Result<pki::Certificate> CertificateAuthority::renewController(
    const std::vector<std::string>& names, std::int64_t now, std::int64_t validity) {
  if (names.empty()) return Error(ErrorCode::InvalidArgument, "the controller needs a name");
  SC_TRY_ASSIGN(auto key, pki::EcKey::fromPemFile(controllerKeyPath()));
  IssueRequest server;
  server.profile = Profile::Controller;
  server.subject_key = key.get();
  server.common_name = names.front();
  server.alt_names = names;
  server.not_before = now - 60;
  server.not_after = now + validity;
  SC_TRY_ASSIGN(auto certificate, issue(server, &certificate_, key_));
  SC_TRY(crypto::writePemFile(controllerCertificatePath(), certificate.pem(),
                              crypto::FileSecrecy::Public, /*replace=*/true));
  audit({{"event", "controller_renewed"},
         {"controller_names", names},
         {"serial", certificate.serialHex()},
         {"not_after", time::formatRfc3339(certificate.notAfter())}},
        now);
  return certificate;
}

Result<std::optional<pki::Certificate>> CertificateAuthority::agentCertificate(
    const std::string& name) const {
  const auto path = dir_ / "agents" / (name + ".crt");
  std::error_code ec;
  if (!stdfs::exists(path, ec)) return std::optional<pki::Certificate>();
  SC_TRY_ASSIGN(auto certificate, pki::Certificate::fromPemFile(path));
  return std::optional<pki::Certificate>(std::move(certificate));
}

Result<void> CertificateAuthority::addPending(const pki::CertificateRequest& request,
                                              const std::string& name, std::int64_t now) {
  const auto path = dir_ / "pending" / (name + ".csr");
  const std::string fingerprint = pki::publicKeyFingerprint(X509_REQ_get0_pubkey(request.get()));
  std::error_code ec;
  if (stdfs::exists(path, ec)) {
    SC_TRY_ASSIGN(const std::string text, readText(path));
    SC_TRY_ASSIGN(auto waiting, pki::CertificateRequest::fromPem(text, path.string()));
    if (pki::publicKeyFingerprint(X509_REQ_get0_pubkey(waiting.get())) == fingerprint) return {};
    return Error(ErrorCode::Conflict,
                 "a request from another key is already waiting for this name; 'scctl ca list' "
                 "shows it",
                 name);
  }
  SC_TRY(crypto::writePemFile(path, request.pem(), crypto::FileSecrecy::Public,
                              /*replace=*/false));
  audit({{"event", "pending"}, {"name", name}, {"key", fingerprint}}, now);
  return {};
}

Result<std::vector<PendingRecord>> CertificateAuthority::pending() const {
  std::vector<PendingRecord> records;
  std::error_code ec;
  for (stdfs::directory_iterator it(dir_ / "pending", ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".csr") continue;
    SC_TRY_ASSIGN(const std::string text, readText(path));
    SC_TRY_ASSIGN(auto request, pki::CertificateRequest::fromPem(text, path.string()));
    struct stat st {};
    ::stat(path.c_str(), &st);
    records.push_back({path.stem().string(),
                       pki::publicKeyFingerprint(X509_REQ_get0_pubkey(request.get())),
                       static_cast<std::int64_t>(st.st_mtime)});
  }
  if (ec) return Error(ErrorCode::Io, "cannot list pending requests", dir_.string(), ec.message());
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return records;
}

Result<pki::Certificate> CertificateAuthority::signPending(const std::string& name,
                                                           std::int64_t now,
                                                           std::int64_t validity) {
  const auto path = dir_ / "pending" / (name + ".csr");
  std::error_code ec;
  if (!stdfs::exists(path, ec)) {
    return Error(ErrorCode::NotFound, "no request is waiting for this name", name);
  }
  SC_TRY_ASSIGN(const std::string text, readText(path));
  SC_TRY_ASSIGN(auto request, pki::CertificateRequest::fromPem(text, path.string()));
  SC_TRY_ASSIGN(auto certificate, issueAgent(request, name, now, validity));
  stdfs::remove(path, ec);
  return certificate;
}

Result<std::vector<IssuedRecord>> CertificateAuthority::issued() const {
  SC_TRY_ASSIGN(const auto lines, readLines(dir_ / "issued.jsonl"));
  SC_TRY_ASSIGN(const auto revoked, revokedSerials());
  std::vector<IssuedRecord> records;
  for (const auto& line : lines) {
    IssuedRecord record;
    record.name = line.value("name", "");
    record.serial = line.value("serial", "");
    record.issued_at = time::parseRfc3339(line.value("issued_at", "")).value_or(0);
    record.not_after = time::parseRfc3339(line.value("not_after", "")).value_or(0);
    record.revoked = revoked.count(record.serial) > 0;
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::size_t> CertificateAuthority::revoke(const std::string& name, std::int64_t now) {
  SC_TRY_ASSIGN(const auto records, issued());
  SC_TRY_ASSIGN(auto document, readRevoked(dir_));
  std::size_t count = 0;
  for (const auto& record : records) {
    if (record.name != name || record.revoked) continue;
    document["revoked"].push_back(
        {{"serial", record.serial}, {"name", name}, {"revoked_at", time::formatRfc3339(now)}});
    ++count;
  }
  const bool known = std::any_of(records.begin(), records.end(),
                                 [&](const IssuedRecord& r) { return r.name == name; });
  if (!known) return Error(ErrorCode::NotFound, "no certificate was issued to this name", name);
  fs::AtomicWriteOptions record;
  record.mode = 0600;
  SC_TRY(fs::writeFileAtomic(dir_ / "revoked.json", document.dump(2) + "\n", record));
  std::error_code ec;
  stdfs::remove(dir_ / "agents" / (name + ".crt"), ec);
  audit({{"event", "revoked"}, {"name", name}, {"certificates", count}}, now);
  return count;
}

Result<std::set<std::string>> CertificateAuthority::revokedSerials() const {
  SC_TRY_ASSIGN(const auto document, readRevoked(dir_));
  std::set<std::string> serials;
  for (const auto& entry : document["revoked"]) {
    if (entry.is_object() && entry.contains("serial") && entry["serial"].is_string()) {
      serials.insert(entry["serial"].get<std::string>());
    }
  }
  return serials;
}

void CertificateAuthority::audit(nlohmann::json event, std::int64_t now) const {
  event["at"] = time::formatRfc3339(now);
  // The audit trail must not stop the CA: a failed append is logged instead.
  if (auto appended = appendLine(dir_ / "audit.jsonl", event); !appended) {
    fmt::print(stderr, "warning: {}\n", appended.error().describe());
  }
}

}  // namespace sc::controller::ca
