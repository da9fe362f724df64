// Reading a resource's parameters with errors that name the resource id and
// the parameter (JSON pointer in where()), and refusing parameters a kind
// does not know, so a typo never passes silently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/manifest/manifest.h"

namespace sc::agent {

class Params {
 public:
  explicit Params(const manifest::ResourceSpec& spec) : spec_(spec) {}

  Result<std::string> requiredString(const std::string& key);
  Result<std::optional<std::string>> optionalString(const std::string& key);
  Result<std::string> string(const std::string& key, std::string fallback);
  Result<bool> boolean(const std::string& key, bool fallback);
  Result<std::optional<std::int64_t>> integer(const std::string& key);
  Result<std::vector<std::string>> stringList(const std::string& key);
  Result<std::map<std::string, std::string>> stringMap(const std::string& key);
  // The raw JSON of a parameter, for kinds with structured values.
  std::optional<nlohmann::json> raw(const std::string& key);
  bool has(const std::string& key) const { return spec_.params.contains(key); }

  // Fails on the first parameter nobody read.
  Result<void> finish() const;

  // An error about one parameter: "resource 'id': parameter 'key': message".
  Error error(const std::string& key, const std::string& message,
              ErrorCode code = ErrorCode::Schema) const;

  const manifest::ResourceSpec& spec() const { return spec_; }

 private:
  const nlohmann::json* find(const std::string& key);
  const manifest::ResourceSpec& spec_;
  std::set<std::string> read_;
};

// An error about the resource as a whole (not one parameter).
Error resourceError(const manifest::ResourceSpec& spec, const std::string& message,
                    ErrorCode code = ErrorCode::Schema);

}  // namespace sc::agent
