// Playbooks compiled to manifests: variables in Ansible's precedence,
// roles with defaults, vars, parameters and handlers, loops, compile-time
// conditions, set_fact and include_vars, facts from the cache, and errors
// naming the place.
#include "controller/compiler/compiler.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::controller::compiler {
namespace {

namespace fs = std::filesystem;

class CompilerTest : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_.path() / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  Result<CompileResult> compile(const std::string& playbook = "site.yml",
                                Data extra_vars = Data::object()) {
    CompileOptions options;
    options.playbook = (dir_.path() / playbook).string();
    options.inventories = {"localhost,"};
    options.extra_vars = std::move(extra_vars);
    options.facts = facts_;
    options.allow_pipe = allow_pipe_;
    options.local_facts = local_facts_;
    options.run_on_controller = run_on_controller_;
    return compilePlaybook(options);
  }

  manifest::Manifest compileOne(const std::string& playbook = "site.yml",
                                Data extra_vars = Data::object()) {
    auto result = compile(playbook, std::move(extra_vars));
    EXPECT_TRUE(result) << (result ? "" : result.error().describe());
    if (!result || result->manifests.size() != 1) return {};
    return result->manifests.front();
  }

  std::string path() const { return dir_.path().string(); }

  sc::testing::TempDir dir_;
  std::map<std::string, Data> facts_;
  bool allow_pipe_ = false;
  std::function<Data()> local_facts_;
  std::function<Result<Data>(const manifest::ResourceSpec&)> run_on_controller_;
};

TEST_F(CompilerTest, LoopsTemplatesAndModulesBecomeResources) {
  write("templates/site.conf.j2", "server_name {{ server }};\nlisten {{ port }};\n");
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    root: /srv\n"
        "    dirs: [a, b]\n"
        "    server: example.org\n"
        "    port: 80\n"
        "  tasks:\n"
        "    - name: directories\n"
        "      file: path={{ root }}/{{ item }} state=directory mode=0755\n"
        "      loop: \"{{ dirs }}\"\n"
        "    - name: site\n"
        "      template: {src: site.conf.j2, dest: \"{{ root }}/site.conf\"}\n"
        "    - lineinfile:\n"
        "        path: \"{{ root }}/pool.conf\"\n"
        "        line: pm.max_children = {{ port // 10 }}\n"
        "    - command: /bin/touch {{ root }}/marker creates={{ root }}/marker\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 5u);
  EXPECT_EQ(m.host, "localhost");
  EXPECT_EQ(m.resources[0].type, "file");
  EXPECT_EQ(m.resources[0].params,
            (nlohmann::json{{"path", "/srv/a"}, {"state", "directory"}, {"mode", "0755"}}));
  EXPECT_EQ(m.resources[1].params["path"], "/srv/b");
  EXPECT_NE(m.resources[0].id, m.resources[1].id);
  EXPECT_EQ(m.resources[2].type, "template");
  EXPECT_EQ(m.resources[2].params["content"], "server_name example.org;\nlisten 80;\n");
  EXPECT_EQ(m.resources[3].params["line"], "pm.max_children = 8");
  EXPECT_EQ(m.resources[4].params["argv"], (nlohmann::json{"/bin/touch", "/srv/marker"}));
  EXPECT_EQ(m.resources[4].params["creates"], "/srv/marker");
}

TEST_F(CompilerTest, ExtraVarsWinAndConditionsDecideAtCompileTime) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {env: dev, enabled: true}\n"
        "  tasks:\n"
        "    - debug: msg={{ env }}\n"
        "    - debug: msg=skipped\n"
        "      when: env == 'dev'\n"
        "    - debug: msg=kept\n"
        "      when: [enabled, env != 'dev']\n");
  const manifest::Manifest m = compileOne("site.yml", Data{{"env", "prod"}});
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[0].params["msg"], "prod");
  EXPECT_EQ(m.resources[1].params["msg"], "kept");
}

