#!/usr/bin/env python3
"""Differential test: run-time values through ansible-playbook and scctl apply.

One playbook (PLAYBOOK below) registers results on the host and uses them the
ways real playbooks do: in `when:`, `changed_when:` and `failed_when:`, inside
module arguments (`dest: "{{ where.stdout }}/x"`, filtered through trim, basename,
join, quote, default...), through `register:` on loops (`echoed.results[2]`) and
in block / rescue / always, and `delegate_to: localhost` on tasks that only read (run
by scctl while compiling). Each task writes what it saw into a file, so any
disagreement shows up as bytes.

The playbook runs once with `ansible-playbook -c local` and once with
`scctl apply -c local`, each into its own directory, and the two trees must be
identical: the same paths, types, modes and contents. Then scctl runs a second
time and must report the same files again (commands run again, as in Ansible).

Standard library only. Exit status: 0 the trees match, 1 they differ, 77 skip
(no ansible-playbook), 2 bad usage.
"""

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile

SKIP = 77

PLAYBOOK = r"""
- hosts: localhost
  gather_facts: false
  tasks:
    - file: path={{ root }}/work state=directory mode=0755

    - command: echo {{ root }}/work
      register: where
    - copy:
        dest: "{{ where.stdout }}/from_register.txt"
        content: "made in {{ where.stdout | basename }} under {{ where.stdout | dirname | basename }}\n"

    - stat: path={{ root }}/work/from_register.txt
      register: st
    - copy:
        dest: "{{ root }}/work/stat.txt"
        content: "exists={{ st.stat.exists }} size={{ st.stat.size }} mode={{ st.stat.mode }} isdir={{ st.stat.isdir }}\n"

    - command: echo {{ item }}
      loop: [alpha, beta, gamma]
      when: item != 'beta'
      register: echoed
    - copy:
        dest: "{{ root }}/work/loop.txt"
        content: "{{ echoed.results[0].stdout }} {{ echoed.results[2].stdout }} {{ echoed.results[2].item }} skipped={{ echoed.results[1].skipped }} changed={{ echoed.changed }} {{ echoed.msg }}\n"

    - shell: printf '  padded  \n'
      register: padded
    - copy:
        dest: "{{ root }}/work/{{ padded.stdout | trim }}.txt"
        content: "{{ padded.stdout_lines | join(',') }}|{{ padded.rc }}|{{ padded.stdout | trim | upper }}|{{ padded.stdout_lines | length }}\n"

    - command: cat {{ root }}/work/padded.txt
      register: shown
      changed_when: false
    - copy:
        dest: "{{ root }}/work/quoted.txt"
        content: "{{ shown.stdout | quote }} {{ shown.nope | default('fallback') }} {{ shown.changed }} {{ shown.stdout_lines | first }}\n"

    - command: grep -c beta {{ root }}/work/loop.txt
      register: counted
      failed_when: counted.rc > 1
    - copy:
        dest: "{{ root }}/work/failed_when.txt"
        content: "rc={{ counted.rc }} out={{ counted.stdout }} failed={{ counted.failed }}\n"
      when: counted.rc == 1

    - copy: dest={{ root }}/work/skipped.txt content=never
      when: st.stat.isdir
      register: not_written
    - copy:
        dest: "{{ root }}/work/skip_seen.txt"
        content: "skipped={{ not_written.skipped }}\n"
      when: not_written is skipped

    - block:
        - command: "false"
        - copy: dest={{ root }}/work/unreached.txt content=no
      rescue:
        - copy: dest={{ root }}/work/rescued.txt content="rescued\n"
      always:
        - copy: dest={{ root }}/work/always.txt content="always\n"

    - stat: path=/etc/hostname
      delegate_to: localhost
      register: local_file
    - command: cat /etc/hostname
      delegate_to: localhost
      changed_when: false
      register: local_name
    - copy:
        dest: "{{ root }}/work/delegated.txt"
        content: "{{ local_file.stat.exists }} {{ local_file.stat.size }} {{ local_name.stdout | length > 0 }} {{ local_name.changed }}\n"

    - file:
        path: "{{ where.stdout }}/made_dir"
        state: directory
        mode: "{{ st.stat.mode }}"
"""

ANSIBLE_CFG = """\
[defaults]
interpreter_python = auto_silent
retry_files_enabled = False
gathering = explicit
nocows = True
deprecation_warnings = False
localhost_warning = False
"""


def snapshot(root):
    """{relative path: (type, mode, bytes or link target)} for everything under root."""
    tree = {}
    for directory, dirs, files in os.walk(root):
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(directory, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, root)
            if stat.S_ISDIR(info.st_mode):
                tree[relative] = ("dir", oct(stat.S_IMODE(info.st_mode)), None)
            elif stat.S_ISLNK(info.st_mode):
                tree[relative] = ("link", None, os.readlink(path))
            else:
                with open(path, "rb") as f:
                    tree[relative] = ("file", oct(stat.S_IMODE(info.st_mode)), f.read())
    return tree


def compare(expected, actual, label):
    problems = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            problems.append("%s: %s missing (Ansible made it: %r)" % (label, path, expected[path]))
        elif path not in expected:
            problems.append("%s: %s made only by scctl: %r" % (label, path, actual[path]))
        elif expected[path] != actual[path]:
            problems.append("%s: %s differs\n  ansible: %r\n  scctl:   %r"
                            % (label, path, expected[path], actual[path]))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scctl", required=True, help="the scctl binary")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    ansible = shutil.which("ansible-playbook")
    if ansible is None:
        print("SKIP: ansible-playbook is not installed")
        return SKIP
    os.umask(0o022)
    work = tempfile.mkdtemp(prefix="sc-runtime-diff-")
    try:
        playbook = os.path.join(work, "site.yml")
        with open(playbook, "w") as f:
            f.write(PLAYBOOK)
        with open(os.path.join(work, "ansible.cfg"), "w") as f:
            f.write(ANSIBLE_CFG)
        # The same last name: the playbook prints `dirname | basename` of paths.
        ansible_root = os.path.join(work, "ansible", "root")
        scctl_root = os.path.join(work, "scctl", "root")
        os.makedirs(ansible_root)
        os.makedirs(scctl_root)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(work, "ansible.cfg"),
                   ANSIBLE_HOME=os.path.join(work, ".ansible"), ANSIBLE_NOCOLOR="1")
        ran = subprocess.run([ansible, "-i", "localhost,", "-c", "local", playbook,
                              "-e", "root=" + ansible_root],
                             env=env, capture_output=True, text=True, timeout=300)
        if ran.returncode != 0:
            print("ansible-playbook failed (%d):\n%s\n%s" % (ran.returncode, ran.stdout,
                                                            ran.stderr))
            return 1
        expected = snapshot(ansible_root)
        problems = []
        for attempt in ("first run", "second run"):
            ran = subprocess.run([args.scctl, "apply", playbook, "-i", "localhost,", "-c",
                                  "local", "-e", "root=" + scctl_root, "--allow-pipe",
                                  "--state-dir", os.path.join(work, "state")],
                                 capture_output=True, text=True, timeout=120)
            if ran.returncode != 0:
                print("scctl apply (%s) failed (%d):\n%s\n%s" % (attempt, ran.returncode,
                                                                ran.stdout, ran.stderr))
                return 1
            problems += compare(expected, snapshot(scctl_root), attempt)
        for problem in problems:
            print(problem)
        print("%d paths compared, %d differences" % (len(expected), len(problems)))
        return 1 if problems else 0
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
