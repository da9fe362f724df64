#include "controller/playbook/vars_dirs.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "controller/playbook/yaml_document.h"
#include "controller/playbook/yaml_value.h"

namespace sc::controller {
namespace {

namespace fs = std::filesystem;

bool vetted(const std::string& ext) {
  return ext.empty() || ext == ".yml" || ext == ".yaml" || ext == ".json";
}

void filesBelow(const fs::path& dir, std::vector<fs::path>& out) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  for (const auto& path : entries) {
    const std::string name = path.filename().string();
    if (name.starts_with('.') || name.ends_with('~')) continue;
    const std::string ext = path.extension().string();
    if (fs::is_directory(path, ec) && ext.empty()) {
      filesBelow(path, out);
    } else if (fs::is_regular_file(path, ec) && vetted(ext)) {
      out.push_back(path);
    }
  }
}

Result<void> mergeFile(const fs::path& path, Data& into) {
  SC_TRY_ASSIGN(const auto documents, yaml::loadYamlFile(path.string()));
  if (documents.empty() || documents.front().isNull()) return ok();
  if (documents.size() > 1) {
    return Error(ErrorCode::Schema, "a vars file holds one YAML document, this one has several",
                 documents[1].position.text());
  }
  SC_TRY_ASSIGN(const Data vars, toData(documents.front()));
  if (!vars.is_object()) {
    return Error(ErrorCode::Schema, "a vars file must hold a mapping of variable names to values",
                 documents.front().position.text());
  }
  for (const auto& [key, value] : vars.items()) into[key] = value;
  return ok();
}

}  // namespace

Result<Data> loadVarsDir(const std::string& base, std::string_view subdir,
                         const std::string& name) {
  Data vars = Data::object();
  if (name.empty() || name.starts_with('/')) return vars;
  const fs::path dir = fs::path(base) / subdir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return vars;
  std::vector<fs::path> files;
  for (const char* ext : {"", ".yml", ".yaml", ".json"}) {
    const fs::path candidate = dir / (name + ext);
    if (!fs::exists(candidate, ec)) continue;
    if (fs::is_directory(candidate, ec)) {
      filesBelow(candidate, files);
    } else {
      files.push_back(candidate);
    }
    break;
  }
  for (const auto& file : files) SC_TRY(mergeFile(file, vars));
  return vars;
}

}  // namespace sc::controller
