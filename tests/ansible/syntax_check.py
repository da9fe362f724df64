#!/usr/bin/env python3
"""Differential test: which playbooks are valid, for ansible-playbook --syntax-check and scctl.

Every case is a directory holding a site.yml and whatever it needs:
- valid: each golden case (tests/golden/cases/*) as checked in, and the valid
  entries of HANDWRITTEN (constructs real playbooks use that the goldens do
  not show). Both tools must accept them.
- invalid: MUTATIONS applied to copies of the golden cases (an unknown
  module, keyword or role, a missing imported file, broken YAML, malformed
  key=value arguments...) and the invalid entries of HANDWRITTEN. Both must
  reject them. Ansible's message must hold the text the case names, so a
  mutation that breaks the file in some other way shows up.
- KNOWN_DIFFERENCES: where the two differ on purpose (Ansible's syntax check
  neither evaluates templates and conditions nor reads what is included at
  run time; modules scctl does not compile yet). They run too and must still
  differ, or the entry is stale and the test fails.
Whenever scctl rejects a case, its message must name the faulty file and a
line (FILE:LINE[:COL]); the table shows whether that is the faulty line
itself ("=") or another one (a YAML error found further on, the other key
of a conflicting pair...). scctl must never exit other than 0 or 3.

Each case is compiled as tests/golden/golden_test.cpp compiles a golden:
scctl compile CASE/site.yml -i CASE/inventory (else -i localhost,)
[--facts CASE/facts] [-e @CASE/extra_vars.json]; ansible-playbook
--syntax-check gets the same inventory, and finds roles/ beside the playbook
on its default roles path. The ansible runs go two at a time (--jobs).

Standard library only. Exit status: 0 all agree, 1 some differ, 77 skip (no
ansible-playbook), 2 bad usage.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "cases")

# What Ansible's error says for each kind of mistake.
UNKNOWN_MODULE = "couldn't resolve module/action"
# Ansible takes an unknown task key for a second module: "conflicting action statements: copy, x".
# It says so when the key comes after the module; a key before it whose value is not a string
# fails on that value instead ("unexpected parameter type"), so such keys go below the module.
CONFLICT = "conflicting action statements"
PLAY_ATTR = "is not a valid attribute for a Play"
BLOCK_ATTR = "is not a valid attribute for a Block"
TASK_ATTR = "is not a valid attribute for a Task"
NO_MODULE = "no module/action detected in task"
NO_ROLE = "was not found"
NO_FILE = "Could not find or access"
SPLIT = "failed at splitting arguments"
YAML = "Syntax Error while loading YAML"
TWO_LOOPS = "duplicate loop in task"
NO_HOSTS = "the field 'hosts' is required"
NOT_A_PLAY = "playbook entries must be either valid plays"
NOT_A_DICT = "must be specified as a dictionary"


class StaleEdit(Exception):
    """A mutation's anchor text is no longer in the golden case it edits."""


class Edit:
    """A change to one file of a case: `change` maps its text (empty when absent) to the new."""

    def __init__(self, path, change):
        self.path = path
        self.change = change


def _line_holding(lines, anchor, path):
    for index, line in enumerate(lines):
        if anchor in line:
            return index
    raise StaleEdit(f"no line of {path} holds {anchor!r}")


def replace(path, old, new):
    """Replaces the first occurrence of `old` (it may span lines)."""
    def change(text):
        if old not in text:
            raise StaleEdit(f"{path} does not hold {old!r}")
        return text.replace(old, new, 1)
    return Edit(path, change)


def add_key(path, anchor, *keys):
    """Adds `keys` ("key: value" lines) right below the line holding `anchor`, at the
    column of that line's key: the anchor must be a one-line entry of the mapping
    (or the first line of a list item, whose mapping starts after "- ")."""
    def change(text):
        lines = text.splitlines(True)
        at = _line_holding(lines, anchor, path)
        body = lines[at].lstrip(" ")
        column = len(lines[at]) - len(body) + (2 if body.startswith("- ") else 0)
        lines[at + 1:at + 1] = [" " * column + key + "\n" for key in keys]
        return "".join(lines)
    return Edit(path, change)


def add_item(path, anchor, *item):
    """Inserts a list item before the item that starts on the line holding `anchor`:
    `item` is its lines, the first written after "- "."""
    def change(text):
        lines = text.splitlines(True)
        at = _line_holding(lines, anchor, path)
        column = len(lines[at]) - len(lines[at].lstrip(" "))
        lines[at:at] = ([" " * column + "- " + item[0] + "\n"]
                        + [" " * (column + 2) + line + "\n" for line in item[1:]])
        return "".join(lines)
    return Edit(path, change)


def append(path, text):
    return Edit(path, lambda old: old + text)


def prepend(path, text):
    return Edit(path, lambda old: text + old)


class Case:
    def __init__(self, cid, valid, *, golden=None, files=None, edit=None, at=None, says=None,
                 known=None):
        self.id = cid
        self.valid = valid    # what both tools must decide (ignored for a known difference)
        self.golden = golden  # the golden case the directory starts as
        self.files = files or {}  # files written on top of it (handwritten cases)
        self.edit = edit      # the mutation
        self.at = at          # (file, text on the faulty line) of a handwritten invalid case
        self.says = says      # text Ansible's rejection must hold
        self.known = known    # why the tools differ on this case on purpose


def golden_names():
    return sorted(name for name in os.listdir(GOLDEN_DIR)
                  if os.path.isfile(os.path.join(GOLDEN_DIR, name, "site.yml")))


# --- invalid: mutations of the golden cases ----------------------------------------------

MUTATIONS = []


def mutation(golden, name, edit, says):
    MUTATIONS.append(Case(f"invalid/{golden}/{name}", False, golden=golden, edit=edit, says=says))


