#include "agent/session/credentials.h"

#include <fcntl.h>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/json/strict_json.h"
#include "common/text/host_name.h"

namespace sc::agent::session {

Result<Enrolment> loadEnrolment(const Credentials& credentials) {
  const auto path = credentials.controllerFile();
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return Error(ErrorCode::NotFound,
                   "this agent is not enrolled; run 'sc-agent enroll --controller HOST:PORT "
                   "--token TOKEN' first",
                   path.string());
    }
    return errnoError(errno, "cannot open", path.string());
  }
  SC_TRY_ASSIGN(const std::string text, fs::readAllCapped(fd.get(), 64 * 1024));
  SC_TRY_ASSIGN(const auto document, json::parseStrictJson(text, path.string(), {4, 64 * 1024}));
  if (!document.is_object() || !document.contains("controller") ||
      !document["controller"].is_string() || !document.contains("name") ||
      !document["name"].is_string()) {
    return Error(ErrorCode::Schema, "expected {\"controller\": \"HOST:PORT\", \"name\": \"HOST\"}",
                 path.string());
  }
  Enrolment enrolment;
  SC_TRY_ASSIGN(enrolment.controller,
                parseControllerAddress(document["controller"].get<std::string>()));
  enrolment.name = document["name"].get<std::string>();
  if (auto valid = text::checkHostName(enrolment.name); !valid) {
    return std::move(valid.error()).withWhere(path.string());
  }
  return enrolment;
}

Result<void> saveEnrolment(const Credentials& credentials, const Enrolment& enrolment) {
  const nlohmann::json document = {{"controller", enrolment.controller.text()},
                                   {"name", enrolment.name}};
  return fs::writeFileAtomic(credentials.controllerFile(), document.dump(2) + "\n", {});
}

tls::ClientSettings sessionTlsSettings(const Credentials& credentials,
                                       const ControllerAddress& controller) {
  tls::ClientSettings settings;
  settings.identity = tls::Identity{credentials.certificate(), credentials.key()};
  settings.ca_certificate = credentials.ca();
  settings.server_name = controller.host;
  return settings;
}

}  // namespace sc::agent::session
