#include "agent/verify/trust_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "common/fs/atomic_file.h"

namespace sc::agent {
namespace {

Result<void> store(const std::filesystem::path& state_dir, const envelope::TrustedRoot& root) {
  const auto dir = state_dir / "trust";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return errnoError(errno, "cannot create the trust directory", dir.string());
  }
  fs::AtomicWriteOptions options;
  options.mode = 0644;  // public keys only
  return fs::writeFileAtomic(trustedRootPath(state_dir), root.envelope_text, options);
}

}  // namespace

std::filesystem::path trustedRootPath(const std::filesystem::path& state_dir) {
  return state_dir / "trust" / "root.json";
}

Result<std::optional<envelope::TrustedRoot>> loadTrustedRoot(
    const std::filesystem::path& state_dir) {
  const auto path = trustedRootPath(state_dir);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return std::optional<envelope::TrustedRoot>();
  }
  SC_TRY_ASSIGN(const std::string text, fs::readFileCapped(path, envelope::kMaxRootBytes * 2));
  auto root = envelope::openRootAnchor(text);
  // A damaged root is an error, never "none": trust must not fall back.
  if (!root) return std::move(root.error()).withWhere(path.string() + ": ");
  return std::optional<envelope::TrustedRoot>(std::move(*root));
}

Result<void> installTrustedRoot(const std::filesystem::path& state_dir,
                                const envelope::TrustedRoot& root, bool replace) {
  if (!replace) {
    auto stored = loadTrustedRoot(state_dir);
    if (stored && *stored && (*stored)->document.version > root.document.version) {
      return Error(ErrorCode::Rollback,
                   fmt::format("this host trusts root version {}, newer than version {}; "
                               "--replace starts over from the older one",
                               (*stored)->document.version, root.document.version));
    }
  }
  return store(state_dir, root);
}

Result<envelope::TrustedRoot> updateTrustedRoot(const std::filesystem::path& state_dir,
                                                const std::vector<std::string>& candidates,
                                                WithoutAnchor without_anchor) {
  SC_TRY_ASSIGN(auto stored, loadTrustedRoot(state_dir));
  if (!stored && without_anchor == WithoutAnchor::InstallVersionOne) {
    for (const std::string& text : candidates) {
      auto anchor = envelope::openRootAnchor(text);
      if (!anchor || anchor->document.version != 1) continue;
      SC_TRY(store(state_dir, *anchor));
      stored = std::move(*anchor);
      break;
    }
  }
  if (!stored) {
    return Error(ErrorCode::NotFound,
                 "no root document is installed to walk from (sc-agent trust init FILE)",
                 trustedRootPath(state_dir).string());
  }
  SC_TRY_ASSIGN(envelope::TrustedRoot walked, envelope::walkRootChain(*stored, candidates));
  if (walked.document.version > stored->document.version) SC_TRY(store(state_dir, walked));
  return walked;
}

}  // namespace sc::agent
