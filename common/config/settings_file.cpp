#include "common/config/settings_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/text/suggest.h"

namespace sc::config {
namespace {

constexpr std::size_t kMaxSettingsBytes = 64 * 1024;

std::string where(const std::string& path, const YAML::Mark& mark) {
  return fmt::format("{}:{}", path, mark.line + 1);
}

// The names a file may use: every long option but the file's own.
std::vector<std::string> settingNames(CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      if (name != "config" && name != "help") names.push_back(name);
    }
  }
  return names;
}

}  // namespace

Result<void> applySettingsFile(CLI::App& command, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::NotFound, "cannot read the settings file", path);
  std::string text(kMaxSettingsBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSettingsBytes) {
    return Error(ErrorCode::TooLarge, "a settings file over 64 KiB", path);
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::Parse, e.msg, where(path, e.mark));
  }
  if (doc.IsNull()) return {};  // empty: nothing set
  if (!doc.IsMap()) {
    return Error(ErrorCode::Schema, "expected a mapping of settings (key: value)",
                 where(path, doc.Mark()));
  }
  const std::vector<std::string> names = settingNames(command);
  for (const auto& entry : doc) {
    const std::string at = where(path, entry.first.Mark());
    if (!entry.first.IsScalar()) return Error(ErrorCode::Schema, "a key must be a name", at);
    std::string name = entry.first.Scalar();
    std::replace(name.begin(), name.end(), '_', '-');
    CLI::Option* option = command.get_option_no_throw("--" + name);
    if (option == nullptr || name == "config" || name == "help") {
      std::vector<std::string_view> candidates(names.begin(), names.end());
      return Error(ErrorCode::Schema,
                   fmt::format("unknown setting '{}'{}", entry.first.Scalar(),
                               text::didYouMean(name, candidates)),
                   at);
    }
    if (option->count() > 0) continue;  // given on the command line: it wins
    std::vector<std::string> values;
    const YAML::Node& value = entry.second;
    if (value.IsScalar()) {
      values.push_back(value.Scalar());
    } else if (value.IsSequence()) {
      for (const auto& item : value) {
        if (!item.IsScalar()) {
          return Error(ErrorCode::Schema, "a list of settings holds plain values only", at);
        }
        values.push_back(item.Scalar());
      }
    } else {
      return Error(ErrorCode::Schema,
                   fmt::format("'{}' needs a value or a list of values", entry.first.Scalar()), at);
    }
    if (values.size() > 1 && option->get_expected_max() <= 1) {
      return Error(ErrorCode::Schema,
                   fmt::format("'{}' takes one value, not a list", entry.first.Scalar()), at);
    }
    try {
      for (const std::string& item : values) {
        // A flag's value is its truth: "true" sets it, "false" leaves it.
        if (option->get_type_size() == 0) {
          if (item == "true")
            option->add_result("true");
          else if (item != "false")
            throw CLI::ConversionError(name, item);
          continue;
        }
        option->add_result(item);
      }
      option->run_callback();
    } catch (const CLI::Error& e) {
      return Error(ErrorCode::Schema, fmt::format("'{}': {}", entry.first.Scalar(), e.what()), at);
    }
  }
  return {};
}

Result<void> applyDaemonSettings(CLI::App& command, const std::string& given,
                                 const std::string& default_path) {
  if (!given.empty()) return applySettingsFile(command, given);
  std::error_code ec;
  if (!std::filesystem::exists(default_path, ec)) return {};
  return applySettingsFile(command, default_path);
}

}  // namespace sc::config
