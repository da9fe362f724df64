// YAML 1.1 typing as Ansible sees it (PyYAML SafeLoader + Ansible's tags).
// The expected values in the tables were taken from
//   python3 -c 'import yaml; print(repr(yaml.safe_load("a: " + TEXT)["a"]))'
// with Debian 12's PyYAML 6.0; tests/ansible/inventory_differential.py
// checks the same table against PyYAML on every run.
#include "controller/playbook/yaml_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace sc::controller {
namespace {

Data load(const std::string& text) {
  auto documents = yaml::parseYaml(text, "vars.yml");
  EXPECT_TRUE(documents.has_value()) << (documents ? "" : documents.error().describe());
  if (!documents || documents->empty()) return {};
  auto data = toData(documents->front());
  EXPECT_TRUE(data.has_value()) << (data ? "" : data.error().describe());
  return data ? *data : Data();
}

Error loadError(const std::string& text) {
  auto documents = yaml::parseYaml(text, "vars.yml");
  if (!documents) return documents.error();
  auto data = toData(documents->front());
  EXPECT_FALSE(data.has_value()) << text << " gave " << (data ? data->dump() : "");
  return data ? Error(ErrorCode::Internal, "no error") : data.error();
}

Data value(const std::string& scalar) { return load("a: " + scalar + "\n")["a"]; }

struct Case {
  const char* text;
  Data expected;
};

TEST(YamlValueTest, PlainScalarsFollowYaml11) {
  const Case cases[] = {
      {"~", nullptr},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"nULL", "nULL"},
      {"yes", true},
      {"Yes", true},
      {"YES", true},
      {"yEs", "yEs"},
      {"no", false},
      {"NO", false},
      {"on", true},
      {"Off", false},
      {"TRUE", true},
      {"False", false},
      {"y", "y"},
      {"n", "n"},
      {"0", 0},
      {"+0", 0},
      {"-0", 0},
      {"00", 0},
      {"0_", 0},
      {"42", 42},
      {"-17", -17},
      {"1_000", 1000},
      {"1__0", 10},
      {"0755", 493},
      {"0009", "0009"},
      {"08", "08"},
      {"0o17", "0o17"},
      {"-0o7", "-0o7"},
      {"0b1010", 10},
      {"-0b101", -5},
      {"0x1F", 31},
      {"+0x1F", 31},
      {"0x_1f", 31},
      {"0x", "0x"},
      {"0b", "0b"},
      {"1:30", 90},
      {"-1:30", -90},
      {"190:20:30", 685230},
      {"1_2:30", 750},
      {"1:60", "1:60"},
      {"1.5", 1.5},
      {"1.", 1.0},
      {"0.", 0.0},
      {".5", 0.5},
      {"1_000.5", 1000.5},
      {"685_230.15", 685230.15},
      {"6.8523015e+5", 685230.15},
      {"685.230_15e+03", 685230.15},
      {"1.0e+5", 100000.0},
      {"1e5", "1e5"},
      {"1.0e5", "1.0e5"},
      {"1e16", "1e16"},
      {"._5", "._5"},
      {"1:30.5", 90.5},
      {"190:20:30.15", 685230.15},
      {"1:0:0.5e3", "1:0:0.5e3"},
      {"2001-12-14", "2001-12-14"},
      {"hello world", "hello world"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(value(text), expected) << text;
    EXPECT_EQ(value(text).type(), expected.type()) << text;
  }
}

TEST(YamlValueTest, InfinityAndNan) {
  EXPECT_EQ(value(".inf").get<double>(), HUGE_VAL);
  EXPECT_EQ(value("-.inf").get<double>(), -HUGE_VAL);
  EXPECT_EQ(value("+.INF").get<double>(), HUGE_VAL);
  EXPECT_TRUE(std::isnan(value(".NaN").get<double>()));
  EXPECT_EQ(value("-.nan"), "-.nan");
}

TEST(YamlValueTest, QuotedAndBlockScalarsAreStrings) {
  EXPECT_EQ(value("'yes'"), "yes");
  EXPECT_EQ(value("\"0755\""), "0755");
  EXPECT_EQ(value("''"), "");
  EXPECT_EQ(load("a: |\n  42\n")["a"], "42\n");
  EXPECT_EQ(value("! 42"), "42");
}

TEST(YamlValueTest, ExplicitTagsConvertAsPyYamlDoes) {
  EXPECT_EQ(value("!!str 12"), "12");
  EXPECT_EQ(value("!!str yes"), "yes");
  EXPECT_EQ(value("!!int '0x1f'"), 31);
  EXPECT_EQ(value("!!int 0o17"), 15);
  EXPECT_EQ(value("!!int \"12\""), 12);
  EXPECT_EQ(value("!!float 1"), 1.0);
  EXPECT_TRUE(value("!!float 1").is_number_float());
  EXPECT_EQ(value("!!float 1e5"), 100000.0);
  EXPECT_EQ(value("!!bool YES"), true);
  EXPECT_EQ(value("!!null abc"), nullptr);
  EXPECT_EQ(load("a: !!seq [1, b]\n")["a"], Data::parse(R"([1, "b"])"));
  EXPECT_EQ(value("!unsafe 'plain text'"), "plain text");
  EXPECT_EQ(value("!unsafe 12"), "12");
}

TEST(YamlValueTest, BadTagsAndValuesAreErrorsAtTheNode) {
  Error vault = loadError("x: 1\na: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n");
  EXPECT_EQ(vault.message(), "vault-encrypted values are not supported");
  EXPECT_EQ(vault.where(), "vars.yml:2:4");

  Error unsafe = loadError("a: !unsafe '{{ lookup(\"pipe\", \"id\") }}'\n");
  EXPECT_NE(unsafe.message().find("!unsafe"), std::string::npos);
  EXPECT_EQ(unsafe.where(), "vars.yml:1:4");

  EXPECT_NE(loadError("a: !foo bar\n").message().find("unknown YAML tag '!foo'"),
            std::string::npos);
  EXPECT_NE(loadError("a: !!binary aGVsbG8=\n").message().find("not supported"), std::string::npos);
  EXPECT_NE(loadError("a: !!bool 1\n").message().find("not a YAML boolean"), std::string::npos);
  EXPECT_NE(loadError("a: !!int abc\n").message().find("not an integer"), std::string::npos);
  EXPECT_NE(loadError("a: 0b_\n").message().find("not an integer"), std::string::npos);
  EXPECT_NE(loadError("a: 12345678901234567890\n").message().find("64-bit"), std::string::npos);
  EXPECT_EQ(loadError("a: 12345678901234567890\n").where(), "vars.yml:1:4");
  EXPECT_NE(loadError("a: 2001-02-30\n").message().find("not a valid date"), std::string::npos);
  EXPECT_NE(loadError("a: 2001-12-14 21:59:43.10 -5\n").message().find("time of day"),
            std::string::npos);
  EXPECT_NE(loadError("a: =\n").message().find("quote it"), std::string::npos);
}

TEST(YamlValueTest, KeysAreTypedThenWrittenAsPythonStr) {
  const Data data = load("1: a\nyes: b\n1.5: c\n~: d\n0x10: e\n2024-01-02: f\n'x': g\n1e16: h\n");
  ASSERT_TRUE(data.is_object());
  const std::vector<std::string> expected = {"1",  "True",       "1.5", "None",
                                             "16", "2024-01-02", "x",   "1e16"};
  std::vector<std::string> keys;
  for (const auto& [key, item] : data.items()) keys.push_back(key);
  EXPECT_EQ(keys, expected);

  Error duplicate = loadError("yes: a\nTrue: b\n");
  EXPECT_NE(duplicate.message().find("duplicate key 'True'"), std::string::npos);
  EXPECT_EQ(duplicate.where(), "vars.yml:2:1");
  EXPECT_NE(loadError("? [a]\n: b\n").message().find("must be a scalar"), std::string::npos);
}

TEST(YamlValueTest, CollectionsKeepTheirOrder) {
  const Data data = load("z: [1, 'two', {b: 2, a: 1}]\na: null\n");
  EXPECT_EQ(data.dump(), R"({"z":[1,"two",{"b":2,"a":1}],"a":null})");
}

TEST(YamlValueTest, PythonFloatRepr) {
  EXPECT_EQ(pythonFloatRepr(1.0), "1.0");
  EXPECT_EQ(pythonFloatRepr(1.5), "1.5");
  EXPECT_EQ(pythonFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(pythonFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(pythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(pythonFloatRepr(1.5e16), "1.5e+16");
  EXPECT_EQ(pythonFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(pythonFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(pythonFloatRepr(123.456), "123.456");
  EXPECT_EQ(pythonFloatRepr(0.1), "0.1");
  EXPECT_EQ(pythonFloatRepr(HUGE_VAL), "inf");
  EXPECT_EQ(pythonKeyText(Data(true)), "True");
  EXPECT_EQ(pythonKeyText(Data(nullptr)), "None");
  EXPECT_EQ(pythonKeyText(Data(-3)), "-3");
}

}  // namespace
}  // namespace sc::controller