SITE = "site.yml"

# blocks_tags: blocks with keywords, import_tasks of tasks/extra.yml, key=value arguments.
G = "blocks_tags"
mutation(G, "unknown_module_in_imported_file",
         replace("tasks/extra.yml", "  lineinfile:", "  lineinfle:"), UNKNOWN_MODULE)
mutation(G, "unknown_module_in_block", replace(SITE, "- debug: msg=never", "- debugg: msg=never"),
         UNKNOWN_MODULE)
mutation(G, "unknown_task_keyword", add_key(SITE, '- debug: msg="always runs"', "tagz: [x]"),
         CONFLICT)
mutation(G, "unknown_block_keyword", add_key(SITE, "- name: tls block", "become_usr: root"),
         BLOCK_ATTR)
mutation(G, "unknown_play_keyword", add_key(SITE, "- hosts: localhost", "gather_fact: false"),
         PLAY_ATTR)
mutation(G, "missing_import_tasks",
         replace(SITE, "import_tasks: tasks/extra.yml", "import_tasks: tasks/missing.yml"), NO_FILE)
mutation(G, "missing_import_playbook", prepend(SITE, "- import_playbook: missing.yml\n"), NO_FILE)
mutation(G, "import_tasks_with_loop",
         add_key(SITE, "- import_tasks: tasks/extra.yml", "loop: [1, 2]"),
         "You cannot use loops on 'import_tasks' statements")
mutation(G, "sudo_on_task", add_key(SITE, '- debug: msg="only when asked"', "sudo: yes"), CONFLICT)
mutation(G, "sudo_on_block", add_key(SITE, "- name: disabled block", "sudo: yes"), BLOCK_ATTR)
mutation(G, "two_modules", add_key(SITE, '- debug: msg="always runs"', "command: /bin/true"),
         CONFLICT)
mutation(G, "no_module", replace(SITE, '- debug: msg="always runs"', "- name: always runs"),
         NO_MODULE)
mutation(G, "block_with_module",
         add_key(SITE, "- name: tls block", "copy: content=x dest=/tmp/x"), BLOCK_ATTR)
mutation(G, "kv_unbalanced_quote", replace(SITE, 'msg="always runs"', 'msg="always runs'), SPLIT)
mutation(G, "kv_unbalanced_jinja",
         replace(SITE, "path={{ cert_dir }} state", "path={{ cert_dir } state"), SPLIT)
mutation(G, "loop_and_with_items",
         add_key(SITE, '- debug: msg="only when asked"', "loop: [1]", "with_items: [2]"), TWO_LOOPS)
mutation(G, "with_nonexistentlookup",
         add_key(SITE, '- debug: msg="always runs"', "with_nonexistentlookup: [1]"), TASK_ATTR)
mutation(G, "yaml_bad_indent", replace(SITE, "      tags: tls", "     tags: tls"), YAML)
mutation(G, "yaml_unclosed_quote_in_imported_file",
         replace("tasks/extra.yml", "- name: from the", '- name: "from the'), YAML)
mutation(G, "yaml_tab", replace(SITE, "  tags: [site]", "\ttags: [site]"), YAML)
mutation(G, "hosts_missing",
         replace(SITE, "- hosts: localhost\n  gather_facts: false", "- gather_facts: false"),
         NO_HOSTS)
mutation(G, "play_not_a_mapping", append(SITE, "- localhost\n"), NOT_A_PLAY)

# facts_hostvars: include_vars by OS family, a template reading other hosts' facts.
G = "facts_hostvars"
mutation(G, "unknown_module",
         replace(SITE, "template: src=app.ini.j2", "templates: src=app.ini.j2"), UNKNOWN_MODULE)
mutation(G, "unknown_fqcn_module",
         replace(SITE, "      debug: msg=", "      ansible.builtin.debugg: msg="), UNKNOWN_MODULE)
mutation(G, "unknown_task_keyword",
         add_key(SITE, "- name: application settings", "notfy: restart app"), CONFLICT)
mutation(G, "unknown_play_keyword", add_key(SITE, "- hosts: web", "remote_usr: deploy"), PLAY_ATTR)
mutation(G, "sudo_on_play", add_key(SITE, "- hosts: web", "sudo: yes"), PLAY_ATTR)
mutation(G, "sudo_user_on_task",
         add_key(SITE, "- name: only on Debian family", "sudo_user: root"), CONFLICT)
mutation(G, "two_modules",
         add_key(SITE, "- name: application settings", "copy: content=x dest=/tmp/x"), CONFLICT)
mutation(G, "kv_unbalanced_jinja",
         replace(SITE, "dest={{ app_conf }} mode", "dest={{ app_conf mode"), SPLIT)
mutation(G, "yaml_bad_indent",
         replace(SITE, "      when: ansible_facts", "     when: ansible_facts"), YAML)
mutation(G, "hosts_missing", replace(SITE, "- hosts: web\n  tasks:", "- tasks:"), NO_HOSTS)

# loops: loop, with_items, with_dict, loop_control, flow-style data.
G = "loops"
mutation(G, "loop_then_with_items", add_key(SITE, 'loop: "{{ files }}"', "with_items: [1]"),
         TWO_LOOPS)
mutation(G, "with_dict_and_with_items",
         add_key(SITE, '- debug: msg="{{ item.key }}', "with_items: [1]"), TWO_LOOPS)
mutation(G, "with_nonexistentlookup", replace(SITE, "with_dict:", "with_nonexistentlookup:"),
         TASK_ATTR)
