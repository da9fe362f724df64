#include "controller/trust/root_chain.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <system_error>

#include "common/fs/atomic_file.h"

namespace sc::controller::trust {
namespace {

std::string fileName(std::uint64_t version) { return fmt::format("root.{}.json", version); }

// N from "root.N.json" (no sign, no leading zero), or 0.
std::uint64_t versionOf(const std::string& name) {
  constexpr std::string_view kPrefix = "root.";
  constexpr std::string_view kSuffix = ".json";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.rfind(kPrefix, 0) != 0 ||
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return 0;
  }
  const std::string digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 18 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::stoull(digits);
}

Result<envelope::TrustedRoot> sealAndWrite(const std::filesystem::path& dir,
                                           const envelope::RootDocument& document,
                                           const std::vector<envelope::PrivateKey>& signers,
                                           const envelope::RootDocument* previous) {
  envelope::Envelope sealed{
      std::string(envelope::kRootPayloadType), envelope::serializeRoot(document), {}};
  for (const auto& signer : signers) envelope::addSignature(sealed, signer);
  const std::string text = envelope::serialize(sealed);
  // Written only if an agent would believe it.
  auto checked = previous == nullptr ? envelope::openRootAnchor(text)
                                     : envelope::openNextRoot(*previous, text);
  if (!checked) return std::move(checked.error()).withContext("the new root would be refused");
  const auto path = dir / fileName(document.version);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return Error(ErrorCode::Conflict, "already exists; a root version is never replaced",
                 path.string());
  }
  fs::AtomicWriteOptions options;
  options.mode = 0644;
  SC_TRY(fs::writeFileAtomic(path, text, options));
  return checked;
}

bool holds(const std::vector<envelope::PublicKey>& keys, const std::string& id) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const envelope::PublicKey& key) { return key.id() == id; });
}

}  // namespace

Result<std::vector<envelope::TrustedRoot>> loadChain(const std::filesystem::path& dir) {
  std::error_code error;
  std::map<std::uint64_t, std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    const std::uint64_t version = versionOf(it->path().filename().string());
    if (version != 0) files.emplace(version, it->path());
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    return Error(ErrorCode::Io, "cannot list the root documents", dir.string(), error.message());
  }
  std::vector<envelope::TrustedRoot> chain;
  for (const auto& [version, path] : files) {
    if (version != chain.size() + 1) {
      return Error(ErrorCode::NotFound, fmt::format("{} is missing", fileName(chain.size() + 1)),
                   dir.string());
    }
    SC_TRY_ASSIGN(const std::string text, fs::readFileCapped(path, envelope::kMaxRootBytes * 2));
    auto root = chain.empty() ? envelope::openRootAnchor(text)
                              : envelope::openNextRoot(chain.back().document, text);
    if (!root) return std::move(root.error()).withWhere(path.string() + ": ");
    if (root->document.version != version) {
      return Error(ErrorCode::SignatureFormat,
                   fmt::format("holds version {}", root->document.version), path.string());
    }
    chain.push_back(std::move(*root));
  }
  return chain;
}

Result<envelope::TrustedRoot> initChain(const std::filesystem::path& dir,
                                        envelope::RootDocument document,
                                        const std::vector<envelope::PrivateKey>& signers) {
  SC_TRY_ASSIGN(const auto chain, loadChain(dir));
  if (!chain.empty()) {
    return Error(ErrorCode::Conflict,
                 fmt::format("already holds root version {}; 'scctl trust rotate' makes the next",
                             chain.back().document.version),
                 dir.string());
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return errnoError(errno, "cannot create the trust directory", dir.string());
  }
  document.version = 1;
  return sealAndWrite(dir, document, signers, nullptr);
}

Result<envelope::TrustedRoot> rotateChain(const std::filesystem::path& dir,
                                          const RootChange& change,
                                          const std::vector<envelope::PrivateKey>& signers) {
  SC_TRY_ASSIGN(const auto chain, loadChain(dir));
  if (chain.empty()) {
    return Error(ErrorCode::NotFound, "holds no root yet; 'scctl trust init' makes version 1",
                 dir.string());
  }
  const envelope::RootDocument& current = chain.back().document;
  envelope::RootDocument next = current;
  next.version = current.version + 1;
  for (const std::string& id : change.retire_key_ids) {
    const auto named = [&](const envelope::PublicKey& key) { return key.id() == id; };
    const bool trusted = holds(next.signing_keys, id) || holds(next.root_keys, id);
    if (!trusted) {
      return Error(ErrorCode::NotFound,
                   fmt::format("key {} is neither a signing nor a root key of version {}",
                               id.substr(0, 16), current.version));
    }
    next.signing_keys.erase(
        std::remove_if(next.signing_keys.begin(), next.signing_keys.end(), named),
        next.signing_keys.end());
    next.root_keys.erase(std::remove_if(next.root_keys.begin(), next.root_keys.end(), named),
                         next.root_keys.end());
    next.retired_key_ids.push_back(id);
  }
  const auto add = [&](std::vector<envelope::PublicKey>& list,
                       const envelope::PublicKey& key) -> Result<void> {
    if (std::find(next.retired_key_ids.begin(), next.retired_key_ids.end(), key.id()) !=
        next.retired_key_ids.end()) {
      return Error(ErrorCode::Conflict,
                   fmt::format("key {} was retired; a retired key is never trusted again",
                               key.id().substr(0, 16)));
    }
    if (!holds(list, key.id())) list.push_back(key);
    return {};
  };
  for (const auto& key : change.add_signing_keys) SC_TRY(add(next.signing_keys, key));
  for (const auto& key : change.add_root_keys) SC_TRY(add(next.root_keys, key));
  if (change.root_threshold) next.root_threshold = *change.root_threshold;
  if (next.signing_keys.empty() || next.root_keys.empty()) {
    return Error(ErrorCode::InvalidArgument,
                 "the next root would have no signing key or no root key left");
  }
  if (next.root_threshold > next.root_keys.size()) {
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("a threshold of {} with {} root keys", next.root_threshold,
                             next.root_keys.size()));
  }
  return sealAndWrite(dir, next, signers, &current);
}

Result<envelope::PublicKey> readAnyKey(const std::filesystem::path& path) {
  auto public_key = envelope::PublicKey::fromPemFile(path);
  if (public_key) return public_key;
  auto private_key = envelope::PrivateKey::fromPemFile(path);
  if (private_key) return private_key->publicKey();
  return std::move(public_key.error());
}

}  // namespace sc::controller::trust