TEST_F(CompilerTest, RolesLayerDefaultsVarsAndParametersAndBringHandlers) {
  write("roles/common/tasks/main.yml", "- debug: msg='common {{ level }}'\n");
  write("roles/common/defaults/main.yml", "level: low\n");
  write("roles/web/meta/main.yml", "dependencies: [common]\n");
  write("roles/web/defaults/main.yml", "http_port: 80\nuser: nobody\nname_from_default: d\n");
  write("roles/web/vars/main.yml", "user: www-data\n");
  write("roles/web/tasks/main.yml",
        "- name: config\n"
        "  copy: content='{{ http_port }} {{ user }} {{ name_from_default }}' dest=/etc/web.conf\n"
        "  notify: restart web\n");
  write("roles/web/handlers/main.yml",
        "- name: restart web\n  command: /bin/true\n  listen: web changed\n");
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {user: play-user, name_from_default: play}\n"
        "  roles:\n"
        "    - {role: web, http_port: 8080}\n"
        "  tasks:\n"
        "    - debug: msg=after\n"
        "      notify: web changed\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 3u);
  EXPECT_EQ(m.resources[0].params["msg"], "common low");
  EXPECT_EQ(m.resources[0].name, "common : debug");
  // Role parameters beat role vars beat play vars beat role defaults.
  EXPECT_EQ(m.resources[1].params["content"], "8080 www-data play");
  ASSERT_EQ(m.handlers.size(), 1u);
  EXPECT_EQ(m.resources[1].notify, (std::vector<std::string>{m.handlers[0].id}));
  EXPECT_EQ(m.resources[2].notify, (std::vector<std::string>{m.handlers[0].id}));
  EXPECT_EQ(m.handlers[0].params["argv"], (nlohmann::json{"/bin/true"}));
}

TEST_F(CompilerTest, SetFactIncludeVarsAndFactsFromTheCache) {
  facts_["localhost"] =
      Data{{"ansible_os_family", "Debian"}, {"ansible_facts", {{"os_family", "Debian"}}}};
  write("vars/Debian.yml", "web_package: nginx\n");
  write("site.yml",
        "- hosts: localhost\n"
        "  tasks:\n"
        "    - include_vars: vars/{{ ansible_os_family }}.yml\n"
        "    - set_fact: greeting=hello-{{ web_package }}\n"
        "    - debug: msg={{ greeting }}\n"
        "    - debug: msg={{ ansible_facts.os_family | lower }}\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[0].params["msg"], "hello-nginx");
  EXPECT_EQ(m.resources[1].params["msg"], "debian");
}

TEST_F(CompilerTest, ConditionsOverRegisteredResultsBecomeConditionTrees) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {wanted: 0}\n"
        "  tasks:\n"
        "    - stat: path=/etc/app.conf\n"
        "      register: st\n"
        "    - command: /usr/bin/setup\n"
        "      register: out\n"
        "      changed_when: \"'created' in out.stdout\"\n"
        "      failed_when: [out.rc != wanted, out.rc != 3]\n"
        "      when: not st.stat.exists and 1 < 2\n"
        "    - debug: msg=done\n"
        "      when: out is changed or st.stat.exists\n"
        "    - debug: msg=never\n"
        "      when: out is succeeded and false\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 4u);
  EXPECT_EQ(m.resources[0].register_as, "st");
  ASSERT_TRUE(m.resources[1].when);
  EXPECT_EQ(manifest::conditionToJson(*m.resources[1].when),
            (nlohmann::json{
                {"all", {{{"not", {{"field", "st.stat.exists"}, {"op", "truthy"}}}}, true}}}));
  ASSERT_TRUE(m.resources[1].changed_when);
  EXPECT_EQ(manifest::conditionToJson(*m.resources[1].changed_when),
            (nlohmann::json{{"field", "out.stdout"}, {"op", "contains"}, {"value", "created"}}));
  ASSERT_TRUE(m.resources[1].failed_when);
  EXPECT_EQ(manifest::conditionToJson(*m.resources[1].failed_when),
            (nlohmann::json{{"all",
                             {{{"field", "out.rc"}, {"op", "ne"}, {"value", 0}},
                              {{"field", "out.rc"}, {"op", "ne"}, {"value", 3}}}}}));
  ASSERT_TRUE(m.resources[2].when);
  EXPECT_EQ(manifest::conditionToJson(*m.resources[2].when),
            (nlohmann::json{{"any",
                             {{{"field", "out.changed"}, {"op", "truthy"}},
                              {{"field", "st.stat.exists"}, {"op", "truthy"}}}}}));
  ASSERT_TRUE(m.resources[3].when);
  EXPECT_EQ(
      manifest::conditionToJson(*m.resources[3].when),
      (nlohmann::json{{"all", {{{"not", {{"field", "out.failed"}, {"op", "truthy"}}}}, false}}}));
}

