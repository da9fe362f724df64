#include "agent/resources/copy.h"

#include <openssl/evp.h>

#include "common/hash.h"

namespace sc::agent {
namespace {

Result<std::string> decodeBase64(const std::string& text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  if (clean.size() % 4 != 0)
    return Error(ErrorCode::Schema, "base64 length is not a multiple of 4");
  std::string out(clean.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(clean.data()),
                                     static_cast<int>(clean.size()));
  if (length < 0) return Error(ErrorCode::Schema, "not valid base64");
  std::size_t padding = 0;
  if (!clean.empty() && clean.back() == '=') ++padding;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

}  // namespace

Result<std::unique_ptr<Resource>> CopyResource::create(const manifest::ResourceSpec& spec,
                                                       const ResourceContext& context) {
  std::unique_ptr<CopyResource> self(new CopyResource(spec, context));
  Params params(spec);
  SC_TRY_ASSIGN(self->dest_, params.requiredString("dest"));
  SC_TRY_ASSIGN(const auto content, params.optionalString("content"));
  SC_TRY_ASSIGN(const auto content_base64, params.optionalString("content_base64"));
  SC_TRY_ASSIGN(const auto src, params.optionalString("src"));
  SC_TRY_ASSIGN(const bool remote_src, params.boolean("remote_src", false));
  const int sources = (content ? 1 : 0) + (content_base64 ? 1 : 0) + (src ? 1 : 0);
  if (sources != 1) {
    return params.error(content ? "content" : "src",
                        "exactly one of content, content_base64 or src (with remote_src: true) "
                        "is required");
  }
  if (src && !remote_src) {
    return params.error("src",
                        "controller-side sources are embedded by the compiler as content; on the "
                        "agent src needs remote_src: true");
  }
  if (content) self->content_ = *content;
  if (content_base64) {
    auto decoded = decodeBase64(*content_base64);
    if (!decoded) return params.error("content_base64", decoded.error().message());
    self->content_ = std::move(*decoded);
  }
  if (src) self->remote_src_ = *src;
  if (self->content_.size() > context.max_file_bytes) {
    return params.error(content_base64 ? "content_base64" : "content",
                        fmt::format("is {} bytes, over the limit of {}", self->content_.size(),
                                    context.max_file_bytes),
                        ErrorCode::TooLarge);
  }
  SC_TRY_ASSIGN(self->checksum_, params.optionalString("checksum"));
  SC_TRY_ASSIGN(self->validate_, params.optionalString("validate"));
  SC_TRY_ASSIGN(self->force_, params.boolean("force", true));
  SC_TRY_ASSIGN(self->backup_, params.boolean("backup", false));
  SC_TRY_ASSIGN(self->attrs_, AttrSpec::read(params));
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> CopyResource::validate() const {
  Params params(spec_);
  if (auto checked = checkManagedPath(dest_); !checked) {
    return params.error("dest", checked.error().message(), ErrorCode::UnsafePath);
  }
  if (remote_src_) {
    if (auto checked = checkManagedPath(*remote_src_); !checked) {
      return params.error("src", checked.error().message(), ErrorCode::UnsafePath);
    }
  }
  if (checksum_) {
    const bool hex = checksum_->size() == 64 &&
                     checksum_->find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) return params.error("checksum", "expected 64 lowercase hex digits (sha256)");
    // The artifact must be exactly what was signed (SECURITY.md T-06).
    if (!remote_src_ && sha256Hex(content_) != *checksum_) {
      return params.error("checksum", "content does not match its sha256 checksum");
    }
  }
  if (validate_) {
    if (auto argv = splitValidateCommand(*validate_); !argv) {
      return params.error("validate", argv.error().message());
    }
  }
  return ok();
}

const std::string& CopyResource::desiredContent(const State& current) const {
  if (remote_src_ && current.contains("source_content")) {
    return current["source_content"].get_ref<const std::string&>();
  }
  return content_;
}

Result<State> CopyResource::observe(Host& host) const {
  SC_TRY_ASSIGN(State state, observeFile(host, dest_, context_.max_file_bytes, attrs_, true));
  if (remote_src_) {
    SC_TRY_ASSIGN(std::string source, host.readFile(*remote_src_, context_.max_file_bytes));
    if (checksum_ && sha256Hex(source) != *checksum_) {
      return Error(ErrorCode::Conflict,
                   fmt::format("'{}' does not match the expected sha256 checksum", *remote_src_));
    }
    state["source_content"] = std::move(source);
  }
  SC_TRY_ASSIGN(const FileInfo parent, host.stat(parentPath(dest_)));
  if (parent.type != FileType::Directory) {
    return Error(ErrorCode::NotFound,
                 fmt::format("destination directory '{}' does not exist", parentPath(dest_)));
  }
  return state;
}

Diff CopyResource::diff(const State& current) const {
  Diff out;
  const std::string& want = desiredContent(current);
  const bool exists = current.value("exists", false);
  if (!exists) {
    out.changes.push_back(creationChange(want, dest_));
  } else if (!force_) {
    // Ansible's copy leaves an existing dest alone with force: false, mode and owner included.
    return out;
  } else if (const auto& have = current["content"].get_ref<const std::string&>(); have != want) {
    out.changes.push_back(contentChange(have, want, dest_));
  }
  const mode_t base = exists ? current.value("mode_bits", mode_t{0644}) : mode_t{0644};
  attrs_.diff(current, base, false, out);
  return out;
}

Result<void> CopyResource::apply(Host& host, const State& current, const Diff& diff,
                                 nlohmann::json& result) {
  if (diff.has("state") || diff.has("content")) {
    const bool exists = current.value("exists", false);
    const mode_t base = exists ? current.value("mode_bits", mode_t{0644}) : mode_t{0644};
    WriteRequest request;
    request.path = &dest_;
    request.content = desiredContent(current);
    request.attrs = attrs_.forNewFile(current, base, false);
    request.current = &current;
    request.validate = validate_;
    request.backup_file = backup_;
    request.no_log = spec_.no_log;
    return writeManagedFile(host, context_, request, result);
  }
  const FileAttrs attrs = attrs_.fromDiff(diff, current);
  return host.setAttrs(dest_, attrs);
}

void CopyResource::describe(const State& current, nlohmann::json& result) const {
  result["dest"] = dest_;
  result["size"] = desiredContent(current).size();
}

std::vector<PathClaim> CopyResource::claims() const {
  const std::string content_id = remote_src_ ? "src:" + *remote_src_ : fastHashHex(content_);
  return {{dest_, fmt::format("copy:{}:{}:{}", content_id, force_, attrs_.fingerprint()), false}};
}

}  // namespace sc::agent
