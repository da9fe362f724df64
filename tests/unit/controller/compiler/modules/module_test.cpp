// Ansible modules compiled to manifest resources: arguments typed as
// Ansible's argument specs type them (aliases, booleans, modes, omit),
// controller-side files read and templates rendered through the context,
// command lines split as shlex does, and wrong arguments refused naming
// the module and the parameter.
#include "controller/compiler/modules/module.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/shell_words.h"
#include "tests/support/test_tree.h"

namespace sc::controller::modules {
namespace {

class FakeContext : public ModuleContext {
 public:
  std::string_view omit() const override { return "__omit_place_holder__x"; }
  Result<std::string> findSource(std::string_view src, std::string_view folder) override {
    const auto it = sources.find(std::string(folder) + "/" + std::string(src));
    if (it == sources.end()) return Error(ErrorCode::NotFound, "no such source");
    return it->second;
  }
  Result<std::string> renderTemplate(const std::string& path) override {
    return "rendered " + path + "\n";
  }
  Data environment() const override { return env; }

  std::map<std::string, std::string> sources;
  Data env;
};

Data compileOk(std::string_view module, const Data& args, FakeContext& context,
               std::string_view kind) {
  auto compiled = compileModule(module, args, context);
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().message());
  if (!compiled) return nullptr;
  EXPECT_EQ(compiled->type, kind);
  return compiled->params;
}

std::string compileError(std::string_view module, const Data& args) {
  FakeContext context;
  auto compiled = compileModule(module, args, context);
  EXPECT_FALSE(compiled) << module << " " << args.dump();
  return compiled ? std::string() : compiled.error().message();
}

TEST(ModuleTest, AliasesBooleansAndModesAreTypedAsAnsibleTypesThem) {
  FakeContext context;
  const Data params = compileOk(
      "file", Data{{"dest", "/x"}, {"state", "directory"}, {"mode", 493}, {"force", "yes"}},
      context, "file");
  EXPECT_EQ(params,
            (Data{{"path", "/x"}, {"state", "directory"}, {"mode", "0755"}, {"force", true}}));
  EXPECT_EQ(compileOk("file", Data{{"path", "/x"}, {"mode", 644}}, context, "file")["mode"],
            "01204");
  EXPECT_EQ(compileOk("lineinfile", Data{{"destfile", "/f"}, {"regex", "^a"}, {"line", 5}}, context,
                      "lineinfile"),
            (Data{{"path", "/f"}, {"regexp", "^a"}, {"line", "5"}}));
}

TEST(ModuleTest, OmittedArgumentsAreNeverWritten) {
  FakeContext context;
  const Data params =
      compileOk("file", Data{{"path", "/x"}, {"owner", "__omit_place_holder__x"}}, context, "file");
  EXPECT_EQ(params, (Data{{"path", "/x"}}));
}

TEST(ModuleTest, CopyReadsItsSourceOnTheController) {
  sc::testing::TempDir dir;
  const std::string text_file = (dir.path() / "motd").string();
  const std::string binary_file = (dir.path() / "logo").string();
  std::ofstream(text_file) << "hello\n";
  std::ofstream(binary_file, std::ios::binary) << std::string("\xff\x00\x01", 3);
  FakeContext context;
  context.sources["files/motd"] = text_file;
  context.sources["files/logo.png"] = binary_file;
  EXPECT_EQ(compileOk("copy", Data{{"src", "motd"}, {"dest", "/etc/"}}, context, "copy"),
            (Data{{"dest", "/etc/motd"}, {"content", "hello\n"}}));
  EXPECT_EQ(compileOk("copy", Data{{"src", "logo.png"}, {"dest", "/l"}}, context,
                      "copy")["content_base64"],
            "/wAB");
  EXPECT_EQ(compileOk("copy", Data{{"src", "/srv/x"}, {"remote_src", true}, {"dest", "/y"}},
                      context, "copy"),
            (Data{{"src", "/srv/x"}, {"remote_src", true}, {"dest", "/y"}}));
}

TEST(ModuleTest, TemplateRendersThroughTheContext) {
  FakeContext context;
  context.sources["templates/site.j2"] = "/roles/web/templates/site.j2";
  EXPECT_EQ(compileOk("template", Data{{"src", "site.j2"}, {"dest", "/etc/site"}, {"mode", "0644"}},
                      context, "template"),
            (Data{{"dest", "/etc/site"},
                  {"mode", "0644"},
                  {"content", "rendered /roles/web/templates/site.j2\n"}}));
  EXPECT_NE(compileError("template", Data{{"src", "a"}, {"dest", "b"}, {"lstrip_blocks", true}})
                .find("only the default"),
            std::string::npos);
}

TEST(ModuleTest, CommandLinesBecomeArgvAndShellScripts) {
  FakeContext context;
  context.env = Data{{"LANG", "C"}};
  EXPECT_EQ(compileOk("command",
                      Data{{"_raw_params", "/usr/bin/make \"a b\" c\\ d 'e f'"}, {"creates", "/x"}},
                      context, "command"),
            (Data{{"creates", "/x"},
                  {"argv", {"/usr/bin/make", "a b", "c d", "e f"}},
                  {"environment", {{"LANG", "C"}}}}));
  EXPECT_EQ(compileOk("shell", Data{{"cmd", "echo $HOME > /tmp/x"}}, context, "shell")["cmd"],
            "echo $HOME > /tmp/x");
  EXPECT_NE(compileError("command", Data{{"_raw_params", "a"}, {"cmd", "b"}}).find("not both"),
            std::string::npos);
}

TEST(ModuleTest, WrongArgumentsNameTheModuleAndParameter) {
  EXPECT_EQ(compileError("file", Data{{"path", "/x"}, {"stat", "touch"}}),
            "unsupported parameter 'stat' for module 'file'; did you mean 'state'?");
  EXPECT_EQ(compileError("copy", Data{{"content", "x"}}),
            "module 'copy' needs the parameter 'dest'");
  EXPECT_EQ(compileError("file", Data{{"path", "/x"}, {"force", "maybe"}}),
            "module 'file': parameter 'force' '\"maybe\"' is not a valid boolean");
  EXPECT_NE(compileError("apt", Data{{"name", "nginx"}}).find("not supported"), std::string::npos);
  EXPECT_NE(compileError("meta", Data{{"_raw_params", "end_play"}}).find("end_play"),
            std::string::npos);
}

TEST(ShellWordsTest, SplitsAsShlexDoes) {
  EXPECT_EQ(*splitShellWords(R"(a "b \"c\" \d" 'e\f' g\ h "")"),
            (std::vector<std::string>{"a", "b \"c\" \\d", "e\\f", "g h", ""}));
  EXPECT_FALSE(splitShellWords("echo 'unterminated"));
  EXPECT_FALSE(splitShellWords("trailing\\"));
}

}  // namespace
}  // namespace sc::controller::modules
