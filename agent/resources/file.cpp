#include "agent/resources/file.h"

#include <ctime>

namespace sc::agent {
namespace {

std::string_view wantedName(int wanted) {
  static constexpr std::string_view kNames[] = {"",     "file",   "directory", "link",
                                                "hard", "absent", "touch"};
  return kNames[wanted];
}

// Ansible's time format: YYYYMMDDHHMM.SS, local time.
Result<std::int64_t> parseStamp(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y%m%d%H%M.%S", &tm);
  if (end == nullptr || *end != '\0') {
    return Error(ErrorCode::Schema,
                 fmt::format("bad time '{}': expected 'preserve', 'now' or YYYYMMDDHHMM.SS", text));
  }
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(::mktime(&tm)) * 1'000'000'000LL;
}

}  // namespace

Result<std::unique_ptr<Resource>> FileResource::create(const manifest::ResourceSpec& spec,
                                                       const ResourceContext& context) {
  std::unique_ptr<FileResource> self(new FileResource(spec, context));
  Params params(spec);
  SC_TRY_ASSIGN(self->path_, params.requiredString("path"));
  SC_TRY_ASSIGN(const auto state, params.optionalString("state"));
  if (state) {
    static constexpr std::pair<std::string_view, Wanted> kStates[] = {
        {"file", Wanted::File}, {"directory", Wanted::Directory}, {"link", Wanted::Link},
        {"hard", Wanted::Hard}, {"absent", Wanted::Absent},       {"touch", Wanted::Touch}};
    bool known = false;
    for (const auto& [name, value] : kStates) {
      if (*state == name) {
        self->wanted_ = value;
        known = true;
      }
    }
    if (!known) {
      return params.error("state",
                          fmt::format("unknown state '{}'; expected file, directory, link, hard, "
                                      "absent or touch",
                                      *state));
    }
  }
  SC_TRY_ASSIGN(self->src_, params.string("src", ""));
  SC_TRY_ASSIGN(self->force_, params.boolean("force", false));
  SC_TRY_ASSIGN(self->attrs_, AttrSpec::read(params));
  const TimeSpec::Kind default_time =
      self->wanted_ == Wanted::Touch ? TimeSpec::Kind::Now : TimeSpec::Kind::Preserve;
  for (auto [key, slot] :
       {std::pair{"modification_time", &self->mtime_}, std::pair{"access_time", &self->atime_}}) {
    SC_TRY_ASSIGN(const auto value, params.optionalString(key));
    slot->kind = default_time;
    if (!value) continue;
    if (*value == "preserve") {
      slot->kind = TimeSpec::Kind::Preserve;
    } else if (*value == "now") {
      slot->kind = TimeSpec::Kind::Now;
    } else {
      auto at = parseStamp(*value);
      if (!at) return params.error(key, at.error().message());
      slot->kind = TimeSpec::Kind::At;
      slot->at_ns = *at;
    }
  }
  if (params.has("recurse")) {
    SC_TRY_ASSIGN(const bool recurse, params.boolean("recurse", false));
    if (recurse) return params.error("recurse", "is not supported yet; manage each path");
  }
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> FileResource::validate() const {
  Params params(spec_);
  if (auto checked = checkManagedPath(path_); !checked) {
    return params.error("path", checked.error().message(), ErrorCode::UnsafePath);
  }
  if (path_ == "/" && wanted_ == Wanted::Absent) {
    return params.error("path", "refusing to remove '/'");
  }
  const bool link = wanted_ == Wanted::Link || wanted_ == Wanted::Hard;
  if (link && src_.empty()) return params.error("src", "is required for state link and hard");
  if (!link && !src_.empty()) return params.error("src", "is only used with state link or hard");
  if (wanted_ == Wanted::Hard) {
    if (auto checked = checkManagedPath(src_); !checked) {
      return params.error("src", checked.error().message(), ErrorCode::UnsafePath);
    }
  }
  if (src_.find('\0') != std::string::npos) return params.error("src", "contains a NUL byte");
  if (wanted_ == Wanted::Hard && !attrs_.empty()) {
    // Owner and mode are never changed through a file with several names
    // (SECURITY.md T-22); set them on src.
    return params.error("mode",
                        "owner, group and mode cannot be set with state hard; set them on src");
  }
  if (wanted_ == Wanted::Absent && !attrs_.empty()) {
    return params.error("mode", "owner, group and mode make no sense with state absent");
  }
  return ok();
}

FileResource::Wanted FileResource::effective(const State& current) const {
  if (wanted_ != Wanted::Default) return wanted_;
  const std::string type = current.value("type", "absent");
  if (type == "directory") return Wanted::Directory;
  // A symlink without `state` is treated as a file (and refused by observe
  // with a clear message): managing a link needs state: link and src.
  return Wanted::File;
}

Result<State> FileResource::observe(Host& host) const {
  SC_TRY_ASSIGN(const FileInfo info, host.stat(path_));
  State state = State::object();
  state["type"] = fileTypeName(info.type);
  const Wanted wanted = effective(state);
  const bool special = info.type == FileType::Fifo || info.type == FileType::Socket ||
                       info.type == FileType::CharDevice || info.type == FileType::BlockDevice;
  if (special && wanted != Wanted::Absent) {
    return Error(ErrorCode::UnsupportedFileType, fmt::format("'{}' is a {}; refusing to manage it",
                                                             path_, fileTypeName(info.type)));
  }
  if (info.exists()) {
    state["mtime_ns"] = info.mtime_ns;
    state["atime_ns"] = info.atime_ns;
    state["inode"] = info.inode;
    state["device"] = info.device;
    state["nlink"] = info.nlink;
    state["mode_bits"] = info.mode;
  }
  if (info.type == FileType::Symlink) {
    SC_TRY_ASSIGN(state["link_target"], host.readLink(path_));
  }
  switch (wanted) {
    case Wanted::File:
      if (!info.exists()) {
        return Error(ErrorCode::NotFound,
                     fmt::format("'{}' does not exist; use state touch to create it, or copy "
                                 "or template to give it content",
                                 path_));
      }
      if (info.type != FileType::Regular) {
        return Error(ErrorCode::Conflict,
                     fmt::format("'{}' is a {}, not a file{}", path_, fileTypeName(info.type),
                                 info.type == FileType::Symlink
                                     ? "; use state: link with src to manage a link"
                                     : ""));
      }
      break;
    case Wanted::Directory:
      if (info.exists() && info.type != FileType::Directory) {
        return Error(ErrorCode::Conflict, fmt::format("'{}' exists and is a {}, not a directory",
                                                      path_, fileTypeName(info.type)));
      }
      if (!info.exists()) {
        // Ancestors to create, outermost first (created like `mkdir -p`).
        nlohmann::json missing = nlohmann::json::array();
        for (std::string parent = parentPath(path_); parent != "/"; parent = parentPath(parent)) {
          SC_TRY_ASSIGN(const FileInfo parent_info, host.stat(parent));
          if (parent_info.type == FileType::Directory) break;
          if (parent_info.exists()) {
            return Error(ErrorCode::Conflict,
                         fmt::format("'{}' is a {}, so '{}' cannot be created", parent,
                                     fileTypeName(parent_info.type), path_));
          }
          missing.insert(missing.begin(), parent);
        }
        state["missing_parents"] = std::move(missing);
      }
      break;
    case Wanted::Touch:
    case Wanted::Link:
    case Wanted::Hard: {
      if (info.type == FileType::Directory && wanted != Wanted::Touch) {
        return Error(ErrorCode::Conflict,
                     fmt::format("'{}' is a directory; refusing to replace it with a link", path_));
      }
      SC_TRY_ASSIGN(const FileInfo parent, host.stat(parentPath(path_)));
      if (parent.type != FileType::Directory) {
        return Error(ErrorCode::NotFound,
                     fmt::format("parent directory of '{}' does not exist", path_));
      }
      if (wanted == Wanted::Hard) {
        SC_TRY_ASSIGN(const FileInfo source, host.stat(src_));
        if (!source.exists()) {
          return Error(ErrorCode::NotFound,
                       fmt::format("hard link source '{}' does not exist", src_));
        }
        state["src_inode"] = source.inode;
        state["src_device"] = source.device;
      }
      const bool replaceable =
          info.type == FileType::Regular && (wanted == Wanted::Link || wanted == Wanted::Hard);
      if (replaceable && !force_ && !(wanted == Wanted::Hard && state["src_inode"] == info.inode)) {
        return Error(
            ErrorCode::Conflict,
            fmt::format("'{}' is a file; set force: true to replace it with a link", path_));
      }
      break;
    }
    default:
      break;
  }
  SC_TRY(attrs_.observe(host, info, state));
  state["now_ns"] = host.nowNs();
  return state;
}

Diff FileResource::diff(const State& current) const {
  Diff out;
  const Wanted wanted = effective(current);
  const std::string type = current.value("type", "absent");
  const bool exists = type != "absent";
  if (wanted == Wanted::Absent) {
    if (exists) out.changes.push_back({"state", type, "absent", {}, false});
    return out;
  }
  bool creating = false;
  switch (wanted) {
    case Wanted::Directory:
      creating = !exists;
      if (creating) out.changes.push_back({"state", "absent", "directory", {}, false});
      break;
    case Wanted::Touch:
      creating = !exists;
      if (creating) out.changes.push_back({"state", "absent", "file", {}, false});
      break;
    case Wanted::Link:
      if (type != "link") {
        creating = true;
        out.changes.push_back({"state", type, "link", {}, false});
      } else if (current.value("link_target", "") != src_) {
        out.changes.push_back({"target", current.value("link_target", ""), src_, {}, false});
      }
      break;
    case Wanted::Hard:
      if (!exists || current.value("inode", std::uint64_t{0}) != current["src_inode"] ||
          current.value("device", std::uint64_t{0}) != current["src_device"]) {
        creating = true;
        out.changes.push_back({"state", type, "hard", {}, false});
      }
      break;
    default:
      break;
  }
  const bool is_dir = wanted == Wanted::Directory;
  if (wanted == Wanted::Link) {
    // A symlink's mode means nothing on Linux; only its owner is managed.
    Diff attr_diff;
    attrs_.diff(current, 0777, false, attr_diff);
    for (auto& change : attr_diff.changes) {
      if (change.field != "mode") out.changes.push_back(std::move(change));
    }
  } else {
    const mode_t base =
        creating ? (is_dir ? 0755 : 0644) : current.value("mode_bits", mode_t{0644});
    if (creating) {
      State fresh = current;
      fresh.erase("mode");
      attrs_.diff(fresh, base, is_dir, out);
    } else {
      attrs_.diff(current, base, is_dir, out);
    }
  }
  if (wanted == Wanted::Touch || (exists && wanted != Wanted::Link)) {
    const bool touch_times =
        mtime_.kind != TimeSpec::Kind::Preserve || atime_.kind != TimeSpec::Kind::Preserve;
    if (touch_times) {
      const auto want = [&](const TimeSpec& spec, std::int64_t have) {
        switch (spec.kind) {
          case TimeSpec::Kind::Now:
            return current.value("now_ns", std::int64_t{0});
          case TimeSpec::Kind::At:
            return spec.at_ns;
          default:
            return have;
        }
      };
      const std::int64_t have_m = current.value("mtime_ns", std::int64_t{0});
      const std::int64_t have_a = current.value("atime_ns", std::int64_t{0});
      const std::int64_t want_m = want(mtime_, have_m);
      const std::int64_t want_a = want(atime_, have_a);
      // "now" always changes the times, as `touch` does (Ansible reports
      // changed for every touch unless both times are preserve).
      const bool now = mtime_.kind == TimeSpec::Kind::Now || atime_.kind == TimeSpec::Kind::Now;
      if (now || creating || want_m != have_m || want_a != have_a) {
        out.changes.push_back({"times",
                               fmt::format("{}/{}", have_a, have_m),
                               fmt::format("{}/{}", want_a, want_m),
                               {},
                               false});
      }
    }
  }
  return out;
}

Result<void> FileResource::createParents(Host& host, const State& current) const {
  if (!current.contains("missing_parents")) return ok();
  const FileAttrs attrs = attrs_.forNewFile(current, 0755, true);
  for (const auto& parent : current["missing_parents"]) {
    SC_TRY(host.makeDirectory(parent.get<std::string>(), attrs));
  }
  return ok();
}

Result<void> FileResource::apply(Host& host, const State& current, const Diff& diff,
                                 nlohmann::json& /*result*/) {
  const Wanted wanted = effective(current);
  const std::string type = current.value("type", "absent");
  if (diff.has("state")) {
    if (wanted == Wanted::Absent || (type != "absent" && type != "directory" &&
                                     (wanted == Wanted::Link || wanted == Wanted::Hard))) {
      if (type == "file" && context_.backup) {
        SC_TRY_ASSIGN(const std::string old, host.readFile(path_, context_.max_file_bytes));
        FileInfo info;
        info.mode = current.value("mode_bits", mode_t{0644});
        info.uid = current.value("uid", uid_t{0});
        info.gid = current.value("gid", gid_t{0});
        SC_TRY(context_.backup(path_, old, info));
      }
      if (wanted == Wanted::Absent) return host.remove(path_);
    }
  }
  const bool is_dir = wanted == Wanted::Directory;
  FileAttrs attrs = diff.has("state") ? attrs_.forNewFile(current, is_dir ? 0755 : 0644, is_dir)
                                      : attrs_.fromDiff(diff, current);
  if (diff.has("state")) {
    switch (wanted) {
      case Wanted::Directory:
        SC_TRY(createParents(host, current));
        SC_TRY(host.makeDirectory(path_, attrs));
        attrs = {};
        break;
      case Wanted::Touch:
        SC_TRY(host.writeFile(path_, "", attrs, {}));
        attrs = {};
        break;
      case Wanted::Link:
        SC_TRY(host.makeSymlink(path_, src_));
        attrs.mode.reset();
        break;
      case Wanted::Hard:
        SC_TRY(host.makeHardLink(path_, src_));
        break;
      default:
        break;
    }
  } else if (diff.has("target")) {
    SC_TRY(host.makeSymlink(path_, src_));
  }
  if (attrs.mode || attrs.uid || attrs.gid) SC_TRY(host.setAttrs(path_, attrs));
  if (const auto* times = diff.find("times")) {
    const auto slash = times->after.find('/');
    SC_TRY(host.setTimes(path_, std::stoll(times->after.substr(0, slash)),
                         std::stoll(times->after.substr(slash + 1))));
  }
  return ok();
}

std::vector<PathClaim> FileResource::claims() const {
  if (wanted_ == Wanted::Default || wanted_ == Wanted::File) return {};
  return {{path_,
           fmt::format("file:{}:{}:{}", wantedName(static_cast<int>(wanted_)), src_,
                       attrs_.fingerprint()),
           wanted_ == Wanted::Directory}};
}

}  // namespace sc::agent
