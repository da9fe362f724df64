#!/usr/bin/env python3
"""peer_manifest.py BASE ROOT - write the peer-benchmark workload as an
sc-agent manifest on stdout.

gen.sh (../shared/bench/peers/) describes one desired state for every tool;
its Ansible form is BASE/ansible/loop.yml with the data in files.yml. Until
scctl compiles playbooks, this script stands in for the compiler on exactly
that workload: it reads files.yml, the template and its five variables, and
emits the same resources in the same order (directories, N files, the
rendered nginx site, the pool.ini line, the guarded command), every path
under ROOT.
"""
import json
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, root = sys.argv[1], sys.argv[2].rstrip("/")
    files_yml = open(f"{base}/ansible/files.yml", encoding="utf-8").read()
    dirs = re.findall(r"^  - (\S+)$", files_yml.split("pb_files:")[0], re.M)
    files = re.findall(r'^  - path: (\S+)\n    content: "(.*)\\n"$', files_yml, re.M)
    variables = dict(line.split("=", 1) for line in
                     open(f"{base}/workload/site.vars", encoding="utf-8").read().splitlines())
    site = open(f"{base}/workload/site.conf.in", encoding="utf-8").read()
    site = re.sub(r"@([a-z_]+)@", lambda m: variables[m.group(1)], site)

    resources = []
    for d in dirs:
        resources.append({"id": f"dir:{d}", "type": "file",
                          "params": {"path": f"{root}/{d}", "state": "directory", "mode": "0755"}})
    for path, text in files:
        resources.append({"id": f"file:{path}", "type": "copy",
                          "params": {"dest": f"{root}/{path}", "content": text + "\n",
                                     "mode": "0644"}})
    resources.append({"id": "site", "type": "template",
                      "params": {"dest": f"{root}/etc/nginx/sites-enabled/site.conf",
                                 "content": site, "mode": "0644"}})
    resources.append({"id": "pool", "type": "lineinfile",
                      "params": {"path": f"{root}/etc/app/pool.ini",
                                 "line": "max_children = 20"}})
    marker = f"{root}/etc/app/initialized"
    resources.append({"id": "init", "type": "command",
                      "params": {"argv": ["/bin/sh", "-c", f"echo initialized > {marker}"],
                                 "creates": marker}})
    json.dump({"format_version": 1, "host": "peerbench", "serial": 1, "resources": resources},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