TEST_F(CompilerTest, RunTimeValuesTheAgentCannotEvaluateAreErrors) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - command: /bin/true\n"
        "      register: out\n"
        "    - debug: msg=x\n"
        "      when: out.stdout | length > 3\n");
  auto filter = compile();
  ASSERT_FALSE(filter);
  EXPECT_NE(filter.error().message().find("the filter 'length'"), std::string::npos)
      << filter.error().describe();
  EXPECT_NE(filter.error().where().find("site.yml:7"), std::string::npos) << filter.error().where();

  write("param.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - command: /bin/true\n"
        "      register: out\n"
        "    - debug: msg={{ out.stdout.split() }}\n");
  auto param = compile("param.yml");
  ASSERT_FALSE(param);
  EXPECT_NE(param.error().message().find("through a method call"), std::string::npos)
      << param.error().describe();
}

TEST_F(CompilerTest, AMissingFactNamesTheHost) {
  write("site.yml", "- hosts: localhost\n  tasks:\n    - debug: msg={{ ansible_os_family }}\n");
  auto result = compile();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("no facts are known for host 'localhost'"),
            std::string::npos)
      << result.error().describe();
}

TEST_F(CompilerTest, ErrorsNameFileLineAndCause) {
  write("undefined.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg={{ nowhere }}\n");
  auto undefined = compile("undefined.yml");
  ASSERT_FALSE(undefined);
  EXPECT_NE(undefined.error().where().find("undefined.yml:4"), std::string::npos)
      << undefined.error().describe();
  EXPECT_NE(undefined.error().message().find("nowhere"), std::string::npos);

  write("handler.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg=x\n      notify: nobody\n");
  auto handler = compile("handler.yml");
  ASSERT_FALSE(handler);
  EXPECT_NE(handler.error().message().find("no handler named 'nobody'"), std::string::npos);
  EXPECT_NE(handler.error().where().find("handler.yml:5"), std::string::npos);

  write("cycle.yml",
        "- hosts: localhost\n  gather_facts: false\n  vars: {a: '{{ b }}', b: '{{ a }}'}\n"
        "  tasks:\n    - debug: msg={{ a }}\n");
  auto cycle = compile("cycle.yml");
  ASSERT_FALSE(cycle);
  EXPECT_NE(cycle.error().message().find("refers to itself"), std::string::npos)
      << cycle.error().describe();

  write("loop.yml", "- import_tasks: loop.yml\n");
  write("recursive.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_tasks: loop.yml\n");
  auto recursive = compile("recursive.yml");
  ASSERT_FALSE(recursive);
  EXPECT_EQ(recursive.error().code(), ErrorCode::TooDeep);
  EXPECT_NE(recursive.error().where().find("loop.yml:1:3"), std::string::npos)
      << recursive.error().describe();

  write("role.yml", "- hosts: localhost\n  gather_facts: false\n  roles: [missing]\n");
  auto role = compile("role.yml");
  ASSERT_FALSE(role);
  EXPECT_NE(role.error().message().find("role 'missing' not found"), std::string::npos);
}

