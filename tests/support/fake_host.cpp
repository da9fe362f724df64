#include "tests/support/fake_host.h"

namespace sc::testing {

using agent::FileInfo;
using agent::FileType;

FakeHost::FakeHost() { nodes_["/"] = Node{FileType::Directory, {}, 0755, 0, 0, 0, 0, 1}; }

void FakeHost::addNode(const std::string& path, Node node) {
  if (node.inode == 0) node.inode = next_inode_++;
  node.mtime_ns = node.atime_ns = now_ns_;
  nodes_[path] = std::move(node);
}

void FakeHost::addDirectory(const std::string& path, mode_t mode) {
  if (path != "/" && !nodes_.contains(agent::parentPath(path)))
    addDirectory(agent::parentPath(path));
  addNode(path, Node{FileType::Directory, {}, mode, 0, 0, 0, 0, 0});
}

void FakeHost::addFile(const std::string& path, std::string content, mode_t mode) {
  if (!nodes_.contains(agent::parentPath(path))) addDirectory(agent::parentPath(path));
  addNode(path, Node{FileType::Regular, std::move(content), mode, 0, 0, 0, 0, 0});
}

void FakeHost::addSymlink(const std::string& path, std::string target) {
  if (!nodes_.contains(agent::parentPath(path))) addDirectory(agent::parentPath(path));
  addNode(path, Node{FileType::Symlink, std::move(target), 0777, 0, 0, 0, 0, 0});
}

const FakeHost::Node* FakeHost::find(const std::string& path) const {
  const auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

FakeHost::Node* FakeHost::findMutable(const std::string& path) {
  const auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

Result<void> FakeHost::checkParent(const std::string& path) const {
  SC_TRY(agent::checkManagedPath(path));
  // Like PosixHost: no component may be a symlink, and parents must exist.
  for (std::string parent = agent::parentPath(path);; parent = agent::parentPath(parent)) {
    const Node* node = find(parent);
    if (node == nullptr) {
      return Error(ErrorCode::NotFound, fmt::format("'{}' does not exist", parent));
    }
    if (node->type == FileType::Symlink) {
      return Error(ErrorCode::UnsafePath, fmt::format("'{}' is a symlink", parent));
    }
    if (node->type != FileType::Directory) {
      return Error(ErrorCode::Conflict, fmt::format("'{}' is not a directory", parent));
    }
    if (parent == "/") break;
  }
  return ok();
}

Result<FileInfo> FakeHost::stat(const std::string& path) {
  if (auto parent = checkParent(path); !parent && path != "/") {
    if (parent.error().code() == ErrorCode::NotFound) return FileInfo{};
    return parent.error();
  }
  const Node* node = find(path);
  if (node == nullptr) return FileInfo{};
  FileInfo info;
  info.type = node->type;
  info.mode = node->mode;
  info.uid = node->uid;
  info.gid = node->gid;
  info.size = node->content.size();
  info.inode = node->inode;
  info.device = 1;
  info.nlink = 1;
  for (const auto& [p, other] : nodes_) {
    if (p != path && other.inode == node->inode) ++info.nlink;
  }
  info.mtime_ns = node->mtime_ns;
  info.atime_ns = node->atime_ns;
  return info;
}

Result<std::string> FakeHost::readFile(const std::string& path, std::uint64_t max_bytes) {
  SC_TRY(checkParent(path));
  const Node* node = find(path);
  if (node == nullptr) return Error(ErrorCode::NotFound, fmt::format("'{}' does not exist", path));
  if (node->type == FileType::Symlink) {
    return Error(ErrorCode::UnsafePath, fmt::format("'{}' is a symlink", path));
  }
  if (node->type != FileType::Regular) {
    return Error(ErrorCode::UnsupportedFileType, fmt::format("'{}' is not a regular file", path));
  }
  if (node->content.size() > max_bytes) {
    return Error(ErrorCode::TooLarge, fmt::format("'{}' is over the limit", path));
  }
  return node->content;
}

Result<std::string> FakeHost::readLink(const std::string& path) {
  const Node* node = find(path);
  if (node == nullptr || node->type != FileType::Symlink) {
    return Error(ErrorCode::Io, fmt::format("'{}' is not a link", path));
  }
  return node->content;
}

Result<uid_t> FakeHost::userId(const std::string& name) {
  if (const auto it = users_.find(name); it != users_.end()) return it->second;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return static_cast<uid_t>(std::stoul(name));
  }
  return Error(ErrorCode::NotFound, fmt::format("unknown user '{}'", name));
}

Result<gid_t> FakeHost::groupId(const std::string& name) {
  if (const auto it = groups_.find(name); it != groups_.end()) return it->second;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return static_cast<gid_t>(std::stoul(name));
  }
  return Error(ErrorCode::NotFound, fmt::format("unknown group '{}'", name));
}

std::string FakeHost::userName(uid_t uid) {
  for (const auto& [name, id] : users_) {
    if (id == uid) return name;
  }
  return std::to_string(uid);
}

std::string FakeHost::groupName(gid_t gid) {
  for (const auto& [name, id] : groups_) {
    if (id == gid) return name;
  }
  return std::to_string(gid);
}

Result<void> FakeHost::writeFile(const std::string& path, std::string_view content,
                                 const agent::FileAttrs& attrs,
                                 const agent::BeforeCommit& before_commit) {
  SC_TRY(checkParent(path));
  Node* existing = findMutable(path);
  if (existing != nullptr && existing->type == FileType::Directory) {
    return Error(ErrorCode::Conflict, fmt::format("'{}' is a directory", path));
  }
  Node node{FileType::Regular,
            std::string(content),
            attrs.mode.value_or(0644),
            attrs.uid.value_or(0),
            attrs.gid.value_or(0),
            0,
            0,
            0};
  if (existing != nullptr && existing->type == FileType::Regular) {
    if (!attrs.mode) node.mode = existing->mode;
    if (!attrs.uid) node.uid = existing->uid;
    if (!attrs.gid) node.gid = existing->gid;
  }
  if (before_commit) SC_TRY(before_commit(realPath(path) + ".staged"));
  touchGeneration();
  addNode(path, std::move(node));
  return ok();
}

Result<void> FakeHost::makeDirectory(const std::string& path, const agent::FileAttrs& attrs) {
  SC_TRY(checkParent(path));
  if (const Node* node = find(path); node != nullptr) {
    if (node->type == FileType::Directory) return ok();
    return Error(ErrorCode::Conflict, fmt::format("'{}' exists", path));
  }
  touchGeneration();
  addNode(path, Node{FileType::Directory,
                     {},
                     attrs.mode.value_or(0755),
                     attrs.uid.value_or(0),
                     attrs.gid.value_or(0),
                     0,
                     0,
                     0});
  return ok();
}

Result<void> FakeHost::setAttrs(const std::string& path, const agent::FileAttrs& attrs) {
  SC_TRY(checkParent(path));
  Node* node = findMutable(path);
  if (node == nullptr) return Error(ErrorCode::NotFound, fmt::format("'{}' does not exist", path));
  touchGeneration();
  if (attrs.mode && node->type != FileType::Symlink) node->mode = *attrs.mode;
  if (attrs.uid) node->uid = *attrs.uid;
  if (attrs.gid) node->gid = *attrs.gid;
  return ok();
}

Result<void> FakeHost::makeSymlink(const std::string& path, const std::string& target) {
  SC_TRY(checkParent(path));
  touchGeneration();
  addNode(path, Node{FileType::Symlink, target, 0777, 0, 0, 0, 0, 0});
  return ok();
}

Result<void> FakeHost::makeHardLink(const std::string& path, const std::string& existing) {
  SC_TRY(checkParent(path));
  const Node* source = find(existing);
  if (source == nullptr)
    return Error(ErrorCode::NotFound, fmt::format("'{}' does not exist", existing));
  touchGeneration();
  nodes_[path] = *source;
  return ok();
}

Result<void> FakeHost::remove(const std::string& path) {
  SC_TRY(checkParent(path));
  touchGeneration();
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    const bool inside = it->first == path || (it->first.size() > path.size() &&
                                              it->first.compare(0, path.size(), path) == 0 &&
                                              it->first[path.size()] == '/');
    it = inside ? nodes_.erase(it) : std::next(it);
  }
  return ok();
}

Result<void> FakeHost::setTimes(const std::string& path, std::int64_t atime_ns,
                                std::int64_t mtime_ns) {
  Node* node = findMutable(path);
  if (node == nullptr) return Error(ErrorCode::NotFound, fmt::format("'{}' does not exist", path));
  touchGeneration();
  node->atime_ns = atime_ns;
  node->mtime_ns = mtime_ns;
  return ok();
}

Result<agent::CommandResult> FakeHost::run(const agent::Command& command) {
  commands_.push_back(command);
  if (script_) return script_(command, *this);
  return agent::CommandResult{0, "", "", false};
}

}  // namespace sc::testing
