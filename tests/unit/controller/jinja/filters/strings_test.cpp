// Text and path filters.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(StringFiltersTest, CaseTrimReplaceSplit) {
  EXPECT_EQ(renderText(
                "{{ 'Ab' | lower }} {{ 'h\xc3\xa9' | upper }} {{ 'aBC dEF' | capitalize }} "
                "{{ \"it's a-b\" | title }} {{ '  x ' | trim }}|{{ 'aXbX' | replace('X', '', 1) }} "
                "{{ 'a,b' | split(',') }} {{ 'a b' | split }}"),
            "ab H\xc3\x89 Abc def It's A-B x|abX ['a', 'b'] ['a', 'b']");
}

TEST(StringFiltersTest, IndentCenterWordcountFormat) {
  EXPECT_EQ(renderText("{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb\\n\\nc' | indent(2, true) }}|"
                       "{{ 'a\\nb\\n\\nc' | indent(2, blank=true) }}"),
            "a\n    b\n\n    c|  a\n  b\n\n  c|a\n  b\n  \n  c");
  EXPECT_EQ(renderText("[{{ 'ab' | center(6) }}] {{ 'one two, three' | wordcount }} "
                       "{{ '%s=%03d' | format('a', 7) }}"),
            "[  ab  ] 3 a=007");
}

TEST(StringFiltersTest, QuoteEscapeUrlencodeComment) {
  EXPECT_EQ(renderText("{{ \"it's\" | quote }}|{{ 'abc' | quote }}|{{ '' | quote }}|"
                       "{{ 'a b' | quote }}|{{ [1, 2] | quote }}"),
            "'it'\"'\"'s'|abc|''|'a b'|'[1, 2]'");
  EXPECT_EQ(renderText("{{ '<a href=\"x\">' | e }} {{ 'a b/c?' | urlencode }} "
                       "{{ {'k': 'a b', 'x': 1} | urlencode }}"),
            "&lt;a href=&#34;x&#34;&gt; a%20b/c%3F k=a+b&x=1");
  EXPECT_EQ(renderText("{{ 'a\\nb' | comment }}"), "#\n# a\n# b\n#");
  EXPECT_EQ(renderText("{{ 'x' | comment('c') }}|{{ 'x' | comment('cblock') }}"),
            "//\n// x\n//|/*\n *\n * x\n *\n */");
}

TEST(StringFiltersTest, Paths) {
  EXPECT_EQ(renderText("{{ '/a/b/c.txt' | basename }} {{ '/a/b/c.txt' | dirname }} "
                       "{{ '/a/../b//c/' | realpath }} {{ 'a/b/' | basename }}| "
                       "{{ '~/x' | expanduser }} {{ 'a/b.tar.gz' | splitext }} "
                       "{{ ['/etc', 'nginx', 'x.conf'] | path_join }}"),
            "c.txt /a/b /b/c | /home/tester/x ('a/b.tar', '.gz') /etc/nginx/x.conf");
  EXPECT_NE(errorOf("{{ 'rel/path' | realpath }}").find("relative path"), std::string::npos);
}

}  // namespace
}  // namespace sc::controller::jinja
