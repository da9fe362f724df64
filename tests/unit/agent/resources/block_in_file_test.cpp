// blockinfile edits on FakeHost as Ansible's blockinfile module makes them.
#include "agent/resources/block_in_file.h"

#include <gtest/gtest.h>

#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using agent::Outcome;
using nlohmann::json;

const std::string kBegin = "# BEGIN ANSIBLE MANAGED BLOCK\n";
const std::string kEnd = "# END ANSIBLE MANAGED BLOCK\n";

TEST(BlockInFileTest, CasesMatchAnsible) {
  checkEdits(
      "blockinfile",
      {
          {"inserted at EOF", json{{"block", "10.0.0.5 db\n10.0.0.6 cache"}},
           "127.0.0.1 localhost\n",
           "127.0.0.1 localhost\n" + kBegin + "10.0.0.5 db\n10.0.0.6 cache\n" + kEnd},
          {"EOF after a last line without newline", json{{"block", "b"}}, "a",
           "a\n" + kBegin + "b\n" + kEnd},
          {"existing block replaced in place", json{{"block", "new"}},
           "x\n" + kBegin + "old\nolder\n" + kEnd + "y\n", "x\n" + kBegin + "new\n" + kEnd + "y\n"},
          {"same block changes nothing", json{{"block", "same"}},
           "x\n" + kBegin + "same\n" + kEnd + "y\n", "x\n" + kBegin + "same\n" + kEnd + "y\n",
           Outcome::Ok},
          {"state absent removes the block", json{{"block", "old"}, {"state", "absent"}},
           "x\n" + kBegin + "old\n" + kEnd + "y\n", "x\ny\n"},
          {"an empty block removes the block", json{{"block", ""}},
           "x\n" + kBegin + "old\n" + kEnd + "y\n", "x\ny\n"},
          {"state absent without a block", json{{"state", "absent"}}, "x\ny\n", "x\ny\n",
           Outcome::Ok},
          {"custom markers",
           json{{"block", "int y;"},
                {"marker", "// {mark} managed"},
                {"marker_begin", "START"},
                {"marker_end", "STOP"}},
           "int x;\n", "int x;\n// START managed\nint y;\n// STOP managed\n"},
          {"custom markers replace only their own block",
           json{{"block", "new"}, {"marker", "// {mark} managed"}},
           kBegin + "keep\n" + kEnd + "// BEGIN managed\nold\n// END managed\n",
           kBegin + "keep\n" + kEnd + "// BEGIN managed\nnew\n// END managed\n"},
          {"insertbefore BOF", json{{"block", "b"}, {"insertbefore", "BOF"}}, "a\n",
           kBegin + "b\n" + kEnd + "a\n"},
          {"insertafter regex uses the last match",
           json{{"block", "k"}, {"insertafter", "^\\[a\\]"}}, "[a]\nx\n[a]\ny\n",
           "[a]\nx\n[a]\n" + kBegin + "k\n" + kEnd + "y\n"},
          {"insertbefore regex", json{{"block", "k"}, {"insertbefore", "^\\[b\\]"}},
           "[a]\nx\n[b]\ny\n", "[a]\nx\n" + kBegin + "k\n" + kEnd + "[b]\ny\n"},
          {"insertafter without a match goes to EOF",
           json{{"block", "k"}, {"insertafter", "^\\[none\\]"}}, "a\n",
           "a\n" + kBegin + "k\n" + kEnd},
          {"create makes the file", json{{"block", "b"}, {"create", true}}, std::nullopt,
           kBegin + "b\n" + kEnd},
          {"absent on a missing file is fine", json{{"state", "absent"}}, std::nullopt, "<missing>",
           Outcome::Ok},
      });
}

TEST(BlockInFileTest, BadMarkersAreRefusedAtPlan) {
  const std::pair<json, std::string> cases[] = {
      {json{{"marker", "# managed"}}, "marker"},
      {json{{"marker_begin", "X"}, {"marker_end", "X"}}, "marker_end"},
      {json{{"marker", "# {mark}\nmore"}}, "marker"},
      {json{{"insertafter", "a"}, {"insertbefore", "b"}}, "insertbefore"},
      {json{{"insertafter", "(?P<n>a)"}}, "insertafter"},
  };
  for (const auto& [params, parameter] : cases) {
    json full = params;
    full["path"] = "/etc/app.conf";
    full["block"] = "x";
    expectRefusedAt("blockinfile", full, parameter);
  }
}

}  // namespace
}  // namespace sc::testing
