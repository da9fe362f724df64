#include "common/envelope/ed25519.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/hash.h"

namespace sc::envelope {
namespace {

constexpr std::uint64_t kMaxKeyFileBytes = 16 * 1024;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, &EVP_PKEY_free}; }

// OpenSSL's reason for the last failure, for an error's cause.
std::string openSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return {};
  char text[256] = {};
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string rawPublic(EVP_PKEY* key) {
  std::string raw(kPublicKeyBytes, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) !=
          1 ||
      length != kPublicKeyBytes) {
    return {};
  }
  return raw;
}

std::string writePem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  SC_CHECK(bio && write(bio.get()) == 1, "writing PEM to memory fails only on allocation failure");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// An Ed25519 key read from PEM text: a "PUBLIC KEY" or a "PRIVATE KEY".
Result<std::shared_ptr<EVP_PKEY>> readPem(std::string_view pem, const std::string& source,
                                          bool is_private) {
  const char* kind = is_private ? "private" : "public";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key = nullptr;
  if (bio) {
    key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  }
  if (key == nullptr) {
    return Error(ErrorCode::Parse, fmt::format("not a PEM {} key", kind), source, openSslError());
  }
  auto owned = own(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    return Error(ErrorCode::SignatureFormat, fmt::format("the {} key is not an Ed25519 key", kind),
                 source);
  }
  return owned;
}

Result<std::string> readKeyFile(const std::filesystem::path& path, bool is_private) {
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errnoError(errno, "cannot open the key file", path.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return errnoError(errno, "cannot stat the key file", path.string());
  if (is_private && (st.st_mode & 077) != 0) {
    return Error(ErrorCode::NotPermitted,
                 fmt::format("the private key is readable by others (mode {:04o}); chmod 600 it",
                             st.st_mode & 07777),
                 path.string());
  }
  auto text = fs::readAllCapped(fd.get(), kMaxKeyFileBytes);
  if (!text) return std::move(text.error()).withWhere(path.string());
  return text;
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> key, std::string raw)
    : key_(std::move(key)), raw_(std::move(raw)), id_(sha256Hex(raw_)) {}

Result<PublicKey> PublicKey::fromRaw(std::string_view raw) {
  if (raw.size() != kPublicKeyBytes) {
    return Error(
        ErrorCode::SignatureFormat,
        fmt::format("an Ed25519 public key is {} bytes, not {}", kPublicKeyBytes, raw.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  if (key == nullptr) {
    return Error(ErrorCode::SignatureFormat, "not an Ed25519 public key", {}, openSslError());
  }
  return PublicKey(own(key), std::string(raw));
}

Result<PublicKey> PublicKey::fromPem(std::string_view pem, const std::string& source) {
  SC_TRY_ASSIGN(auto key, readPem(pem, source, /*is_private=*/false));
  std::string raw = rawPublic(key.get());
  return PublicKey(std::move(key), std::move(raw));
}

Result<PublicKey> PublicKey::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, readKeyFile(path, /*is_private=*/false));
  return fromPem(text, path.string());
}

std::string PublicKey::pem() const {
  return writePem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); });
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kSignatureBytes) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  const int verified = EVP_DigestVerify(
      context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return verified == 1;
}

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key)
    : key_(std::move(key)), public_(std::move(public_key)) {}

Result<PrivateKey> PrivateKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) {
    return Error(ErrorCode::Internal, "cannot generate an Ed25519 key", {}, openSslError());
  }
  auto owned = own(key);
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key)));
  return PrivateKey(std::move(owned), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromSeed(std::string_view seed) {
  if (seed.size() != kSeedBytes) {
    return Error(ErrorCode::SignatureFormat,
                 fmt::format("an Ed25519 seed is {} bytes, not {}", kSeedBytes, seed.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) {
    return Error(ErrorCode::SignatureFormat, "not an Ed25519 seed", {}, openSslError());
  }
  auto owned = own(key);
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key)));
  return PrivateKey(std::move(owned), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem, const std::string& source) {
  SC_TRY_ASSIGN(auto key, readPem(pem, source, /*is_private=*/true));
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key.get())));
  return PrivateKey(std::move(key), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, readKeyFile(path, /*is_private=*/true));
  return fromPem(text, path.string());
}

std::string PrivateKey::pem() const {
  return writePem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::string PrivateKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  std::string signature(kSignatureBytes, '\0');
  std::size_t length = signature.size();
  SC_CHECK(context &&
               EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
               EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                              &length, reinterpret_cast<const unsigned char*>(message.data()),
                              message.size()) == 1 &&
               length == kSignatureBytes,
           "Ed25519 signing fails only on allocation failure");
  return signature;
}

Result<void> writeKeyPair(const PrivateKey& key, const std::filesystem::path& path) {
  const auto dir_path = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  fs::UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errnoError(errno, "cannot open the directory", dir_path.string());
  struct stat st {};
  if (::fstatat(dir.get(), path.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return Error(ErrorCode::Conflict, "a key already exists there; it is never replaced",
                 path.string());
  }
  fs::AtomicWriteOptions secret;
  secret.mode = 0600;
  if (auto written = fs::writeFileAtomicAt(dir.get(), path.filename().string(), key.pem(), secret);
      !written) {
    return std::move(written.error()).withWhere(path.string());
  }
  const std::string pub = path.filename().string() + ".pub";
  if (auto written = fs::writeFileAtomicAt(dir.get(), pub, key.publicKey().pem(), {}); !written) {
    return std::move(written.error()).withWhere((dir_path / pub).string());
  }
  return {};
}

}  // namespace sc::envelope
