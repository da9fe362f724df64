#include "agent/resources/stat.h"

#include "agent/resources/file_support.h"
#include "common/hash.h"

namespace sc::agent {

Result<std::unique_ptr<Resource>> StatResource::create(const manifest::ResourceSpec& spec,
                                                       const ResourceContext& context) {
  std::unique_ptr<StatResource> self(new StatResource(spec, context));
  Params params(spec);
  SC_TRY_ASSIGN(self->path_, params.requiredString("path"));
  SC_TRY_ASSIGN(self->get_checksum_, params.boolean("get_checksum", true));
  SC_TRY_ASSIGN(self->algorithm_, params.string("checksum_algorithm", "sha1"));
  SC_TRY_ASSIGN(const bool follow, params.boolean("follow", false));
  if (follow) {
    return params.error("follow", "symlinks are never followed; stat the link target instead");
  }
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> StatResource::validate() const {
  Params params(spec_);
  if (auto checked = checkManagedPath(path_); !checked) {
    return params.error("path", checked.error().message(), ErrorCode::UnsafePath);
  }
  if (algorithm_ != "sha1" && algorithm_ != "sha256") {
    return params.error("checksum_algorithm",
                        fmt::format("'{}' is not supported; use sha1 or sha256", algorithm_));
  }
  return ok();
}

Result<State> StatResource::observe(Host& host) const {
  SC_TRY_ASSIGN(const FileInfo info, host.stat(path_));
  nlohmann::json stat{{"exists", info.exists()}};
  if (info.exists()) {
    stat["path"] = path_;
    stat["mode"] = modeText(info.mode);
    stat["isreg"] = info.type == FileType::Regular;
    stat["isdir"] = info.type == FileType::Directory;
    stat["islnk"] = info.type == FileType::Symlink;
    stat["isfifo"] = info.type == FileType::Fifo;
    stat["issock"] = info.type == FileType::Socket;
    stat["ischr"] = info.type == FileType::CharDevice;
    stat["isblk"] = info.type == FileType::BlockDevice;
    stat["uid"] = info.uid;
    stat["gid"] = info.gid;
    stat["pw_name"] = host.userName(info.uid);
    stat["gr_name"] = host.groupName(info.gid);
    stat["size"] = info.size;
    stat["inode"] = info.inode;
    stat["dev"] = info.device;
    stat["nlink"] = info.nlink;
    stat["mtime"] = static_cast<double>(info.mtime_ns) / 1e9;
    stat["atime"] = static_cast<double>(info.atime_ns) / 1e9;
    if (info.type == FileType::Symlink) {
      SC_TRY_ASSIGN(stat["lnk_target"], host.readLink(path_));
    }
    if (info.type == FileType::Regular && get_checksum_) {
      SC_TRY_ASSIGN(const std::string content, host.readFile(path_, context_.max_file_bytes));
      stat["checksum"] = algorithm_ == "sha256" ? sha256Hex(content) : sha1Hex(content);
    }
  }
  return State{{"stat", std::move(stat)}};
}

void StatResource::describe(const State& current, nlohmann::json& result) const {
  result["stat"] = current["stat"];
}

}  // namespace sc::agent