mutation(G, "with_item_misspelt", replace(SITE, "with_items:", "with_item:"), TASK_ATTR)
mutation(G, "unknown_module", replace(SITE, "- file: path=/srv", "- files: path=/srv"),
         UNKNOWN_MODULE)
mutation(G, "loop_control_unknown_key", add_key(SITE, "loop_var: user", "loop_vars: user"),
         "is not a valid attribute for a LoopControl")
mutation(G, "unknown_task_keyword",
         add_key(SITE, "- name: home of {{ user.key }}", "loop_contrl: {}"), CONFLICT)
mutation(G, "unknown_play_keyword", add_key(SITE, "- hosts: localhost", "varz: {}"), PLAY_ATTR)
mutation(G, "sudo_user_on_task",
         add_key(SITE, "- name: home of {{ user.key }}", "sudo_user: root"), CONFLICT)
mutation(G, "module_args_a_list",
         replace(SITE, 'debug: msg="{{ item.key }} has uid {{ item.value.uid }}"',
                 "debug: [msg, hello]"), "unexpected parameter type in action")
mutation(G, "kv_unbalanced_quote",
         replace(SITE, 'has uid {{ item.value.uid }}"', "has uid {{ item.value.uid }}"), SPLIT)
mutation(G, "yaml_unclosed_bracket",
         replace(SITE, "packages_dirs: [a, [b, c]]", "packages_dirs: [a, [b, c]"), YAML)
mutation(G, "yaml_unclosed_brace",
         replace(SITE, '- {path: /etc/two, content: "2\\n"}', '- {path: /etc/two, content: "2\\n"'),
         YAML)
mutation(G, "play_not_a_mapping", append(SITE, "- [localhost]\n"), NOT_A_PLAY)

# precedence: a role with defaults and vars, vars_files, block and task vars.
G = "precedence"
mutation(G, "missing_role", replace(SITE, "- role: app", "- role: ap"), NO_ROLE)
mutation(G, "missing_import_role",
         add_item(SITE, "- set_fact:", "import_role: name=missing_role"), NO_ROLE)
mutation(G, "unknown_module_in_role",
         replace("roles/app/tasks/main.yml", "- debug: msg=", "- debugg: msg="), UNKNOWN_MODULE)
mutation(G, "unknown_task_keyword_in_role",
         add_key("roles/app/tasks/main.yml", "- debug:", "whn: true"), CONFLICT)
mutation(G, "unknown_block_keyword",
         replace(SITE, "      vars:\n        from_block", "      varz:\n        from_block"),
         BLOCK_ATTR)
mutation(G, "block_with_module",
         replace(SITE, "      vars:\n        from_block",
                 "      command: /bin/true\n      vars:\n        from_block"), BLOCK_ATTR)
mutation(G, "unknown_play_keyword", add_key(SITE, "- hosts: web", "gather_facts_: false"),
         PLAY_ATTR)
mutation(G, "task_vars_a_list",
         replace(SITE, "          vars:\n            from_task: task",
                 "          vars: [from_task]"), NOT_A_DICT)
mutation(G, "kv_unbalanced_quote", replace(SITE, 'msg="{{ from_play }}"', 'msg="{{ from_play }}'),
         SPLIT)
mutation(G, "yaml_bad_indent_in_vars_file",
         replace("vars.yml", "from_extra: vars_file", " from_extra: vars_file"), YAML)
mutation(G, "yaml_tab_in_role_defaults",
         replace("roles/app/defaults/main.yml", "from_host: role_default",
                 "\tfrom_host: role_default"), YAML)

# roles_handlers: a Galaxy-style role with meta dependencies, handlers and listen.
G = "roles_handlers"
ROLE = "roles/acme.nginx/"
mutation(G, "missing_galaxy_role", replace(SITE, "- role: acme.nginx", "- role: acme.nginxx"),
         NO_ROLE)
mutation(G, "missing_meta_dependency",
         replace(ROLE + "meta/main.yml", "  - role: common", "  - role: commons"), NO_ROLE)
mutation(G, "role_entry_without_name", replace(SITE, "- role: common", "- tags: [common]"),
         "role definitions must contain a role name")
mutation(G, "unknown_module_in_role_handler",
         replace(ROLE + "handlers/main.yml", "  command: /usr/sbin/nginx -s reload",
                 "  comand: cmd='/usr/sbin/nginx -s reload'"), UNKNOWN_MODULE)
mutation(G, "unknown_handler_keyword", add_key(SITE, "- name: announce motd", "listen_to: x"),
         CONFLICT)
mutation(G, "unknown_task_keyword_in_role",
         add_key(ROLE + "tasks/main.yml", "- name: site config", "notifiy: reload nginx"), CONFLICT)
mutation(G, "sudo_in_role",
         add_key(ROLE + "tasks/main.yml", "notify: [reload nginx]", "sudo: true"), CONFLICT)
mutation(G, "two_modules_in_role_handler",
         add_key(ROLE + "handlers/main.yml", "- name: reload nginx", "shell: /bin/true"), CONFLICT)
mutation(G, "kv_unbalanced_quote_in_role",
         replace(ROLE + "tasks/main.yml", "template: src=site.conf.j2",
                 "template: src='site.conf.j2"), SPLIT)
mutation(G, "hosts_missing", replace(SITE, "  hosts: all\n", ""), NO_HOSTS)
mutation(G, "unknown_play_keyword", add_key(SITE, "- name: web servers", "hots: all"), PLAY_ATTR)
mutation(G, "missing_import_playbook", append(SITE, "- import_playbook: other.yml\n"), NO_FILE)
mutation(G, "play_not_a_mapping", append(SITE, "- hosts\n"), NOT_A_PLAY)
mutation(G, "yaml_unclosed_bracket_in_meta",
         replace(ROLE + "meta/main.yml", "dependencies:", "dependencies: ["), YAML)
