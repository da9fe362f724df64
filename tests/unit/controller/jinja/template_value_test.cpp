// Ansible's rule for templating playbook values (template_value.h).
#include "controller/jinja/template_value.h"

#include <gtest/gtest.h>

namespace sc::controller::jinja {
namespace {

Data valueOf(const Data& value, const Data& vars) {
  DataScope scope(vars);
  auto out = templateValue(value, SourceMap{"site.yml", 3, 12}, scope);
  EXPECT_TRUE(out.has_value()) << out.error().describe();
  return out ? *out : Data("ERROR");
}

TEST(TemplateValueTest, KeepsTypesTheWayAnsibleDoes) {
  const Data vars = Data::parse(R"({"n": 5, "f": 1.5, "b": true, "none": null, "l": [1, "a"],
                                    "s": "text", "d": {"k": 1}})");
  EXPECT_EQ(valueOf("plain", vars), Data("plain"));
  EXPECT_EQ(valueOf("{{ n }}", vars), Data(5));
  EXPECT_EQ(valueOf("{{ b }}", vars), Data(true));
  EXPECT_EQ(valueOf("{{ none }}", vars), Data(nullptr));
  EXPECT_EQ(valueOf("{{ n + 1 }}", vars), Data("6"));
  EXPECT_EQ(valueOf("{{ l }}", vars), Data::parse(R"([1, "a"])"));
  EXPECT_EQ(valueOf("{{ d }}", vars), Data::parse(R"({"k": 1})"));
  EXPECT_EQ(valueOf("{{ n > 1 }}", vars), Data(true));
  EXPECT_EQ(valueOf("{{ s }}", vars), Data("text"));
  EXPECT_EQ(valueOf("x{{ n }}", vars), Data("x5"));
  EXPECT_EQ(valueOf("{{ '[1' }}", vars), Data("[1"));
  EXPECT_EQ(valueOf("{{ '[true, null]' }}", vars), Data::parse("[true, null]"));
  EXPECT_EQ(valueOf(Data::parse(R"({"k": ["{{ n }}", 2], "{{ s }}": "v"})"), vars),
            Data::parse(R"({"k": [5, 2], "{{ s }}": "v"})"));
}

TEST(TemplateValueTest, BackslashesInExpressionsStayLiteral) {
  EXPECT_EQ(valueOf("{{ 'a\\nb' }}", Data::object()), Data("a\\nb"));
}

TEST(TemplateValueTest, ErrorsNameThePosition) {
  DataScope scope(Data::object());
  auto out = templateValue(Data("x {{ nope }}"), SourceMap{"site.yml", 3, 12}, scope);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().describe(), "site.yml:3:14: error: 'nope' is undefined [schema]");
}

}  // namespace
}  // namespace sc::controller::jinja
