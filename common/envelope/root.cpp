#include "common/envelope/root.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/text/base64.h"

namespace sc::envelope {
namespace {

using nlohmann::json;

Error rootError(std::string message) {
  return Error(ErrorCode::SignatureFormat, "malformed root document: " + std::move(message));
}

json keyList(const std::vector<PublicKey>& keys) {
  json out = json::array();
  for (const PublicKey& key : keys) out.push_back(text::base64Encode(key.raw()));
  return out;
}

Result<std::vector<PublicKey>> parseKeyList(const json& doc, const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_array())
    return rootError(fmt::format("'{}' must be a list", name));
  if (it->empty() || it->size() > kMaxRootKeys) {
    return rootError(fmt::format("'{}' must hold 1 to {} keys", name, kMaxRootKeys));
  }
  std::vector<PublicKey> keys;
  std::set<std::string> seen;
  for (const json& entry : *it) {
    if (!entry.is_string()) return rootError(fmt::format("'{}' holds a non-string", name));
    const auto raw = text::base64Decode(entry.get<std::string>());
    if (!raw) return rootError(fmt::format("a key in '{}' is not canonical base64", name));
    auto key = PublicKey::fromRaw(*raw);
    if (!key) return rootError(fmt::format("a key in '{}': {}", name, key.error().message()));
    // One key listed twice would count twice towards a threshold (T-02).
    if (!seen.insert(key->id()).second) {
      return rootError(
          fmt::format("key {} is listed twice in '{}'", key->id().substr(0, 16), name));
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

bool listsKey(const std::vector<PublicKey>& keys, std::string_view id) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const PublicKey& key) { return key.id() == id; });
}

struct Candidate {
  Envelope sealed;
  RootDocument document;
  std::string text;
};

Result<Candidate> parseCandidate(std::string_view text) {
  SC_TRY_ASSIGN(Envelope sealed, parseEnvelope(text, kMaxRootBytes, kMaxRootSignatures));
  if (sealed.payload_type != kRootPayloadType) {
    return rootError(
        fmt::format("payload type '{}', expected '{}'", sealed.payload_type, kRootPayloadType));
  }
  // TUF's order: a root's own keys are needed to check its own threshold,
  // so the payload is parsed (strictly, within 64 KiB) before believed.
  SC_TRY_ASSIGN(RootDocument document, parseRoot(sealed.payload));
  return Candidate{std::move(sealed), std::move(document), std::string(text)};
}

Result<void> checkThreshold(const Candidate& candidate, const RootDocument& signers,
                            std::string_view whose) {
  const std::size_t valid = countValidSigners(candidate.sealed, signers.root_keys);
  if (valid >= signers.root_threshold) return {};
  return Error(ErrorCode::SignatureInvalid,
               fmt::format("root version {} carries valid signatures of {} of {}'s root keys, "
                           "and {} are required",
                           candidate.document.version, valid, whose, signers.root_threshold));
}

}  // namespace

TrustedKeys RootDocument::manifestKeys() const {
  TrustedKeys keys;
  for (const PublicKey& key : signing_keys) keys.add(key);
  for (const std::string& id : retired_key_ids) keys.retire(id);
  return keys;
}

std::string serializeRoot(const RootDocument& root) {
  nlohmann::ordered_json doc;
  doc["version"] = root.version;
  doc["root_threshold"] = root.root_threshold;
  doc["root_keys"] = keyList(root.root_keys);
  doc["signing_keys"] = keyList(root.signing_keys);
  doc["retired_keys"] = root.retired_key_ids;
  return doc.dump();
}

nlohmann::json summarizeRoot(const RootDocument& root) {
  json out = {{"version", root.version},
              {"root_threshold", root.root_threshold},
              {"root_keys", json::array()},
              {"signing_keys", json::array()},
              {"retired_keys", root.retired_key_ids}};
  for (const auto& key : root.root_keys) out["root_keys"].push_back(key.id());
  for (const auto& key : root.signing_keys) out["signing_keys"].push_back(key.id());
  return out;
}

