#include "common/crypto/openssl.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/stat.h>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"

namespace sc::crypto {
namespace {

constexpr std::uint64_t kMaxPemFileBytes = 64 * 1024;

void freeBio(BIO* bio) { BIO_free(bio); }

}  // namespace

std::string openSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return {};
  char text[256] = {};
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string writePem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, void (*)(BIO*)> bio(BIO_new(BIO_s_mem()), &freeBio);
  SC_CHECK(bio && write(bio.get()) == 1, "writing PEM to memory fails only on allocation failure");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::unique_ptr<BIO, void (*)(BIO*)> readBio(std::string_view text) {
  return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &freeBio};
}

Result<std::string> readPemFile(const std::filesystem::path& path, FileSecrecy secrecy) {
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errnoError(errno, "cannot open", path.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoError(errno, "cannot stat", path.string());
  if (!S_ISREG(st.st_mode)) {
    return Error(ErrorCode::UnsupportedFileType, "not a regular file", path.string());
  }
  if (secrecy == FileSecrecy::Secret && (st.st_mode & 077) != 0) {
    return Error(ErrorCode::NotPermitted,
                 fmt::format("the private key is readable by others (mode {:04o}); chmod 600 it",
                             st.st_mode & 07777),
                 path.string());
  }
  auto text = fs::readAllCapped(fd.get(), kMaxPemFileBytes);
  if (!text) return std::move(text.error()).withWhere(path.string());
  return text;
}

Result<void> writePemFile(const std::filesystem::path& path, std::string_view pem,
                          FileSecrecy secrecy, bool replace) {
  struct stat st {};
  if (!replace && ::lstat(path.c_str(), &st) == 0) {
    return Error(ErrorCode::Conflict, "the file already exists; it is never replaced",
                 path.string());
  }
  fs::AtomicWriteOptions options;
  options.mode = secrecy == FileSecrecy::Secret ? 0600 : 0644;
  return fs::writeFileAtomic(path, pem, options);
}

}  // namespace sc::crypto
