#include "agent/host/host.h"

#include "common/limits.h"

namespace sc::agent {

std::string_view fileTypeName(FileType type) {
  switch (type) {
    case FileType::Missing:
      return "absent";
    case FileType::Regular:
      return "file";
    case FileType::Directory:
      return "directory";
    case FileType::Symlink:
      return "link";
    case FileType::Fifo:
      return "fifo";
    case FileType::Socket:
      return "socket";
    case FileType::CharDevice:
      return "character device";
    case FileType::BlockDevice:
      return "block device";
  }
  return "unknown";
}

Result<void> checkManagedPath(std::string_view path) {
  const auto bad = [&](std::string_view why) {
    return Error(ErrorCode::UnsafePath, fmt::format("bad path '{}': {}", path, why));
  };
  if (path.empty()) return bad("empty");
  if (path.front() != '/') return bad("not absolute");
  if (path.size() > limits::kMaxPathBytes) return bad("longer than PATH_MAX");
  if (path.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (path.size() > 1 && path.back() == '/') return bad("ends with '/'");
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const auto part = path.substr(start, end - start);
    if (path.size() > 1) {
      if (part.empty()) return bad("contains '//'");
      if (part == ".") return bad("contains '/./'");
      if (part == "..") return bad("contains '..'");
      if (part.size() > limits::kMaxNameBytes) return bad("a component is longer than NAME_MAX");
    }
    start = end + 1;
  }
  return ok();
}

std::string parentPath(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

}  // namespace sc::agent