TEST_F(CompilerTest, LookupsAndWithLoopsRunOnTheController) {
  write("files/motd.txt", "hello\n\n");
  write("templates/banner.j2", "x={{ x }}\n");
  write("files/conf.d/b.conf", "b");
  write("files/conf.d/a.conf", "a");
  write("files/conf.d/notes.txt", "n");
  fs::create_directories(dir_.path() / "files/conf.d/dir.conf");
  write("vars/Debian.yml", "from_vars: debian\n");
  write("roles/web/files/role.txt", "from the role\n");
  write("roles/web/tasks/main.yml",
        "- copy: content=\"{{ lookup('file', 'role.txt') }}\" dest=/etc/role\n");
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {x: 1}\n"
        "  roles: [web]\n"
        "  tasks:\n"
        "    - copy: content=\"{{ lookup('file', 'motd.txt') }}\" dest=/etc/motd\n"
        "    - copy: content=\"{{ lookup('template', 'banner.j2') }}\" dest=/etc/banner\n"
        "    - copy: src={{ item }} dest=/etc/conf.d/\n"
        "      with_fileglob: conf.d/*.conf\n"
        "    - debug: msg=\"{{ item[0] }}{{ item[1] }}\"\n"
        "      with_nested: [[a, b], [1, 2]]\n"
        "    - include_vars: \"{{ item }}\"\n"
        "      with_first_found: [missing.yml, Debian.yml]\n"
        "    - debug: msg={{ from_vars }}\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 10u);
  EXPECT_EQ(m.resources[0].params["content"], "from the role");  // the role's files/ first
  EXPECT_EQ(m.resources[1].params["content"], "hello");          // rstripped, as Ansible
  EXPECT_EQ(m.resources[2].params["content"], "x=1\n");
  // Only regular files matching the pattern, in name order.
  EXPECT_EQ(m.resources[3].params["content"], "a");
  EXPECT_EQ(m.resources[4].params["content"], "b");
  std::vector<std::string> nested;
  for (std::size_t i = 5; i < 9; ++i) nested.push_back(m.resources[i].params["msg"]);
  EXPECT_EQ(nested, (std::vector<std::string>{"a1", "a2", "b1", "b2"}));
  EXPECT_EQ(m.resources[9].params["msg"], "debian");  // vars/ searched for include_vars
  write("missing.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - include_vars: \"{{ item }}\"\n"
        "      with_first_found: [nope.yml]\n");
  auto missing = compile("missing.yml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("nope.yml"), std::string::npos);
  EXPECT_NE(missing.error().where().find("missing.yml:5"), std::string::npos)
      << missing.error().describe();
}

TEST_F(CompilerTest, PasswordLookupIsGeneratedOnceAndKeptPrivate) {
  write("site.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg=\"{{ lookup('password', 'creds/db length=12 chars=digits') }}\"\n");
  const manifest::Manifest first = compileOne();
  const manifest::Manifest second = compileOne();
  ASSERT_EQ(first.resources.size(), 1u);
  const std::string password = first.resources[0].params["msg"];
  EXPECT_EQ(password.size(), 12u);
  EXPECT_EQ(password.find_first_not_of("0123456789"), std::string::npos) << password;
  EXPECT_EQ(second.resources[0].params["msg"], password);
  const fs::path stored = dir_.path() / "creds/db";
  EXPECT_EQ(fs::status(stored).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(stored);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, password);
}

TEST_F(CompilerTest, PipeLookupIsOffUnlessAllowedAndOtherPluginsAreErrors) {
  write("site.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg=\"{{ lookup('pipe', 'echo hi; pwd') }}\"\n");
  auto off = compile();
  ASSERT_FALSE(off);
  EXPECT_NE(off.error().message().find("--allow-pipe"), std::string::npos)
      << off.error().describe();
  allow_pipe_ = true;
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 1u);
  // Run in the playbook's directory; trailing whitespace stripped.
  EXPECT_EQ(m.resources[0].params["msg"], "hi\n" + fs::canonical(dir_.path()).string());

  write("fails.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg=\"{{ lookup('pipe', 'exit 3') }}\"\n");
  auto fails = compile("fails.yml");
  ASSERT_FALSE(fails);
  EXPECT_NE(fails.error().message().find("returned 3"), std::string::npos);

  write("unknown.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg=\"{{ lookup('fiel', 'x') }}\"\n");
  auto unknown = compile("unknown.yml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("'fiel' is not supported"), std::string::npos)
      << unknown.error().describe();
  EXPECT_NE(unknown.error().message().find("file"), std::string::npos);
  EXPECT_NE(unknown.error().where().find("unknown.yml:4"), std::string::npos);
}

TEST_F(CompilerTest, MalformedPlaybooksAreErrorsAtTheirLine) {
  const auto expectError = [&](const std::string& name, const std::string& text,
                               const std::string& message, const std::string& where) {
    write(name, text);
    auto result = compile(name);
    ASSERT_FALSE(result) << name;
    EXPECT_NE(result.error().message().find(message), std::string::npos)
        << name << ": " << result.error().describe();
    EXPECT_NE(result.error().where().find(where), std::string::npos)
        << name << ": " << result.error().describe();
  };
  const std::string play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n";
  expectError("utf8.yml", play + "    - copy: content=\"\xff\" dest=/x\n", "invalid UTF-8",
              "utf8.yml:4:");
  expectError("import_loop.yml", play + "    - import_tasks: t.yml\n      loop: [1, 2]\n",
              "import_tasks cannot loop", "import_loop.yml:5");
  expectError("missing_import.yml", play + "    - import_tasks: nowhere.yml\n", "cannot read",
              "missing_import.yml:4");
  expectError("loop_control.yml",
              play +
                  "    - debug: msg={{ item }}\n      loop: [1]\n"
                  "      loop_control: {loop_vars: x}\n",
              "unknown key 'loop_vars'", "loop_control.yml:6");
  expectError("empty_hosts.yml", "- hosts: []\n  tasks: []\n", "hosts: cannot be empty",
              "empty_hosts.yml:1");
  expectError("two_documents.yml", play + "    - debug: msg=x\n---\n" + play, "one YAML document",
              "two_documents.yml:6");
  expectError("empty.yml", "# nothing here\n", "the playbook is empty", "empty.yml");
  expectError("play_vars.yml", "- hosts: localhost\n  vars: [a, b]\n  tasks: []\n",
              "mapping or a list of mappings", "play_vars.yml:2");
}

TEST_F(CompilerTest, ModuleDefaultsFillInWhatTasksLeaveOut) {
  write("roles/r/tasks/main.yml", "- file: path=/r state=directory\n");
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {owner: www-data}\n"
        "  module_defaults:\n"
        "    ansible.builtin.file: {owner: \"{{ owner }}\", mode: '0750'}\n"
        "  roles:\n"
        "    - role: r\n"
        "      module_defaults: {file: {group: adm}}\n"
        "  tasks:\n"
        "    - file: path=/a state=directory mode=0700\n"
        "    - block:\n"
        "        - file: path=/b state=directory\n"
        "      module_defaults: {file: {owner: root}}\n"
        "    - copy: content=x dest=/c\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 4u);
  EXPECT_EQ(m.resources[0].params["owner"], "www-data");  // the play's, templated
  EXPECT_EQ(m.resources[0].params["group"], "adm");       // the role entry's
  EXPECT_EQ(m.resources[1].params["mode"], "0700");       // the task's own value wins
  EXPECT_EQ(m.resources[1].params["owner"], "www-data");
  EXPECT_EQ(m.resources[2].params["owner"], "root");  // the inner block wins
  EXPECT_EQ(m.resources[2].params["mode"], "0750");
  EXPECT_FALSE(m.resources[3].params.contains("owner"));  // other modules untouched

  write("group.yml",
        "- hosts: localhost\n  gather_facts: false\n"
        "  module_defaults: {group/aws: {region: x}}\n  tasks: []\n");
  auto group = compile("group.yml");
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().message().find("action groups"), std::string::npos);
  EXPECT_NE(group.error().where().find("group.yml:3"), std::string::npos);
}

