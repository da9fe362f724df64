// to_json, to_nice_json, to_yaml, to_nice_yaml: bytes as Ansible 2.14
// writes them (json.dumps, PyYAML).
#include <gtest/gtest.h>

#include "controller/jinja/yaml_emit.h"
#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::renderText;

TEST(SerializeFiltersTest, Json) {
  EXPECT_EQ(renderText("{{ {'a': 1, 'b': [true, none, 1.5, 'caf\xc3\xa9']} | to_json }}"),
            "{\"a\": 1, \"b\": [true, null, 1.5, \"caf\\u00e9\"]}");
  EXPECT_EQ(renderText("{{ {'b': [1, 2], 'a': 'x', 'e': {}} | to_nice_json }}"),
            "{\n    \"a\": \"x\",\n    \"b\": [\n        1,\n        2\n    ],\n    \"e\": {}\n}");
  EXPECT_EQ(renderText("{{ {'b': 1, 'a': 2} | to_json(sort_keys=true) }}"), "{\"a\": 2, \"b\": 1}");
}

TEST(SerializeFiltersTest, Yaml) {
  const Data d = Data::parse(R"({"b": [1, 2, {"x": "y"}], "a": {"k": "yes", "n": null, "e": "",
      "m": "a\nb", "f": 1.5, "t": true, "s": "it's", "c": "a: b", "h": "#x", "u": "h\u00e9llo",
      "num": "123", "d": "2020-01-01", "l": []}})");
  EXPECT_EQ(
      emitYaml(d, YamlEmitOptions{}),
      "a:\n  c: 'a: b'\n  d: '2020-01-01'\n  e: ''\n  f: 1.5\n  h: '#x'\n  k: 'yes'\n  l: []\n"
      "  m: 'a\n\n    b'\n  n: null\n  num: '123'\n  s: it's\n  t: true\n  u: h\xc3\xa9llo\n"
      "b:\n- 1\n- 2\n- {x: y}\n");
  EXPECT_EQ(
      renderText("{{ {'b': [1, 2, {'x': 'y'}], 'a': {'k': 'yes', 'l': [[1, 2]], 'z': {}}} "
                 "| to_nice_yaml }}"),
      "a:\n    k: 'yes'\n    l:\n    -   - 1\n        - 2\n    z: {}\nb:\n- 1\n- 2\n-   x: y\n");
  EXPECT_EQ(renderText("{{ 'abc' | to_yaml }}|{{ [1, 'a'] | to_yaml }}"), "abc\n|[1, a]\n");
}

}  // namespace
}  // namespace sc::controller::jinja
