#include "controller/playbook/module_names.h"

#include <algorithm>
#include <array>

namespace sc::controller::playbook {
namespace {

constexpr std::string_view kBuiltin = "ansible.builtin";

// Modules real web-stack playbooks use (design notes: ANSIBLE-USAGE.md)
// plus the task-list actions. Free-form ones first.
constexpr std::array kModules = {
    ModuleName{"command", kBuiltin, true, true},
    ModuleName{"shell", kBuiltin, true, true},
    ModuleName{"raw", kBuiltin, true, true},
    ModuleName{"script", kBuiltin, true, true},
    ModuleName{"include", kBuiltin, false, true},
    ModuleName{"include_tasks", kBuiltin, false, true},
    ModuleName{"import_tasks", kBuiltin, false, true},
    ModuleName{"include_role", kBuiltin, false, true},
    ModuleName{"import_role", kBuiltin, false, true},
    ModuleName{"include_vars", kBuiltin, false, true},
    ModuleName{"import_playbook", kBuiltin, false, true},
    ModuleName{"set_fact", kBuiltin, false, true},
    ModuleName{"meta", kBuiltin, false, true},
    ModuleName{"add_host", kBuiltin, false, true},
    ModuleName{"group_by", kBuiltin, false, true},
    ModuleName{"apt", kBuiltin},
    ModuleName{"apt_key", kBuiltin},
    ModuleName{"apt_repository", kBuiltin},
    ModuleName{"assemble", kBuiltin},
    ModuleName{"assert", kBuiltin},
    ModuleName{"blockinfile", kBuiltin},
    ModuleName{"copy", kBuiltin},
    ModuleName{"cron", kBuiltin},
    ModuleName{"debconf", kBuiltin},
    ModuleName{"debug", kBuiltin},
    ModuleName{"dnf", kBuiltin},
    ModuleName{"fail", kBuiltin},
    ModuleName{"fetch", kBuiltin},
    ModuleName{"file", kBuiltin},
    ModuleName{"find", kBuiltin},
    ModuleName{"gather_facts", kBuiltin},
    ModuleName{"get_url", kBuiltin},
    ModuleName{"getent", kBuiltin},
    ModuleName{"git", kBuiltin},
    ModuleName{"group", kBuiltin},
    ModuleName{"hostname", kBuiltin},
    ModuleName{"iptables", kBuiltin},
    ModuleName{"known_hosts", kBuiltin},
    ModuleName{"lineinfile", kBuiltin},
    ModuleName{"package", kBuiltin},
    ModuleName{"pause", kBuiltin},
    ModuleName{"ping", kBuiltin},
    ModuleName{"pip", kBuiltin},
    ModuleName{"reboot", kBuiltin},
    ModuleName{"replace", kBuiltin},
    ModuleName{"service", kBuiltin},
    ModuleName{"setup", kBuiltin},
    ModuleName{"slurp", kBuiltin},
    ModuleName{"stat", kBuiltin},
    ModuleName{"systemd", kBuiltin},
    ModuleName{"systemd_service", kBuiltin},
    ModuleName{"tempfile", kBuiltin},
    ModuleName{"template", kBuiltin},
    ModuleName{"unarchive", kBuiltin},
    ModuleName{"uri", kBuiltin},
    ModuleName{"user", kBuiltin},
    ModuleName{"wait_for", kBuiltin},
    ModuleName{"yum", kBuiltin},
    ModuleName{"yum_repository", kBuiltin},
    ModuleName{"authorized_key", "ansible.posix"},
    ModuleName{"firewalld", "ansible.posix"},
    ModuleName{"mount", "ansible.posix"},
    ModuleName{"seboolean", "ansible.posix"},
    ModuleName{"sysctl", "ansible.posix"},
    ModuleName{"synchronize", "ansible.posix"},
    ModuleName{"apache2_module", "community.general"},
    ModuleName{"composer", "community.general"},
    ModuleName{"django_manage", "community.general"},
    ModuleName{"supervisorctl", "community.general"},
    ModuleName{"ufw", "community.general"},
    ModuleName{"mysql_db", "community.mysql"},
    ModuleName{"mysql_user", "community.mysql"},
    ModuleName{"postgresql_db", "community.postgresql"},
    ModuleName{"postgresql_user", "community.postgresql"},
    ModuleName{"openssl_csr", "community.crypto"},
    ModuleName{"openssl_privatekey", "community.crypto"},
    ModuleName{"x509_certificate", "community.crypto"},
};

}  // namespace

const ModuleName* findModule(std::string_view written) {
  std::string_view collection;
  std::string_view name = written;
  if (const std::size_t dot = written.rfind('.'); dot != std::string_view::npos) {
    collection = written.substr(0, dot);
    name = written.substr(dot + 1);
  }
  for (const ModuleName& module : kModules) {
    if (module.name != name) continue;
    if (collection.empty() || collection == module.collection || collection == "ansible.legacy") {
      return &module;
    }
  }
  return nullptr;
}

const std::vector<std::string_view>& moduleShortNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const ModuleName& module : kModules) out.push_back(module.name);
    return out;
  }();
  return names;
}

}  // namespace sc::controller::playbook