TEST_F(CompilerTest, BecomeUserRunsCommandsAsThatUser) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  become: true\n"
        "  vars: {db_user: postgres}\n"
        "  tasks:\n"
        "    - command: psql -c 'select 1'\n"
        "      become_user: \"{{ db_user }}\"\n"
        "    - shell: whoami\n"
        "    - block:\n"
        "        - shell: whoami\n"
        "      become_user: app\n"
        "    - command: id\n"
        "      become: false\n"
        "      become_user: app\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 4u);
  EXPECT_EQ(m.resources[0].params["become_user"], "postgres");
  EXPECT_FALSE(m.resources[1].params.contains("become_user"));  // become alone: root, the agent
  EXPECT_EQ(m.resources[2].params["become_user"], "app");
  EXPECT_FALSE(m.resources[3].params.contains("become_user"));  // become_user without become

  write("file.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - copy: content=x dest=/srv/x\n      become: true\n      become_user: app\n");
  auto file = compile("file.yml");
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message().find("set owner: and group:"), std::string::npos)
      << file.error().describe();
  EXPECT_NE(file.error().where().find("file.yml:4"), std::string::npos);
}

TEST_F(CompilerTest, LocalFactsAreGatheredOnlyWhenAPlayGathersFacts) {
  int gathered = 0;
  local_facts_ = [&] {
    ++gathered;
    return Data{{"ansible_os_family", "Debian"}, {"ansible_hostname", "here"}};
  };
  write("site.yml",
        "- hosts: localhost\n"
        "  tasks:\n"
        "    - debug: msg=\"{{ ansible_os_family }} {{ ansible_facts.hostname }}\"\n"
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - debug: msg={{ ansible_hostname }}\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[0].params["msg"], "Debian here");
  EXPECT_EQ(gathered, 1);

  write("nogather.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: msg={{ ansible_hostname }}\n");
  gathered = 0;
  auto none = compile("nogather.yml");
  ASSERT_FALSE(none);
  EXPECT_EQ(gathered, 0);
  EXPECT_NE(none.error().message().find("no facts are known for host 'localhost'"),
            std::string::npos)
      << none.error().describe();
}

