#include "common/envelope/envelope.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/text/base64.h"

namespace sc::envelope {
namespace {

using nlohmann::json;

Error formatError(std::string message) {
  return Error(ErrorCode::SignatureFormat, "malformed envelope: " + std::move(message));
}

bool isLowerHex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A string member, or an error naming it.
Result<std::string> stringField(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return formatError(fmt::format("'{}' is missing", name));
  if (!it->is_string()) return formatError(fmt::format("'{}' is not a string", name));
  return it->get<std::string>();
}

Result<void> onlyKeys(const json& object, std::initializer_list<std::string_view> allowed,
                      std::string_view what) {
  for (const auto& [key, unused] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return formatError(fmt::format("unknown field '{}' in {}", key, what));
    }
  }
  return {};
}

}  // namespace

std::string signedBytes(std::string_view payload_type, std::string_view payload) {
  return fmt::format("smartcookies-envelope-v1 {} {} {} {}", payload_type.size(), payload_type,
                     payload.size(), payload);
}

Envelope seal(std::string payload_type, std::string payload, const PrivateKey& key) {
  Envelope out;
  out.signatures.push_back({key.publicKey().id(), key.sign(signedBytes(payload_type, payload))});
  out.payload_type = std::move(payload_type);
  out.payload = std::move(payload);
  return out;
}

void addSignature(Envelope& envelope, const PrivateKey& key) {
  envelope.signatures.push_back(
      {key.publicKey().id(), key.sign(signedBytes(envelope.payload_type, envelope.payload))});
}

std::string serialize(const Envelope& envelope) {
  json signatures = json::array();
  for (const auto& signature : envelope.signatures) {
    signatures.push_back(
        {{"key_id", signature.key_id}, {"signature", text::base64Encode(signature.bytes)}});
  }
  return json{{"format_version", kEnvelopeFormatVersion},
              {"payload_type", envelope.payload_type},
              {"payload", text::base64Encode(envelope.payload)},
              {"signatures", std::move(signatures)}}
      .dump();
}

Result<Envelope> parseEnvelope(std::string_view text, std::size_t max_payload_bytes,
                               std::size_t max_signatures) {
  // Base64 grows 3 bytes to 4; the rest of an envelope is small.
  if (text.size() > max_payload_bytes / 3 * 4 + 4 + 64 * 1024) {
    return Error(ErrorCode::TooLarge,
                 fmt::format("envelope of {} bytes, over the limit for a payload of {} bytes",
                             text.size(), max_payload_bytes));
  }
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return formatError("not JSON");
  if (!doc.is_object()) return formatError("not a JSON object");
  SC_TRY(
      onlyKeys(doc, {"format_version", "payload_type", "payload", "signatures"}, "the envelope"));
  const auto version = doc.find("format_version");
  if (version == doc.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kEnvelopeFormatVersion) {
    return formatError(fmt::format("'format_version' must be {}", kEnvelopeFormatVersion));
  }
  Envelope out;
  SC_TRY_ASSIGN(out.payload_type, stringField(doc, "payload_type"));
  SC_TRY_ASSIGN(const std::string payload, stringField(doc, "payload"));
  auto decoded = text::base64Decode(payload);
  if (!decoded) return formatError("'payload' is not canonical base64");
  if (decoded->size() > max_payload_bytes) {
    return Error(ErrorCode::TooLarge, fmt::format("payload of {} bytes, over the limit of {}",
                                                  decoded->size(), max_payload_bytes));
  }
  out.payload = std::move(*decoded);
  const auto signatures = doc.find("signatures");
  if (signatures == doc.end() || !signatures->is_array()) {
    return formatError("'signatures' must be a list");
  }
  if (signatures->empty()) return formatError("there is no signature");
  if (signatures->size() > max_signatures) {
    return formatError(
        fmt::format("{} signatures, more than the {} allowed", signatures->size(), max_signatures));
  }
  for (const json& entry : *signatures) {
    if (!entry.is_object()) return formatError("a signature must be an object");
    SC_TRY(onlyKeys(entry, {"key_id", "signature"}, "a signature"));
    Signature signature;
    SC_TRY_ASSIGN(signature.key_id, stringField(entry, "key_id"));
    if (signature.key_id.size() != 64 || !isLowerHex(signature.key_id)) {
      return formatError("'key_id' must be 64 lowercase hex digits");
    }
    SC_TRY_ASSIGN(const std::string encoded, stringField(entry, "signature"));
    auto bytes = text::base64Decode(encoded);
    if (!bytes) return formatError("'signature' is not canonical base64");
    if (bytes->size() != kSignatureBytes) {
      return formatError(
          fmt::format("a signature is {} bytes, not {}", kSignatureBytes, bytes->size()));
    }
    signature.bytes = std::move(*bytes);
    out.signatures.push_back(std::move(signature));
  }
  return out;
}

void TrustedKeys::add(PublicKey key) {
  std::string id = key.id();
  keys_.insert_or_assign(std::move(id), std::move(key));
}

void TrustedKeys::retire(std::string key_id) { retired_.insert(std::move(key_id)); }

const PublicKey* TrustedKeys::find(std::string_view key_id) const {
  const auto it = keys_.find(key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

Result<std::string_view> openEnvelope(const Envelope& envelope, std::string_view payload_type,
                                      const TrustedKeys& trusted) {
  if (envelope.payload_type != payload_type) {
    return formatError(
        fmt::format("payload type '{}', expected '{}'", envelope.payload_type, payload_type));
  }
  const std::string message = signedBytes(envelope.payload_type, envelope.payload);
  bool named_trusted = false;
  for (const Signature& signature : envelope.signatures) {
    const PublicKey* key = trusted.find(signature.key_id);
    if (key == nullptr) continue;
    named_trusted = true;
    if (key->verify(message, signature.bytes)) return std::string_view(envelope.payload);
  }
  if (!named_trusted) {
    for (const Signature& signature : envelope.signatures) {
      if (trusted.isRetired(signature.key_id)) {
        return Error(ErrorCode::RetiredKey,
                     fmt::format("signed by key {}, which this host's root document retired",
                                 signature.key_id.substr(0, 16)));
      }
    }
    return Error(ErrorCode::UnknownKey,
                 fmt::format("signed by key {}, which this host does not trust",
                             envelope.signatures.empty()
                                 ? std::string("(none)")
                                 : envelope.signatures.front().key_id.substr(0, 16)));
  }
  return Error(ErrorCode::SignatureInvalid,
               "the signature does not match the payload: it was altered or not signed by the "
               "key it names");
}

}  // namespace sc::envelope