mutation(G, "yaml_bad_indent_in_role_defaults",
         replace(ROLE + "defaults/main.yml", "nginx_user: nobody", "  nginx_user: nobody"), YAML)

# runtime: register, when, changed_when and failed_when over registered results.
G = "runtime"
mutation(G, "unknown_module", replace(SITE, "- stat: path=", "- stats: path="), UNKNOWN_MODULE)
mutation(G, "unknown_task_keyword", add_key(SITE, "- name: install", "registr: result"), CONFLICT)
mutation(G, "loop_and_with_items", add_key(SITE, "- name: report", "loop: [1]", "with_items: [2]"),
         TWO_LOOPS)
mutation(G, "no_module",
         replace(SITE, '- fail: msg="application is not ready"',
                 "- name: application is not ready"), NO_MODULE)
mutation(G, "two_modules", add_key(SITE, "- name: check config", "command: /bin/true"), CONFLICT)
mutation(G, "module_and_action", add_key(SITE, "- name: check config", "action: command /bin/true"),
         CONFLICT)
mutation(G, "legacy_always_run", add_key(SITE, "changed_when: false", "always_run: yes"), CONFLICT)
mutation(G, "missing_import_tasks", add_item(SITE, "- name: report", "import_tasks: missing.yml"),
         NO_FILE)
mutation(G, "sudo_on_play", add_key(SITE, "- hosts: localhost", "sudo: yes"), PLAY_ATTR)
mutation(G, "kv_free_form_unbalanced_quote",
         replace(SITE, "grep -q ready {{ app_dir }}", "grep -q 'ready {{ app_dir }}"), SPLIT)
mutation(G, "yaml_tab", replace(SITE, "      register: marker", "\tregister: marker"), YAML)
mutation(G, "yaml_unclosed_quote",
         replace(SITE, "changed_when: \"'installed' in install.stdout\"",
                 "changed_when: \"'installed' in install.stdout"), YAML)
mutation(G, "hosts_missing",
         replace(SITE, "- hosts: localhost\n  gather_facts: false", "- gather_facts: false"),
         NO_HOSTS)


# --- handwritten playbooks ---------------------------------------------------------------
# The goldens already show key=value arguments, a Galaxy-style role (owner.name) with meta
# dependencies, with_items, register + when, omit, include_vars by OS family and templates
# reading other hosts' hostvars. The valid playbooks here add constructs real playbooks use
# that the goldens do not; the invalid ones, mistakes no golden mutation makes (`at` names the
# faulty line by a piece of its text).

HANDWRITTEN = []


def hand(name, files, valid=True, at=None, says=None):
    HANDWRITTEN.append(Case(f"{'valid' if valid else 'invalid'}/hand/{name}", valid, files=files,
                            at=at, says=says))


hand("include_loop_and_run_time_values", {
    "site.yml": """\
- hosts: localhost
  gather_facts: false
  tasks:
    - include_tasks: site.tasks.yml
      loop: [alpha, beta]
      loop_control:
        loop_var: site
    - command: mktemp -d
      register: scratch
    - command: echo {{ item }}
      loop: [a, b]
      register: echoed
    - copy:
        dest: "{{ scratch.stdout | trim }}/echoed.txt"
        content: "{{ echoed.results[1].stdout }} {{ echoed.msg }}\\n"
    - import_tasks: finish.yml
      when: echoed is changed
""",
    "site.tasks.yml": "- file: path=/srv/{{ site }} state=directory\n",
    "finish.yml": "- debug: msg=finished\n",
})


hand("import_playbook_pre_post_tasks", {
    "site.yml": """\
- import_playbook: base.yml
  vars:
    listen_port: 8080
- name: application
  hosts: localhost
  gather_facts: false
  pre_tasks:
    - debug: msg="before the tasks"
  tasks:
    - command: /usr/bin/make install chdir=/srv/src creates=/usr/local/bin/app
      notify: restart app
    - meta: flush_handlers
  post_tasks:
    - debug:
        msg: after the tasks
  handlers:
    - name: restart app
      command: /bin/systemctl restart app
""",
    "base.yml": """\
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg="port {{ listen_port }}"
""",
})

hand("module_spellings", {
    "site.yml": """\
# FQCN and ansible.legacy names, action:, args: and key=value strings with quotes.
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        content: "x\\n"
        dest: /tmp/fqcn
    - ansible.legacy.file: path=/tmp/legacy state=directory
    - action: file path=/tmp/action state=directory mode=0755
    - action:
        module: copy
        content: y
        dest: /tmp/y
    - command: /usr/bin/make install
      args:
        chdir: /srv/src
        creates: /usr/local/bin/app
    - shell: echo hi > /tmp/hi creates=/tmp/hi
    - lineinfile: path=/etc/app.conf regexp='^listen ' line="listen 8080" create=yes
    - file: path="/tmp/with space" state=directory
    - copy: 'content="a b\\n" dest=/tmp/ab mode=0644'
""",
})

hand("task_files_and_roles", {
    "site.yml": """\
- hosts: localhost
  gather_facts: false
  roles:
    - common
    - role: web
      vars:
        web_port: 81
  tasks:
    - include_tasks: tasks/setup.yml
    - import_tasks: tasks/setup.yml
    - import_role: name=web tasks_from=install
    - include_role:
        name: web
""",
    "tasks/setup.yml": "- file: path=/srv/setup state=directory\n",
    "roles/common/tasks/main.yml": "- debug: msg=common\n",
    "roles/common/meta/main.yml": "allow_duplicates: true\ndependencies: []\n",
    "roles/web/defaults/main.yml": "web_port: 80\n",
    "roles/web/tasks/main.yml": "- debug: msg=\"port {{ web_port }}\"\n",
    "roles/web/tasks/install.yml": "- file: path=/srv/web state=directory\n",
    "roles/web/meta/main.yml": "dependencies:\n  - common\n",
})