TEST_F(CompilerTest, RescueAndAlwaysBecomeBlockSections) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - block:\n"
        "        - command: /usr/sbin/nginx -t\n"
        "        - block:\n"
        "            - debug: msg=inner\n"
        "          always:\n"
        "            - debug: msg=inner-always\n"
        "      rescue:\n"
        "        - copy: content=old dest=/etc/nginx/site.conf\n"
        "      always:\n"
        "        - debug: msg=done\n"
        "    - block:\n"
        "        - debug: msg=plain\n"
        "    - debug: msg=after\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 7u);
  const auto sections = [&](std::size_t i) {
    std::string out;
    for (const auto& section : m.resources[i].block) {
      out += section.id + ":" + std::string(manifest::blockPartName(section.part)) + " ";
    }
    return out;
  };
  EXPECT_EQ(sections(0), "p1-b1:block ");
  EXPECT_EQ(sections(1), "p1-b1:block p1-b2:block ");
  EXPECT_EQ(sections(2), "p1-b1:block p1-b2:always ");
  EXPECT_EQ(sections(3), "p1-b1:rescue ");
  EXPECT_EQ(sections(4), "p1-b1:always ");
  EXPECT_EQ(sections(5), "");  // a block without rescue or always only groups
  EXPECT_EQ(sections(6), "");
  // What the agent reads is valid: parts in order, blocks contiguous.
  EXPECT_TRUE(manifest::checkBlocks(m)) << manifest::checkBlocks(m).error().describe();
}

TEST_F(CompilerTest, ArgumentsReadingRegisteredResultsBecomeLateBindings) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    name: app\n"
        "  tasks:\n"
        "    - command: mktemp -d\n"
        "      register: tmp\n"
        "    - copy:\n"
        "        dest: \"{{ tmp.stdout | trim }}/{{ name }}.conf\"\n"
        "        content: \"{{ name }}\\n\"\n"
        "    - command: cat {{ tmp.stdout }}/{{ name }}.conf\n"
        "    - debug: msg=\"{{ tmp['stdout_lines'][0] | default('none') }}\"\n"
        "    - file: path={{ tmp.stdout }} state=absent\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 5u);
  const nlohmann::json manifest_json = manifest::toJson(m);
  const auto& copy = manifest_json["resources"][1];
  EXPECT_TRUE(copy["params"]["dest"].is_null());
  EXPECT_EQ(copy["params"]["content"], "app\n");  // compile-time values stay in params
  EXPECT_EQ(copy["late"], nlohmann::json::parse(R"([{"param": "/dest", "parts": [
      {"field": "tmp.stdout", "filters": ["trim"]}, "/app.conf"]}])"));
  EXPECT_EQ(manifest_json["resources"][2]["params"]["argv"][0], "cat");
  EXPECT_EQ(manifest_json["resources"][2]["late"], nlohmann::json::parse(R"([{"param": "/argv/1",
      "parts": [{"field": "tmp.stdout"}, "/app.conf"]}])"));
  EXPECT_EQ(manifest_json["resources"][3]["late"][0]["parts"][0],
            nlohmann::json::parse(R"({"field": "tmp.stdout_lines[0]",
                "filters": [{"name": "default", "argument": "none"}]})"));
  EXPECT_EQ(manifest_json["resources"][4]["late"][0]["param"], "/path");
  // What the compiler wrote is what the agent accepts.
  auto parsed = manifest::parseManifest(manifest_json.dump(), "m.json");
  EXPECT_TRUE(parsed) << parsed.error().describe();
}

