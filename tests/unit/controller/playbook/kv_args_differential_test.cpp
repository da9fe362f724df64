// Thousands of generated argument strings split by Ansible's own parser
// (ansible.parsing.splitter.parse_kv, run once in Debian's python3) and by
// ours; both must agree on every pair, or both refuse the string. Skipped
// when Debian's ansible is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "controller/playbook/kv_args.h"
#include "tests/support/test_tree.h"

namespace sc::controller::playbook {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

constexpr const char* kOracle = R"(
import json, sys
from ansible.parsing.splitter import parse_kv
out = []
for text in json.load(open(sys.argv[1])):
    row = []
    for raw in (False, True):
        try:
            row.append(list(parse_kv(text, check_raw=raw).items()))
        except Exception:
            row.append(None)
    out.append(row)
json.dump(out, open(sys.argv[2], "w"))
)";

std::vector<std::string> generatedInputs() {
  // Pieces chosen to hit every rule: quotes, escapes, Jinja2 delimiters,
  // newlines and line continuations, repeated spaces, free-form keys.
  const std::vector<std::string> pieces{
      "a",        "b=",           "=",         "\"",     "'",        "\\",    " ",
      "  ",       "\n",           "{{",        "}}",     "{%",       "%}",    "{#",
      "#}",       "x=y",          "k=",        "chdir=", "creates=", "\\t",   "\\x41",
      "\\u00e9",  "\\=",          "mode=0644", "é",      " \\\n",    "name=", "'a b'",
      "\"c d\"",  "{{ v }}",      "\\\"",      "\\'",    "|",        "d(\"",  "\")",
      "removes=", "_raw_params=", "\\n",       "\t"};
  std::mt19937 random(20261125);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 9);
  std::vector<std::string> inputs;
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += pieces[pick(random)];
    inputs.push_back(text);
  }
  return inputs;
}

nlohmann::json ours(const std::string& input, bool free_form) {
  auto parsed = parseKeyValueArgs(input, free_form);
  if (!parsed) return nullptr;
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [key, value] : *parsed) pairs.push_back({key, value});
  return pairs;
}

TEST(KeyValueArgsDifferential, AgreesWithAnsibleOnGeneratedStrings) {
  if (std::system((std::string(kPython) + " -c 'import ansible.parsing.splitter' >/dev/null 2>&1")
                      .c_str()) != 0) {
    GTEST_SKIP() << "Debian's ansible is not installed";
  }
  sc::testing::TempDir dir;
  const std::vector<std::string> inputs = generatedInputs();
  const std::string in_path = (dir.path() / "in.json").string();
  const std::string out_path = (dir.path() / "out.json").string();
  const std::string script_path = (dir.path() / "oracle.py").string();
  std::ofstream(in_path) << nlohmann::json(inputs).dump();
  std::ofstream(script_path) << kOracle;
  ASSERT_EQ(
      std::system(
          (std::string(kPython) + " " + script_path + " " + in_path + " " + out_path).c_str()),
      0);
  std::ifstream result(out_path);
  const nlohmann::json expected = nlohmann::json::parse(result);
  ASSERT_EQ(expected.size(), inputs.size());

  int compared = 0;
  int parsed = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (int free_form = 0; free_form < 2; ++free_form) {
      const nlohmann::json& want = expected[i][static_cast<std::size_t>(free_form)];
      EXPECT_EQ(ours(inputs[i], free_form == 1), want)
          << "input: " << nlohmann::json(inputs[i]).dump() << " free_form=" << free_form;
      ++compared;
      if (!want.is_null()) ++parsed;
    }
  }
  EXPECT_EQ(compared, 8000);
  // Many strings must parse (about 44% do), or the comparison would only be of refusals.
  EXPECT_GT(parsed, 2500) << parsed;
}

}  // namespace
}  // namespace sc::controller::playbook