hand("vars_and_keywords", {
    "site.yml": """\
- hosts: localhost
  gather_facts: false
  become: true
  become_user: root
  vars_files:
    - vars/common.yml
  tasks:
    - include_vars: vars/extra.yml
    - set_fact: greeting="hello {{ who }}"
    - debug: msg="{{ greeting }}"
      when:
        - who is defined
        - extra_flag | bool
      tags: [greet]
      no_log: true
      ignore_errors: yes
      check_mode: no
    - copy: content={{ motd | default('none') }} dest=/etc/motd mode={{ motd_mode | default(omit) }}
""",
    "vars/common.yml": "who: world\n",
    "vars/extra.yml": "extra_flag: 'yes'\n",
})

hand("inventory_patterns", {
    "inventory": "[web]\nweb1\nweb2\n\n[db]\ndb1\n",
    "site.yml": """\
- hosts: all:!db
  gather_facts: false
  serial: 1
  any_errors_fatal: true
  tasks:
    - debug: msg="{{ inventory_hostname }} of {{ groups['web'] | length }}"
- hosts: db
  gather_facts: false
  tasks:
    - debug: msg="{{ hostvars['web1'].inventory_hostname }}"
      run_once: true
""",
})

hand("yaml_features", {
    "site.yml": """\
---
# Anchors, merge keys, block scalars and flow collections.
- hosts: localhost
  gather_facts: false
  vars:
    base: &base {owner: root, mode: "0644"}
    banner: |
      Welcome
      to this host
    folded: >-
      one
      line
  tasks:
    - copy:
        <<: *base
        content: "{{ banner }}"
        dest: /etc/issue
    - debug: {msg: "{{ folded }}"}
    - file: {path: /srv/a, state: directory}
      with_list: [1, 2]
...
""",
})

hand("handlers_listen_and_lists", {
    "site.yml": """\
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: content=x dest=/etc/x.conf
      notify:
        - reload x
        - web changed
  handlers:
    - name: reload x
      command: /bin/true
    - name: log it
      debug: msg=changed
      listen: web changed
""",
})

hand("lookups", {
    "site.yml": """\
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: src={{ item }} dest=/etc/app/ mode=0644
      with_fileglob: ["files/*.conf"]
    - include_vars: "{{ item }}"
      with_first_found:
        - "vars/{{ inventory_hostname }}.yml"
        - vars/default.yml
    - debug: msg="{{ lookup('file', 'files/a.conf') }} {{ default_port }}"
""",
    "files/a.conf": "a=1\n",
    "vars/default.yml": "default_port: 80\n",
})

hand("tasks_not_a_list", {"site.yml": """\
- hosts: localhost
  tasks:
    copy: content=x dest=/tmp/x
"""}, valid=False, at=("site.yml", "copy: content=x"), says="should be a list or None")

hand("playbook_a_mapping", {"site.yml": "hosts: localhost\ntasks: []\n"}, valid=False,
     at=("site.yml", "hosts: localhost"), says="A playbook must be a list of plays")

hand("play_level_include", {"site.yml": "- include: other.yml\n", "other.yml": "[]\n"},
     valid=False, at=("site.yml", "- include"), says=PLAY_ATTR)

hand("play_vars_a_list", {"site.yml": """\
- hosts: localhost
  vars: [a, b]
  tasks: []
"""}, valid=False, at=("site.yml", "vars: [a, b]"), says=NOT_A_DICT)

hand("empty_playbook", {"site.yml": "# nothing but a comment\n"}, valid=False,
     at=("site.yml", "# nothing"), says="Empty playbook")

hand("free_form_words_for_copy", {"site.yml": """\
- hosts: localhost
  tasks:
    - copy: hello
"""}, valid=False, at=("site.yml", "copy: hello"), says="has extra params")

hand("include_tasks_without_file", {"site.yml": """\
- hosts: localhost
  tasks:
    - include_tasks:
"""}, valid=False, at=("site.yml", "include_tasks:"), says="No file specified")

hand("block_not_a_list", {"site.yml": """\
- hosts: localhost
  tasks:
    - block: x
"""}, valid=False, at=("site.yml", "block: x"), says="malformed block")

hand("import_role_with_loop", {"site.yml": """\
- hosts: localhost
  tasks:
    - import_role: name=common
      loop: [1, 2]
""", "roles/common/tasks/main.yml": "- debug: msg=common\n"}, valid=False,
     at=("site.yml", "loop: [1, 2]"), says="You cannot use loops on 'import_role' statements")

hand("loop_control_not_a_mapping", {"site.yml": """\
- hosts: localhost
  tasks:
    - debug: msg=x
      loop: [1]
      loop_control: item
"""}, valid=False, at=("site.yml", "loop_control: item"),
     says="`loop_control` value must be specified as a dictionary")

hand("hosts_empty_list", {"site.yml": """\
- hosts: []
  tasks:
    - debug: msg=x
"""}, valid=False, at=("site.yml", "hosts: []"), says="Hosts list cannot be empty")

hand("two_yaml_documents", {"site.yml": """\
- hosts: localhost
  tasks:
    - debug: msg=one
---
- hosts: localhost
  tasks:
    - debug: msg=two
"""}, valid=False, at=("site.yml", "---"), says="but found another document")

# Ansible refuses a playbook that is not UTF-8 (with an internal error, rc 250). Case files
# are written with errors="surrogateescape": "\udcff" is the byte 0xff.
hand("invalid_utf8_in_value", {"site.yml": """\
- hosts: localhost
  tasks:
    - copy: content="\udcff" dest=/tmp/x
"""}, valid=False, at=("site.yml", "copy: content="), says="utf-8")