TEST_F(CompilerTest, RunTimeValuesTheAgentCannotFillInAreErrorsNamingThem) {
  const auto expectError = [&](const std::string& name, const std::string& task,
                               const std::string& message, const std::string& where) {
    write(name,
          "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
          "    - stat: path=/etc/hosts\n      register: st\n" +
              task);
    auto result = compile(name);
    ASSERT_FALSE(result) << name;
    EXPECT_NE(result.error().message().find(message), std::string::npos)
        << name << ": " << result.error().describe();
    EXPECT_NE(result.error().describe().find(where), std::string::npos)
        << name << ": " << result.error().describe();
  };
  expectError("filter.yml", "    - debug: msg=\"{{ st.stat.path | regex_replace('a', 'b') }}\"\n",
              "through the filter 'regex_replace'", "filter.yml:6");
  expectError("statement.yml",
              "    - debug:\n        msg: \"{% if st.stat.exists %}yes{% endif %}\"\n",
              "{% %} statement", "statement.yml:7");
  expectError("force.yml", "    - file: path=/tmp/x force={{ st.stat.exists }}\n",
              "a result registered at run time", "force.yml:6");
  expectError("copy_src.yml", "    - copy: src={{ st.stat.path }} dest=/tmp/x\n",
              "a result registered at run time", "copy_src.yml:6");
  expectError("loop.yml", "    - debug: msg={{ item }}\n      loop: \"{{ st.stat.lines }}\"\n",
              "registered on the host at run time", "loop.yml:7");
}

TEST_F(CompilerTest, RegisterOnLoopsAndTasksSkippedByTheController) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - command: echo {{ item }}\n"
        "      loop: [a, b, c]\n"
        "      when: item != 'b'\n"
        "      register: echoed\n"
        "    - debug: msg=never\n"
        "      when: false\n"
        "      register: skipped_one\n"
        "    - debug: msg={{ item }}\n"
        "      loop: []\n"
        "      register: empty_loop\n"
        "    - debug: msg=\"{{ skipped_one.skip_reason }} {{ empty_loop.skipped_reason }}\"\n"
        "      when: skipped_one is skipped and empty_loop.results | length == 0\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 3u);
  for (std::size_t i : {0u, 1u}) {
    ASSERT_TRUE(m.resources[i].loop) << i;
    EXPECT_EQ(m.resources[i].register_as, "echoed");
    EXPECT_EQ(m.resources[i].loop->task, "p1-t1");
    EXPECT_EQ(m.resources[i].loop->count, 3u);
    EXPECT_EQ(m.resources[i].loop->var, "item");
  }
  EXPECT_EQ(m.resources[0].loop->index, 0u);
  EXPECT_EQ(m.resources[1].loop->index, 2u);
  EXPECT_EQ(m.resources[1].loop->item, "c");
  // Known at compile time: the skipped task's and the empty loop's results.
  EXPECT_EQ(m.resources[2].params["msg"], "Conditional result was False No items in the list");
}

