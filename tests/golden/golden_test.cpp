// Golden tests: each directory under tests/golden/cases holds a playbook
// (site.yml) with whatever it needs (inventory, roles/, group_vars/,
// templates/, facts/, extra_vars.json) and expected/HOST.json, the manifest
// every targeted host must compile to, byte for byte. A change in the
// compiler's output is a change in these files, reviewed like code.
//
// SC_UPDATE_GOLDEN=1 rewrites expected/ from the current output instead of
// comparing (then review `git diff tests/golden`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/manifest/manifest.h"
#include "controller/compiler/compiler.h"

namespace sc::controller::compiler {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(SC_GOLDEN_DIR)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, CompilesToTheCheckedInManifests) {
  const fs::path dir = fs::path(SC_GOLDEN_DIR) / GetParam();
  CompileOptions options;
  options.playbook = (dir / "site.yml").string();
  if (fs::exists(dir / "inventory")) options.inventories = {(dir / "inventory").string()};
  if (fs::exists(dir / "facts")) options.facts_dir = (dir / "facts").string();
  if (fs::exists(dir / "extra_vars.json")) {
    options.extra_vars = Data::parse(readFile(dir / "extra_vars.json"));
  }
  auto result = compilePlaybook(options);
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_FALSE(result->manifests.empty());

  const bool update = std::getenv("SC_UPDATE_GOLDEN") != nullptr;
  const fs::path expected_dir = dir / "expected";
  std::set<std::string> produced;
  for (auto manifest : result->manifests) {
    manifest.serial = 1;
    // Paths in positions and errors start at the case directory.
    std::string text = manifest::toJson(manifest).dump(2) + "\n";
    for (std::size_t at = text.find(dir.string()); at != std::string::npos;
         at = text.find(dir.string(), at)) {
      text.replace(at, dir.string().size(), "CASE");
    }
    const fs::path file = expected_dir / (manifest.host + ".json");
    produced.insert(file.filename().string());
    if (update) {
      fs::create_directories(expected_dir);
      std::ofstream(file, std::ios::binary) << text;
      continue;
    }
    ASSERT_TRUE(fs::exists(file)) << file << " is missing; run with SC_UPDATE_GOLDEN=1";
    EXPECT_EQ(readFile(file), text) << "compiled manifest differs from " << file;
  }
  if (!update) {
    for (const auto& entry : fs::directory_iterator(expected_dir)) {
      EXPECT_TRUE(produced.count(entry.path().filename().string()) > 0)
          << entry.path() << " is expected but its host was not compiled";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(caseNames()),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace sc::controller::compiler