hand("invalid_utf8_in_comment", {"site.yml": """\
- hosts: localhost
  tasks:
    - debug: msg=x  # \udcff
"""}, valid=False, at=("site.yml", "debug: msg=x"), says="utf-8")


# --- known differences -------------------------------------------------------------------
# Ansible's --syntax-check only loads the playbook: it neither templates nor evaluates
# anything, and reads only what is imported statically. scctl compiles everything for every
# host, so it finds more; and some constructs it does not support yet.

def known(cid, reason, *, golden=None, edit=None, files=None, at=None):
    return Case(f"known/{cid}", None, golden=golden, edit=edit, files=files, at=at, known=reason)


DYNAMIC = "read only when the task runs: Ansible's syntax check never opens it; scctl compiles it"
NOT_EVALUATED = "Ansible's syntax check does not evaluate when:; scctl decides it at compile time"
NO_TEMPLATES = "Ansible's syntax check does not read templates; scctl renders them"

UNCLOSED_AT_END = ("yaml-cpp ends a quoted scalar left open at the very end of a file there "
                   "instead of failing; PyYAML refuses it")

KNOWN_DIFFERENCES = [
    known("with_items_before_loop", "Ansible refuses loop: with a with_* only when loop: comes "
          "first (else it ignores loop:); scctl refuses both orders", golden="loops",
          edit=add_key(SITE, "- name: home of {{ user.key }}", 'with_items: "{{ users }}"')),
    known("duplicate_play_key", "Ansible only warns about a duplicate mapping key (the last "
          "wins); scctl refuses it", golden="precedence",
          edit=add_key(SITE, "- hosts: web", "gather_facts: true")),
    known("duplicate_task_key", "Ansible only warns about a duplicate mapping key (the last "
          "wins); scctl refuses it", golden="blocks_tags",
          edit=add_key(SITE, '- debug: msg="always runs"', 'debug: msg="twice"')),
    known("when_undefined_variable", NOT_EVALUATED, golden="runtime",
          edit=replace(SITE, "app_dir == '/srv/app'", "app_dirr == '/srv/app'")),
    known("when_undefined_in_role_entry", NOT_EVALUATED, golden="roles_handlers",
          edit=replace(SITE, "when: site_name == 'blog'", "when: site_nam == 'blog'")),
    known("when_undefined_fact", NOT_EVALUATED, golden="facts_hostvars",
          edit=replace(SITE, "== 'Debian'", "== debian_name")),
    known("when_jinja_syntax_error", NOT_EVALUATED, golden="runtime",
          edit=replace(SITE, "when: not marker.stat.exists", "when: not marker.stat.exists ==")),
    known("template_jinja_syntax_error", NO_TEMPLATES, golden="facts_hostvars",
          edit=replace("templates/app.ini.j2", "{% endfor %}", "{% endfr %}")),
    known("role_template_jinja_syntax_error", NO_TEMPLATES, golden="roles_handlers",
          edit=replace(ROLE + "templates/site.conf.j2", "{% endfor %}", "{% end %}")),
    known("template_missing_src", "Ansible looks for a template's source when the task runs",
          golden="facts_hostvars", edit=replace(SITE, "src=app.ini.j2", "src=missing.ini.j2")),
    known("include_tasks_missing_file", "include_tasks is " + DYNAMIC, golden="runtime",
          edit=add_item(SITE, "- name: report", "include_tasks: missing.yml")),
    known("include_role_missing_role", "include_role is " + DYNAMIC, golden="precedence",
          edit=add_item(SITE, "- set_fact:", "include_role: name=missing_role")),
    known("include_vars_missing_file", "include_vars is " + DYNAMIC, golden="facts_hostvars",
          edit=replace(SITE, "vars/{{ ansible_os_family }}.yml",
                       "vars/{{ ansible_os_family }}-missing.yml")),
    known("include_vars_broken_yaml", "include_vars is " + DYNAMIC, golden="facts_hostvars",
          edit=replace("vars/Debian.yml", "web_user: www-data", "web_user: [www-data")),
    known("vars_files_missing_file", "Ansible looks for vars_files when the play starts (an "
          "earlier play may create them)", golden="precedence",
          edit=replace(SITE, "- vars.yml", "- missing_vars.yml")),
    known("group_vars_broken_yaml", "Ansible reads group_vars/ when variables are needed, after "
          "the syntax check", golden="precedence",
          edit=replace("group_vars/web/main.yml", "from_group_dir: group_vars_web",
                       "from_group_dir: [group_vars_web")),
    known("inventory_broken", "Ansible warns about an inventory it cannot parse and goes on "
          "without it", golden="facts_hostvars", edit=prepend("inventory", "[web\n")),
    known("notify_missing_handler", "Ansible looks up a notified handler only when the task "
          "changes something", golden="runtime",
          edit=add_key(SITE, "- name: check config", "notify: no such handler")),
    known("action_unknown_module", "Ansible's syntax check does not resolve a module named in "
          "action:", golden="runtime",
          edit=add_item(SITE, "- name: report", "action: no_such_module a=b")),
    known("module_apt", "apt: not compiled by scctl yet", golden="runtime",
          edit=add_item(SITE, "- name: report", "apt: name=nginx state=present")),
    known("module_service", "service: not compiled by scctl yet", golden="roles_handlers",
          edit=replace(ROLE + "handlers/main.yml", "  command: /usr/sbin/nginx -s reload",
                       "  service: name=nginx state=reloaded")),
    known("module_user", "user: not compiled by scctl yet", golden="loops",
          edit=replace(SITE, "- file: path=/srv/{{ item }} state=directory",
                       "- user: name={{ item }} state=present")),
    known("keyword_until", "until: not supported by scctl yet", golden="runtime",
          edit=add_key(SITE, "- name: check config", "until: state.rc == 0", "retries: 3")),
    known("keyword_delegate_to", "a command delegated to localhost runs while scctl compiles, "
          "which needs --allow-pipe", golden="runtime",
          edit=add_key(SITE, "- name: check config", "delegate_to: localhost")),
    known("keyword_local_action", "local_action (delegate_to: localhost) not supported by scctl "
          "yet", golden="runtime",
          edit=add_item(SITE, "- name: report", "local_action: command /bin/true")),
    known("vars_prompt", "scctl compiles without prompting: a vars_prompt variable must come "
          "from -e", files={"site.yml": """\
- hosts: localhost
  vars_prompt:
    - name: release
      prompt: Which release?
      private: false
  tasks:
    - debug: msg="deploying {{ release }}"
"""}, at=("site.yml", "- debug:")),
    known("with_sequence", "with_sequence: lookup not supported by scctl yet", golden="loops",
          edit=replace(SITE, 'with_items: "{{ packages_dirs }}"', "with_sequence: start=1 end=3")),
    known("template_invalid_utf8", NO_TEMPLATES, golden="facts_hostvars",
          edit=replace("templates/app.ini.j2", "[server]", "[server] \udcff")),
    known("yaml_unclosed_quote_at_end_of_file", UNCLOSED_AT_END, golden="precedence",
          edit=replace("roles/app/vars/main.yml", "overridden_by_role_vars: role_vars",
                       "overridden_by_role_vars: 'role_vars")),
    known("yaml_unclosed_double_quote_at_end_of_file", UNCLOSED_AT_END, golden="roles_handlers",
          edit=replace(ROLE + "vars/main.yml", "nginx_user: www-data",
                       'nginx_user: "www-data')),
]