TEST_F(CompilerTest, IncludesLoopAndImportsCarryRunTimeConditions) {
  write("site.yml",
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - include_tasks: site_dir.yml\n"
        "      loop: [alpha, beta]\n"
        "      loop_control: {loop_var: site}\n"
        "      when: site != 'gamma'\n"
        "    - stat: path=/etc/ready\n"
        "      register: ready\n"
        "    - import_tasks: finish.yml\n"
        "      when: ready.stat.exists\n");
  write("site_dir.yml", "- file: path=/srv/{{ site }} state=directory\n");
  write("finish.yml", "- debug: msg=one\n- debug: msg=two\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 5u);
  EXPECT_EQ(m.resources[0].params["path"], "/srv/alpha");
  EXPECT_EQ(m.resources[1].params["path"], "/srv/beta");
  for (std::size_t i : {3u, 4u}) {
    ASSERT_TRUE(m.resources[i].when) << i;
    EXPECT_EQ(manifest::conditionToJson(*m.resources[i].when),
              nlohmann::json::parse(R"({"field": "ready.stat.exists", "op": "truthy"})"));
  }

  write("dynamic.yml",
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - stat: path=/etc/ready\n      register: ready\n"
        "    - include_tasks: finish.yml\n      when: ready.stat.exists\n");
  auto dynamic = compile("dynamic.yml");
  ASSERT_FALSE(dynamic);
  EXPECT_NE(dynamic.error().message().find("use import_tasks"), std::string::npos)
      << dynamic.error().describe();
  EXPECT_NE(dynamic.error().where().find("dynamic.yml:6"), std::string::npos)
      << dynamic.error().describe();
}

TEST_F(CompilerTest, DelegatedReadsRunOnTheControllerWhileCompiling) {
  std::vector<std::string> ran;
  run_on_controller_ = [&](const manifest::ResourceSpec& spec) -> Result<Data> {
    ran.push_back(spec.type + " " + spec.params.dump());
    if (spec.type == "stat") {
      return Data{{"changed", false}, {"failed", false}, {"stat", {{"exists", true}}}};
    }
    return Data{{"changed", true}, {"failed", false}, {"rc", 0}, {"stdout", "abc123"}};
  };
  allow_pipe_ = true;
  const std::string play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n";
  write("site.yml", play +
                        "    - stat: path=/srv/build/app.tar.gz\n"
                        "      delegate_to: localhost\n"
                        "      register: artifact\n"
                        "    - command: git rev-parse HEAD\n"
                        "      delegate_to: \"{{ 'local' + 'host' }}\"\n"
                        "      register: rev\n"
                        "      changed_when: false\n"
                        "    - copy: dest=/srv/app/REVISION content=\"{{ rev.stdout }}\\n\"\n"
                        "      when: artifact.stat.exists and not rev.changed\n"
                        "    - debug: msg=hello\n"
                        "      delegate_to: localhost\n");
  const manifest::Manifest m = compileOne();
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[0].params["content"], "abc123\n");
  EXPECT_FALSE(m.resources[0].when);  // decided while compiling
  EXPECT_EQ(m.resources[1].type, "debug");
  ASSERT_EQ(ran.size(), 2u);
  EXPECT_EQ(ran[0], R"(stat {"path":"/srv/build/app.tar.gz"})");

  const auto expectError = [&](const std::string& name, const std::string& task,
                               const std::string& message) {
    write(name, play + task);
    auto result = compile(name);
    ASSERT_FALSE(result) << name;
    EXPECT_NE(result.error().message().find(message), std::string::npos)
        << name << ": " << result.error().describe();
    EXPECT_NE(result.error().where().find(name + ":5"), std::string::npos)
        << name << ": " << result.error().describe();
  };
  expectError("other_host.yml", "    - stat: path=/x\n      delegate_to: web2\n",
              "delegate_to: web2 is not supported");
  expectError("writes.yml", "    - file: path=/x state=touch\n      delegate_to: localhost\n",
              "only for tasks that read");
  expectError("may_write.yml", "    - command: make\n      delegate_to: localhost\n",
              "only for tasks that read");
  allow_pipe_ = false;
  expectError("not_allowed.yml",
              "    - command: make -n\n      delegate_to: localhost\n      changed_when: false\n",
              "--allow-pipe");
}

}  // namespace
}  // namespace sc::controller::compiler
