// Small helpers every OpenSSL user in smartcookies shares: the library's
// last error as text, PEM written to a string, and PEM files read with a
// size cap (and, for secrets, a refusal of files others may read).
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::crypto {

// OpenSSL's reason for its last failure (for an Error's cause); clears the
// error queue so later calls start clean.
std::string openSslError();

// The text a PEM writer (PEM_write_bio_...) puts into a memory BIO.
std::string writePem(const std::function<int(BIO*)>& write);

// A memory BIO reading `text` (no copy: `text` must outlive it).
std::unique_ptr<BIO, void (*)(BIO*)> readBio(std::string_view text);

enum class FileSecrecy { Public, Secret };

// Reads a PEM file of at most 64 KiB, never through a symlink. A Secret
// file that its group or others may read is refused: chmod 600 it.
Result<std::string> readPemFile(const std::filesystem::path& path, FileSecrecy secrecy);

// Writes a new file atomically (mode 0600 for a Secret, 0644 otherwise).
// Refuses to replace an existing file when `replace` is false: keys and
// certificates are never overwritten by accident.
Result<void> writePemFile(const std::filesystem::path& path, std::string_view pem,
                          FileSecrecy secrecy, bool replace);

}  // namespace sc::crypto