# --- running -----------------------------------------------------------------------------

def first_changed_line(old, new):
    """The number of the first line `new` changes (for an addition at the end, the first new)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines), 1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1


def read_text(path):
    # surrogateescape: a file holding bytes that are not UTF-8 goes through unchanged.
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


def prepare(case, directory):
    """Writes the case into `directory`; returns (file, line) of the fault, or None."""
    if case.golden:
        shutil.copytree(os.path.join(GOLDEN_DIR, case.golden), directory,
                        ignore=shutil.ignore_patterns("expected"))
    else:
        os.makedirs(directory)
    for rel, text in case.files.items():
        write_text(os.path.join(directory, rel), text)
    if case.edit:
        path = os.path.join(directory, case.edit.path)
        old = read_text(path) if os.path.exists(path) else ""
        new = case.edit.change(old)
        write_text(path, new)
        return case.edit.path, first_changed_line(old, new)
    if case.at:
        rel, text = case.at
        lines = case.files[rel].splitlines()
        return rel, next(n for n, line in enumerate(lines, 1) if text in line)
    return None


def inventory_args(directory):
    inventory = os.path.join(directory, "inventory")
    return ["-i", inventory if os.path.exists(inventory) else "localhost,"]


def run(argv, cwd, env=None):
    # The scctl binary may be relinked while a developer rebuilds: retry a missing or busy one.
    for attempt in range(10):
        try:
            # errors="replace": a diagnostic may quote a line holding invalid UTF-8.
            return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                                  errors="replace", timeout=120)
        except OSError:
            if attempt == 9:
                raise
            time.sleep(2)


def run_case(case, root, scctl, env):
    directory = os.path.join(root, case.id.replace("/", "__"))
    result = {"case": case}
    try:
        result["fault"] = prepare(case, directory)
    except StaleEdit as e:
        result["stale_edit"] = str(e)
        return result
    playbook = os.path.join(directory, "site.yml")
    ansible = run(["ansible-playbook", "--syntax-check", *inventory_args(directory), playbook],
                  root, env)
    result["ansible_rc"] = ansible.returncode
    result["ansible_out"] = " ".join((ansible.stderr + " " + ansible.stdout).split())
    command = [scctl, "compile", playbook, *inventory_args(directory)]
    if os.path.isdir(os.path.join(directory, "facts")):
        command += ["--facts", os.path.join(directory, "facts")]
    if os.path.isfile(os.path.join(directory, "extra_vars.json")):
        command += ["-e", "@" + os.path.join(directory, "extra_vars.json")]
    command += ["-o", os.path.join(root, "_out", case.id.replace("/", "__"))]
    sc = run(command, root)
    result["sc_rc"] = sc.returncode
    result["sc_err"] = sc.stderr.strip()
    return result


def ansible_message(out):
    """Ansible's error, without the quoted file excerpt that follows it."""
    match = re.search(r"ERROR! (.*?)(?: The error appears to be in|$)", out)
    if match:
        return match.group(1)
    warning = re.search(r"\[WARNING\]: (.*?)(?= \[WARNING\]| playbook: |$)", out)
    return ("warning: " + warning.group(1)) if warning else ""


def scctl_lines(stderr, name):
    """The lines at which scctl's message names the file `name`: NAME:LINE[:COL]."""
    pattern = r"(?<![\w.-])" + re.escape(name) + r":(\d+)(?::\d+)?"
    return [int(m.group(1)) for m in re.finditer(pattern, stderr)]


