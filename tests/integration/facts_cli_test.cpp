// `sc-agent facts` end to end with the real binary: the JSON object on this
// host (names, the values uname(2) gives, nothing on stderr), a fixture
// root's distribution, the key: value listing, usage errors, and the facts
// read back by `scctl compile --facts DIR` so playbooks branch on them.
// Value by value comparison with Ansible's setup module is
// tests/ansible/facts_differential.py (label ansible).
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <filesystem>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fixture(const std::string& name) {
  return fs::path(SC_SOURCE_DIR) / "tests" / "fixtures" / "facts" / name;
}

json factsOf(const RunResult& result) {
  const json facts = json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(facts.is_object()) << result.describe();
  return facts.is_object() ? facts : json::object();
}

TEST(FactsCliTest, JsonOnThisHostHasAnsiblesNamesAndTheKernelsValues) {
  const RunResult result = runProgram({agentBinary(), "facts", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(result.err, "");
  const json facts = factsOf(result);
  for (const auto& [key, value] : facts.items()) EXPECT_TRUE(key.starts_with("ansible_")) << key;
  for (const char* key : {"ansible_hostname",
                          "ansible_nodename",
                          "ansible_fqdn",
                          "ansible_domain",
                          "ansible_os_family",
                          "ansible_distribution",
                          "ansible_distribution_version",
                          "ansible_distribution_major_version",
                          "ansible_distribution_release",
                          "ansible_system",
                          "ansible_kernel",
                          "ansible_architecture",
                          "ansible_machine",
                          "ansible_default_ipv4",
                          "ansible_all_ipv4_addresses",
                          "ansible_memtotal_mb",
                          "ansible_memfree_mb",
                          "ansible_processor_count",
                          "ansible_processor_cores",
                          "ansible_processor_vcpus",
                          "ansible_service_mgr",
                          "ansible_pkg_mgr",
                          "ansible_user_id",
                          "ansible_virtualization_type",
                          "ansible_virtualization_role"}) {
    EXPECT_TRUE(facts.contains(key)) << key;
  }
  utsname host{};
  ASSERT_EQ(::uname(&host), 0);
  EXPECT_EQ(facts.value("ansible_system", ""), host.sysname);
  EXPECT_EQ(facts.value("ansible_nodename", ""), host.nodename);
  EXPECT_EQ(facts.value("ansible_kernel", ""), host.release);
  EXPECT_EQ(facts.value("ansible_machine", ""), host.machine);
  EXPECT_GT(facts.value("ansible_memtotal_mb", 0), 0);
  EXPECT_GE(facts.value("ansible_processor_vcpus", 0), 1);
  EXPECT_TRUE(facts["ansible_default_ipv4"].is_object());
  EXPECT_TRUE(facts["ansible_all_ipv4_addresses"].is_array());
  EXPECT_FALSE(facts.contains("ansible_env")) << "the environment may hold secrets";
}

TEST(FactsCliTest, RootReadsTheFixturesFiles) {
  const RunResult result =
      runProgram({agentBinary(), "facts", "--json", "--root", fixture("rocky9").string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const json facts = factsOf(result);
  EXPECT_EQ(facts.value("ansible_distribution", ""), "Rocky");
  EXPECT_EQ(facts.value("ansible_distribution_version", ""), "9.3");
  EXPECT_EQ(facts.value("ansible_distribution_release", ""), "Blue Onyx");
  EXPECT_EQ(facts.value("ansible_os_family", ""), "RedHat");
  EXPECT_EQ(facts.value("ansible_pkg_mgr", ""), "dnf");
  EXPECT_FALSE(facts.contains("ansible_python")) << "programs under another root are not run";
}

TEST(FactsCliTest, ListingIsKeyColonValueWithDottedNestedKeys) {
  const RunResult result =
      runProgram({agentBinary(), "facts", "--root", fixture("debian12").string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_NE(result.out.find("\nansible_distribution: Debian\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\nansible_distribution_version: 12.5\n"), std::string::npos);
  EXPECT_NE(result.out.find("\nansible_memory_mb.real.total: 7850\n"), std::string::npos);
  EXPECT_NE(result.out.find("\nansible_default_ipv4.interface: eth0\n"), std::string::npos);
  EXPECT_NE(result.out.find("\nansible_default_ipv4.gateway: 192.168.0.1\n"), std::string::npos);
}

TEST(FactsCliTest, RootThatIsNotADirectoryIsAUsageError) {
  const RunResult result =
      runProgram({agentBinary(), "facts", "--root", "/nonexistent/sc-facts-root"});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("--root '/nonexistent/sc-facts-root' is not a directory"),
            std::string::npos)
      << result.err;
  const RunResult unknown = runProgram({agentBinary(), "facts", "--jsn"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.describe();
}

TEST(FactsCliTest, HelpShowsAnExampleAndTheExitCodes) {
  const RunResult result = runProgram({agentBinary(), "facts", "--help"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_NE(result.out.find("sc-agent facts --json"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Exit codes:"), std::string::npos) << result.out;
}

TEST(FactsCliTest, ScctlCompileBranchesOnGatheredFacts) {
  TempDir dir;
  const fs::path facts_dir = dir.path() / "facts";
  fs::create_directories(facts_dir);
  const RunResult gathered =
      runProgram({agentBinary(), "facts", "--json", "--root", fixture("amazon2023").string()});
  ASSERT_EQ(gathered.exit_code, 0) << gathered.describe();
  writeFile(facts_dir / "web1.json", gathered.out);
  const fs::path playbook = dir.path() / "site.yml";
  writeFile(playbook, R"(- hosts: web1
  tasks:
    - name: RedHat family only
      copy:
        dest: /etc/motd
        content: "{{ ansible_distribution }} {{ ansible_facts.os_family }} {{ ansible_distribution_major_version }}\n"
      when: ansible_os_family == "RedHat"
    - name: Debian family only
      copy:
        dest: /etc/issue
        content: "debian\n"
      when: ansible_facts['os_family'] == "Debian"
)");
  const RunResult compiled = runProgram(
      {SC_SCCTL_BIN, "compile", playbook.string(), "-i", "web1,", "--facts", facts_dir.string()});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.describe();
  const json manifests = json::parse(compiled.out, nullptr, false);
  ASSERT_TRUE(manifests.is_object()) << compiled.out;
  const std::string text = manifests.dump();
  EXPECT_NE(text.find("Amazon RedHat 2023\\n"), std::string::npos) << compiled.out;
  EXPECT_EQ(text.find("debian\\n"), std::string::npos) << compiled.out;
}

}  // namespace
}  // namespace sc::testing
