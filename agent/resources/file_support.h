// What the kinds that manage files share: owner/group/mode parameters
// (octal or symbolic, as Ansible and chmod(1) spell them), their part of
// observe and diff, and writing a whole file the safe way (backup, then
// validate the staged copy, then atomic replace).
#pragma once

#include <optional>
#include <string>

#include "agent/host/host.h"
#include "agent/resources/params.h"
#include "agent/resources/resource.h"

namespace sc::agent {

// Parses an octal ("0644", "644", "1777") or symbolic ("u=rw,g=r,o=",
// "u+x", "a-w", "go=rX") mode and applies it to `current`. `is_directory`
// matters for X.
Result<mode_t> resolveMode(std::string_view spec, mode_t current, bool is_directory);

// "0644".
std::string modeText(mode_t mode);

class AttrSpec {
 public:
  // Reads `owner`, `group` and `mode` and checks their syntax (B-08).
  static Result<AttrSpec> read(Params& params);

  bool empty() const { return !owner_ && !group_ && !mode_; }
  const std::optional<std::string>& mode() const { return mode_; }

  // Adds "owner", "group", "mode" of `info` and the desired ids
  // ("want_uid", "want_gid") to `state`. Unknown users and groups fail.
  Result<void> observe(Host& host, const FileInfo& info, State& state) const;

  // Appends owner/group/mode changes between `state` and the desired
  // attributes; `base_mode` is the mode the file has or will be born with.
  void diff(const State& state, mode_t base_mode, bool is_directory, Diff& out) const;

  // The attributes to give a file, from the changes in `diff` and `state`.
  FileAttrs fromDiff(const Diff& diff, const State& state) const;

  // Desired attributes for a new file: all that are set.
  FileAttrs forNewFile(const State& state, mode_t base_mode, bool is_directory) const;

  std::string fingerprint() const;

 private:
  std::optional<std::string> owner_;
  std::optional<std::string> group_;
  std::optional<std::string> mode_;
};

// Reads a managed text file for the editing kinds: missing is allowed (the
// state says "exists": false), other non-regular types fail.
Result<State> observeFile(Host& host, const std::string& path, std::uint64_t max_bytes,
                          const AttrSpec& attrs, bool read_content);

// Writes `content` to `path` as one atomic replacement: keeps the old bytes
// in the backup store first, optionally an Ansible-style `path.<ts>~` copy
// (backup: true), then runs `validate` ("visudo -cf %s") on the staged file.
struct WriteRequest {
  const std::string* path;
  std::string_view content;
  FileAttrs attrs;
  const State* current;  // from observeFile()
  std::optional<std::string> validate;
  bool backup_file = false;  // Ansible's `backup: yes`
  bool no_log = false;
};
Result<void> writeManagedFile(Host& host, const ResourceContext& context,
                              const WriteRequest& request, nlohmann::json& result);

// Splits a validate template into argv; "%s" must stand alone as one
// argument and appear exactly once (SECURITY.md T-27).
Result<std::vector<std::string>> splitValidateCommand(const std::string& command);

// Unified diff of text content, or a one-line note for binary content.
std::string contentDiff(std::string_view before, std::string_view after, const std::string& path);

// The change for a file that does not exist yet ("state" absent -> file)
// and for one whose bytes differ ("content", short sha256 before/after);
// both carry the diff and are redacted under no_log.
Change creationChange(std::string_view content, const std::string& path);
Change contentChange(std::string_view have, std::string_view want, const std::string& path);

}  // namespace sc::agent