class Verdict:
    """One row of the table: what each tool decided and what is wrong with that."""

    def __init__(self, result):
        self.case = case = result["case"]
        self.result = result
        self.problems = []
        self.where = "-"  # where scctl's message points, for a rejection
        self.named_file = self.named_line = None  # set when a rejection's location is checked
        if "stale_edit" in result:
            self.ansible = self.scctl = "-"
            self.status = "FAIL"
            self.problems.append("the mutation no longer applies: " + result["stale_edit"])
            return
        ans_ok = result["ansible_rc"] == 0
        sc_rc = result["sc_rc"]
        sc_ok = sc_rc == 0
        self.ansible = "accept" if ans_ok else "reject"
        self.scctl = {0: "accept", 3: "reject"}.get(
            sc_rc, f"signal {-sc_rc}" if sc_rc < 0 else f"exit {sc_rc}")
        if sc_rc not in (0, 3):
            self.problems.append(f"scctl {self.scctl}: it must exit 0 (compiled) or 3 (invalid)")
        if case.known:
            self.status = "KNOWN"
            if ans_ok == sc_ok:
                self.status = "STALE"
                self.problems.append(f"both {self.ansible} it now: remove it from "
                                     "KNOWN_DIFFERENCES")
        else:
            self.status = "ok"
            if ans_ok != case.valid:
                self.problems.append(f"ansible-playbook {self.ansible}s it: the case is wrong")
            elif not ans_ok and case.says and case.says not in result["ansible_out"]:
                self.problems.append(f"Ansible's message lacks {case.says!r}: the case does not "
                                     "test what it says")
            if sc_ok != case.valid and sc_rc in (0, 3):
                self.problems.append(f"scctl {self.scctl}s it")
        fault = result["fault"]
        if sc_rc == 3 and fault:
            self.check_location(fault)
        if self.problems and self.status != "STALE":
            self.status = "FAIL"

    def check_location(self, fault):
        path, line = fault
        name = os.path.basename(path)
        lines = scctl_lines(self.result["sc_err"], name)
        self.named_file = bool(lines)
        self.named_line = line in lines
        if not lines:
            self.where = "NONE"
            self.problems.append(f"scctl's message does not name {name}:LINE (the fault is at "
                                 f"{path}:{line})")
        elif line in lines:
            self.where = f"{name}:{line} ="
        else:
            self.where = f"{name}:{lines[0]} (fault at {line})"


def ansible_env(root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update({
        "ANSIBLE_CONFIG": os.path.join(root, "_none", "ansible.cfg"),  # no ansible.cfg from the cwd
        "ANSIBLE_HOME": os.path.join(root, "_ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(root, "_ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "COLUMNS": "100000",
        "LC_ALL": "C.UTF-8",
    })
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scctl", required=True, help="path to the scctl binary")
    parser.add_argument("--jobs", type=int, default=2, help="cases run at a time (default 2)")
    parser.add_argument("-k", "--filter", default="", help="only cases whose id contains this")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print both messages for every case")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if shutil.which("ansible-playbook") is None:
        print("SKIP: ansible-playbook not found")
        return SKIP
    if not os.access(args.scctl, os.X_OK):
        print(f"scctl not executable: {args.scctl}", file=sys.stderr)
        return 2
    scctl = os.path.abspath(args.scctl)  # the runs start in the temporary directory

    valid = [Case(f"valid/{name}", True, golden=name) for name in golden_names()]
    cases = [c for c in valid + MUTATIONS + HANDWRITTEN + KNOWN_DIFFERENCES if args.filter in c.id]
    if not cases:
        print(f"no case id holds {args.filter!r}", file=sys.stderr)
        return 2
    started = time.monotonic()
    root = tempfile.mkdtemp(prefix="sc-syntax-check-")
    try:
        env = ansible_env(root)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda c: run_case(c, root, scctl, env), cases))
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    verdicts = [Verdict(result) for result in results]
    width = max(len(c.id) for c in cases)
    print(f"{'STATUS':6} {'CASE':{width}} {'ANSIBLE':7} {'SCCTL':8} SCCTL'S LOCATION "
          "('=': the faulty line)")
    for v in verdicts:
        print(f"{v.status:6} {v.case.id:{width}} {v.ansible:7} {v.scctl:8} {v.where}")

    known = [v for v in verdicts if v.case.known]
    if known:
        print("\nKnown differences:")
        for v in known:
            print(f"  {v.status:6} {v.case.id}: {v.case.known}")
    shown = [v for v in verdicts if v.problems or args.verbose]
    if shown:
        print("\nDetails:" if args.verbose else "\nFailures:")
    for v in shown:
        print(f"  {v.status} {v.case.id}")
        for problem in v.problems:
            print(f"    - {problem}")
        if "ansible_out" in v.result:
            message = ansible_message(v.result["ansible_out"]) or "(no error)"
            print(f"    ansible-playbook (rc {v.result['ansible_rc']}): {message}")
            sc_err = v.result["sc_err"].splitlines()
            print(f"    scctl (rc {v.result['sc_rc']}): {sc_err[0] if sc_err else '(no error)'}")

    def count(rows, status):
        return sum(1 for v in rows if v.status == status)

    valid = [v for v in verdicts if v.case.valid is True]
    invalid = [v for v in verdicts if v.case.valid is False]
    located = [v for v in verdicts if v.named_file is not None]
    failed = count(verdicts, "FAIL") + count(verdicts, "STALE")
    print(f"\nvalid: {len(valid)} cases, {count(valid, 'ok')} agree")
    print(f"invalid: {len(invalid)} cases, {count(invalid, 'ok')} agree")
    print(f"known differences: {len(known)}, {count(known, 'KNOWN')} as documented")
    print(f"scctl's rejections: {len(located)}, {sum(v.named_file for v in located)} name the "
          f"faulty file:line, {sum(v.named_line for v in located)} of them the faulty line itself")
    print(f"{len(verdicts) - failed} passed, {failed} failed ({time.monotonic() - started:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