Result<RootDocument> parseRoot(std::string_view payload) {
  if (payload.size() > kMaxRootBytes) return rootError("over 64 KiB");
  const json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return rootError("not a JSON object");
  for (const auto& [key, unused] : doc.items()) {
    if (key != "version" && key != "root_threshold" && key != "root_keys" &&
        key != "signing_keys" && key != "retired_keys") {
      return rootError(fmt::format("unknown field '{}'", key));
    }
  }
  RootDocument root;
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_unsigned() || version->get<std::uint64_t>() < 1) {
    return rootError("'version' must be a whole number from 1");
  }
  root.version = version->get<std::uint64_t>();
  SC_TRY_ASSIGN(root.root_keys, parseKeyList(doc, "root_keys"));
  SC_TRY_ASSIGN(root.signing_keys, parseKeyList(doc, "signing_keys"));
  const auto threshold = doc.find("root_threshold");
  if (threshold == doc.end() || !threshold->is_number_unsigned() ||
      threshold->get<std::uint64_t>() < 1 ||
      threshold->get<std::uint64_t>() > root.root_keys.size()) {
    return rootError(fmt::format("'root_threshold' must be between 1 and {} (the root keys)",
                                 root.root_keys.size()));
  }
  root.root_threshold = threshold->get<std::size_t>();
  const auto retired = doc.find("retired_keys");
  if (retired == doc.end() || !retired->is_array() || retired->size() > kMaxRetiredKeys) {
    return rootError(
        fmt::format("'retired_keys' must be a list of at most {} key ids", kMaxRetiredKeys));
  }
  for (const json& entry : *retired) {
    const std::string id = entry.is_string() ? entry.get<std::string>() : std::string();
    if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return rootError("'retired_keys' holds something other than a 64-hex key id");
    }
    if (listsKey(root.root_keys, id) || listsKey(root.signing_keys, id)) {
      return rootError(fmt::format("key {} is both trusted and retired", id.substr(0, 16)));
    }
    root.retired_key_ids.push_back(id);
  }
  return root;
}

std::size_t countValidSigners(const Envelope& sealed, const std::vector<PublicKey>& keys) {
  const std::string message = signedBytes(sealed.payload_type, sealed.payload);
  // By public key: a key counts once however many entries carry it.
  std::set<std::string> counted;
  for (const PublicKey& key : keys) {
    if (counted.count(key.id()) != 0) continue;
    for (const Signature& signature : sealed.signatures) {
      if (signature.key_id == key.id() && key.verify(message, signature.bytes)) {
        counted.insert(key.id());
        break;
      }
    }
  }
  return counted.size();
}

Result<TrustedRoot> openRootAnchor(std::string_view envelope_text) {
  SC_TRY_ASSIGN(Candidate candidate, parseCandidate(envelope_text));
  SC_TRY(checkThreshold(candidate, candidate.document, "its own"));
  return TrustedRoot{std::move(candidate.document), std::move(candidate.text)};
}

Result<TrustedRoot> openNextRoot(const RootDocument& current, std::string_view envelope_text) {
  SC_TRY_ASSIGN(Candidate candidate, parseCandidate(envelope_text));
  if (candidate.document.version != current.version + 1) {
    return Error(ErrorCode::Rollback,
                 fmt::format("root version {} does not follow the trusted version {}",
                             candidate.document.version, current.version));
  }
  SC_TRY(checkThreshold(candidate, current, fmt::format("version {}", current.version)));
  SC_TRY(checkThreshold(candidate, candidate.document, "its own"));
  return TrustedRoot{std::move(candidate.document), std::move(candidate.text)};
}

Result<TrustedRoot> walkRootChain(const TrustedRoot& current,
                                  const std::vector<std::string>& candidates) {
  if (candidates.size() > kMaxRootChain * 4) {
    return Error(ErrorCode::RootChainTooLong,
                 fmt::format("{} root documents offered at once", candidates.size()));
  }
  std::map<std::uint64_t, std::string_view> newer;
  for (const std::string& text : candidates) {
    SC_TRY_ASSIGN(const Candidate candidate, parseCandidate(text));
    const std::uint64_t version = candidate.document.version;
    if (version <= current.document.version) continue;
    const auto [it, added] = newer.emplace(version, text);
    if (!added && it->second != text) {
      return Error(ErrorCode::Equivocation,
                   fmt::format("two different root documents claim version {}", version));
    }
  }
  if (newer.empty()) return current;
  const std::uint64_t target = newer.rbegin()->first;
  if (target - current.document.version > kMaxRootChain) {
    return Error(ErrorCode::RootChainTooLong,
                 fmt::format("root version {} is {} versions past the trusted version {}, more "
                             "than the {} walked at once; install it by hand (sc-agent trust "
                             "init --replace)",
                             target, target - current.document.version, current.document.version,
                             kMaxRootChain));
  }
  TrustedRoot walked = current;
  for (std::uint64_t version = current.document.version + 1; version <= target; ++version) {
    const auto it = newer.find(version);
    if (it == newer.end()) {
      return rootError(fmt::format("version {} is missing between {} and {}", version,
                                   current.document.version, target));
    }
    SC_TRY_ASSIGN(walked, openNextRoot(walked.document, it->second));
  }
  return walked;
}

}  // namespace sc::envelope
