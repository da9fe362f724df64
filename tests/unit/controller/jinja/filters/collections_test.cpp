// List and dict filters, and map/select/reject/selectattr/rejectattr.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(CollectionFiltersTest, SortAndSetLike) {
  EXPECT_EQ(renderText("{{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} "
                       "{{ [{'n': 2}, {'n': 1}] | sort(attribute='n') }}"),
            "['A', 'b', 'c'] [3, 2, 1] [{'n': 1}, {'n': 2}]");
  EXPECT_EQ(
      renderText("{{ [3, 1, 3, 2, 1] | unique }} {{ ['a', 'A'] | unique }} "
                 "{{ [1, 2] | union([2, 3]) }} {{ [1, 2, 3] | difference([2]) }} "
                 "{{ [1, 2, 3] | intersect([3, 2]) }} {{ [1, 2] | symmetric_difference([2, 3]) }}"),
      "[3, 1, 2] ['a'] [1, 2, 3] [1, 3] [2, 3] [1, 3]");
  EXPECT_EQ(errorOf("{{ [1, 'a'] | sort }}"),
            "t.j2:1:15: error: '<' not supported between instances of 'str' and 'int' [schema]");
}

TEST(CollectionFiltersTest, FlattenDictsCombine) {
  EXPECT_EQ(renderText("{{ [1, [2, [3, [4]]]] | flatten }} {{ [1, [2, [3, [4]]]] | flatten(1) }} "
                       "{{ [1, none, [none]] | flatten }}"),
            "[1, 2, 3, 4] [1, 2, [3, [4]]] [1]");
  EXPECT_EQ(renderText("{{ {'a': 1} | dict2items }} {{ [{'key': 'a', 'value': 1}] | items2dict }} "
                       "{{ {'a': 1} | dict2items(key_name='k', value_name='v') }}"),
            "[{'key': 'a', 'value': 1}] {'a': 1} [{'k': 'a', 'v': 1}]");
  EXPECT_EQ(renderText("{{ {'a': 1, 'b': {'c': 1}} | combine({'b': {'d': 2}}) }} "
                       "{{ {'a': 1, 'b': {'c': 1}} | combine({'b': {'d': 2}}, recursive=true) }} "
                       "{{ {'l': [1]} | combine({'l': [2]}, list_merge='append') }}"),
            "{'a': 1, 'b': {'d': 2}} {'a': 1, 'b': {'c': 1, 'd': 2}} {'l': [1, 2]}");
}

TEST(CollectionFiltersTest, Aggregates) {
  EXPECT_EQ(
      renderText("{{ [1, 2, 3] | sum }} {{ [1.5, 2] | sum }} {{ [[1], [2]] | sum(start=[]) }} "
                 "{{ [3, 1] | min }} {{ [3, 1] | max }} {{ ['b', 'a'] | max }}"),
      "6 3.5 [1, 2] 1 3 b");
  EXPECT_EQ(renderText("{{ [1, 2] | zip(['a', 'b']) | list }} {{ [1, 2, 3] | batch(2) | list }} "
                       "{{ {'b': 1, 'a': 2} | dictsort }}"),
            "[(1, 'a'), (2, 'b')] [[1, 2], [3]] [('a', 2), ('b', 1)]");
  const Data vars = Data::parse(R"({"users": [{"name": "a", "groups": ["x", "y"]}]})");
  EXPECT_EQ(renderText("{% for u, g in users | subelements('groups') %}{{ u.name }}:{{ g }} "
                       "{% endfor %}",
                       vars),
            "a:x a:y ");
}

TEST(CollectionFiltersTest, MapAndSelect) {
  EXPECT_EQ(
      renderText("{{ [1, 2, 3] | map('string') | join }} {{ ['a', 'b'] | map('upper') | list }} "
                 "{{ [1, 2, 3] | select('odd') | list }} {{ [1, 0, 2] | select | list }} "
                 "{{ [1, 2, 3] | reject('gt', 1) | list }}"),
      "123 ['A', 'B'] [1, 3] [1, 2] [1]");
  EXPECT_EQ(renderText("{{ [{'a': 1}, {'a': 2, 'b': 1}] | selectattr('a', 'equalto', 2) | list }} "
                       "{{ [{'a': 1}, {'b': 1}] | selectattr('a', 'defined') | list }} "
                       "{{ [{'a': 1}, {'b': 1}] | map(attribute='a', default='z') | list }} "
                       "{{ [{'x': {'y': 1}}] | map(attribute='x.y') | list }} "
                       "{{ [{'a': true}, {'a': false}] | rejectattr('a') | list }}"),
            "[{'a': 2, 'b': 1}] [{'a': 1}] [1, 'z'] [1] [{'a': False}]");
}

}  // namespace
}  // namespace sc::controller::jinja
