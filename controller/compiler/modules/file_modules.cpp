// file, copy and template: the modules that own a path's content or type.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text/utf8.h"
#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/module.h"

namespace sc::controller::modules {
namespace {

const std::vector<ArgSpec>& attributeSpecs() {
  static const std::vector<ArgSpec> specs{
      {"owner", ArgType::String}, {"group", ArgType::String}, {"mode", ArgType::Mode}};
  return specs;
}

std::vector<ArgSpec> withAttributes(std::vector<ArgSpec> specs) {
  const auto& attributes = attributeSpecs();
  specs.insert(specs.end(), attributes.begin(), attributes.end());
  return specs;
}

// Whether `bytes` is valid UTF-8 (then it travels as `content`, else as
// `content_base64`).
std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> readControllerFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error(
        ErrorCode::Schema,
        fmt::format("copying the directory '{}' is not supported yet; copy its files", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::NotFound, fmt::format("cannot read '{}'", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A destination ending in '/' names the directory the file goes into.
std::string destinationFor(std::string dest, std::string_view src) {
  if (!dest.empty() && dest.back() == '/' && !src.empty()) {
    dest += std::filesystem::path(std::string(src)).filename().string();
  }
  return dest;
}

}  // namespace

Result<CompiledResource> compileFile(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = withAttributes({
      {"path", ArgType::String, {"dest", "name"}, true},
      {"state", ArgType::String},
      {"src", ArgType::String},
      {"force", ArgType::Bool},
      {"recurse", ArgType::Bool},
      {"modification_time", ArgType::String},
      {"access_time", ArgType::String},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("file", args, specs, context.omit()));
  return CompiledResource{"file", std::move(params)};
}

Result<CompiledResource> compileCopy(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = withAttributes({
      {"dest", ArgType::String, {}, true},
      {"src", ArgType::String},
      {"content", ArgType::String},
      {"remote_src", ArgType::Bool},
      {"force", ArgType::Bool, {"thirsty"}},
      {"backup", ArgType::Bool},
      {"validate", ArgType::String},
      {"checksum", ArgType::String},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("copy", args, specs, context.omit()));
  const bool remote = params.value("remote_src", false);
  if (params.contains("src") && !remote) {
    if (params.contains("content")) {
      return Error(ErrorCode::Schema, "module 'copy': src and content are mutually exclusive");
    }
    const std::string src = params["src"].get<std::string>();
    SC_TRY_ASSIGN(const std::string path, context.findSource(src, "files"));
    SC_TRY_ASSIGN(const std::string bytes, readControllerFile(path));
    params.erase("src");
    params["dest"] = destinationFor(params["dest"].get<std::string>(), src);
    if (text::utf8::isValid(bytes)) {
      params["content"] = bytes;
    } else {
      params["content_base64"] = base64(bytes);
    }
  } else if (!params.contains("src") && !params.contains("content")) {
    return Error(ErrorCode::Schema, "module 'copy' needs src or content");
  }
  return CompiledResource{"copy", std::move(params)};
}

Result<CompiledResource> compileTemplate(const Data& args, ModuleContext& context) {
  static const std::vector<ArgSpec> specs = withAttributes({
      {"src", ArgType::String, {}, true},
      {"dest", ArgType::String, {}, true},
      {"force", ArgType::Bool},
      {"backup", ArgType::Bool},
      {"validate", ArgType::String},
      {"newline_sequence", ArgType::String},
      {"trim_blocks", ArgType::Bool},
      {"lstrip_blocks", ArgType::Bool},
      {"output_encoding", ArgType::String},
  });
  SC_TRY_ASSIGN(Data params, applyArgSpec("template", args, specs, context.omit()));
  // Only Ansible's defaults are rendered; anything else would silently
  // produce different bytes.
  if (params.value("newline_sequence", "\n") != "\n" || !params.value("trim_blocks", true) ||
      params.value("lstrip_blocks", false) ||
      (params.contains("output_encoding") && params["output_encoding"] != "utf-8" &&
       params["output_encoding"] != "utf8")) {
    return Error(ErrorCode::Schema,
                 "module 'template': only the default newline_sequence, trim_blocks, "
                 "lstrip_blocks and output_encoding are supported");
  }
  for (const char* key : {"newline_sequence", "trim_blocks", "lstrip_blocks", "output_encoding"}) {
    params.erase(key);
  }
  const std::string src = params["src"].get<std::string>();
  SC_TRY_ASSIGN(const std::string path, context.findSource(src, "templates"));
  SC_TRY_ASSIGN(std::string content, context.renderTemplate(path));
  params.erase("src");
  params["dest"] = destinationFor(params["dest"].get<std::string>(), src);
  params["content"] = std::move(content);
  return CompiledResource{"template", std::move(params)};
}

}  // namespace sc::controller::modules
