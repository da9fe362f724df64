#!/usr/bin/env python3
"""Differential test: inventories and host patterns, ours against Ansible's.

Every case in CASES writes a few inventory files (INI, YAML, directories,
group_vars/ and host_vars/) into its own temporary directory. Ansible's side
runs `ansible-inventory --list` and, per host pattern, `ansible PATTERN
--list-hosts [--limit L]`, several processes at a time; our side runs
tests/tools/inventory_dump once for all cases. Compared: the group tree,
every host's variables (as parsed JSON, so 1.0 == 1.0 whatever the text),
the selected hosts in order, and the "Could not match supplied host
pattern" warnings. A case with `error=TEXT` must fail on both sides, each
message holding TEXT (Ansible's is a warning plus "Completely failed to
parse").

KNOWN lists deliberate differences: such a case must differ, or the entry is
stale. Standard library only. Exit status: 0 all agree, 1 some differ, 77
skip (no ansible), 2 bad usage.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


class Case:
    def __init__(self, cid, files, sources=None, patterns=(), playbook_dir=None,
                 list_=True, error=None):
        self.id = cid
        self.files = files
        self.sources = sources or [next(iter(files))]
        self.patterns = [p if isinstance(p, tuple) else (p, None) for p in patterns]
        self.playbook_dir = playbook_dir
        self.list = list_
        self.error = error


CASES = []


def case(*args, **kw):
    CASES.append(Case(*args, **kw))


# Deliberate differences: case id -> why ours differs from Ansible's.
KNOWN = {
    "yaml_bool_null_keys": "Data keys are Python's str() of a typed key ('True', 'None'); "
                           "Ansible's JSON encoder writes 'true' and 'null'",
    "missing_source": "a missing -i source is an error here; Ansible warns and goes on "
                      "with an empty inventory",
    "yaml_keys_clash": "int 1 and str '1' are two keys in Python but one Data key: refused "
                       "here (Ansible's JSON output then shows only the last)",
    "yaml_unsafe": "!unsafe text is a plain string here (accepted only without template "
                   "markers); Ansible's JSON shows the unsafe wrapper",
    "yaml_vault": "vault-encrypted values are refused: not supported yet",
    "yaml_datetime": "a timestamp with a time of day is refused (Ansible prints it as "
                     "'2001-12-14 21:59:43' in templates but 'T'-separated in JSON)",
}

WEB = """\
[web]
w1 http_port=80
w2
w3 http_port=8080

[db]
d1
d2 ansible_host=10.0.0.2
w2

[web:vars]
role=frontend

[all:vars]
ntp=10.0.0.1

[lb:children]
web
"""
PATTERNS = [
    "all", "*", "web", "db", "lb", "web:db", "web,db", "db:web", "web:&db", "db:&web",
    "all:!web", "!web", "&db", "web:!w2:db", "!db:web", "w*", "?1", "[wd]2", "~w[12]",
    "~d", "web[0]", "web[-1]", "web[1:]", "web[0:1]", "web[2:0]", "web[1-2]", "w*[1]",
    "ungrouped", "nomatch", "nomatch:web", "w1", "w1:d1:w1", "localhost", "localhost:web",
    "all:localhost", "127.0.0.1", ("all", "web"), ("web", "!w1"), ("all", "w*:&db"),
    ("web:db", "d*"), ("all", "nomatch"), ("web", "localhost"),
]
case("ini_patterns", {"hosts": "lonely\n" + WEB + "[empty]\n"}, patterns=PATTERNS)
case("ini_pattern_errors", {"hosts": WEB}, patterns=["web[5]", "web[-4]", "~w[", "db[3:4]"],
     list_=False)

case("ini_ranges", {"hosts": """\
web[01:03].example.com
db-[a:c] role=db
n[1:10:3]
x[1:2]-[a:b]
y[8:11]
z[x:B]
[g]
web[02:04].example.com
"""}, patterns=["all", "g", "n*", "x1-?"])

case("ini_ports", {"hosts": """\
db1:2222
[2001:db8::1]:22
10.0.0.1:2200
fe80::1
plain ansible_port=23
db1:2223
"""}, patterns=["all", "db1", "fe80::1", "10.0.0.1"])

case("ini_host_values", {"hosts": """\
h1 a="1" b=1 c='x y' d=[1,'a'] e={'k':1} f=True g=none h=0755 i=1.5 j=yes k=0x1F l=
h2 m=1_000 n="'q'" o=1#comment p=u"x" q=(1,2) r=-1 s=1e3 t=None u=0o17 v=-0.5 w=+3
h3 a='[1, "two", {"k": (3, 4)}]' b="'it\\'s'" c=\\#x d='a b'c e="\\"q\\"" f=.5 g=1.
h4 a=False b="True" c="'True'" d=-(1) e=[] f={} g=() h="r'\\d+'" i="b'bytes'" j='"\\u00e9"'
h5 a=1,2 b=[1,] c='(1,)' d="'a' 'b'" e=0b101 f=1e-5 g=9223372036854775807 h=x=y
"""}, patterns=["all"])

case("ini_group_values", {"hosts": """\
[g]
h
[g:vars]
v1=23
v2="quoted"
v3=True
v4 = [1, 2] # comment
v5=hello # comment
v6='a'
v7=
v8 = spaced out value
v9=a=b
v10={"k": [1, 2.5, None]}
v11=0755
v12="multi word"
"""})

case("ini_children_forward", {"hosts": """\
[top:children]
mid
[mid:children]
leaf
[leaf]
h1
[mid]
h2
[top]
h3
"""}, patterns=["top", "mid", "leaf", "all"])
case("ini_children_undefined", {"hosts": "[p:children]\nx\n"},
     error="Section [p:children] includes undefined group: x")
case("ini_vars_undefined", {"hosts": "[h]\nh1\n[x:vars]\na=1\n"},
     error="Section [x:vars] not valid for undefined group: x")
case("ini_vars_then_children", {"hosts": "[x:vars]\na=1\n[p:children]\nx\n[p]\nh\n"},
     error="Section [x:vars] not valid for undefined group: x")
case("ini_cycle", {"hosts": "[a:children]\nb\n[b:children]\na\n"},
     error="Adding group 'a' as child to 'b' creates a recursive dependency loop.")
case("ini_unknown_section", {"hosts": "[web:foo]\nh\n"},
     error="Section [web:foo] has unknown type: foo")
case("ini_bad_section", {"hosts": "[web group]\nh\n"}, error="Invalid section entry")
case("ini_bad_host_var", {"hosts": "[web]\nh1 novalue\n"},
     error="Expected key=value host variable assignment, got: novalue")
case("ini_bad_quote", {"hosts": "[web]\nh1 a='x\n"}, error="No closing quotation")
case("ini_bad_var_line", {"hosts": "[web]\nh\n[web:vars]\njustaword\n"},
     error="Expected key=value, got: justaword")
case("ini_port_colon", {"hosts": "[web]\nh1:\n"}, error="ending in ':' is not allowed")
case("ini_bad_range", {"hosts": "[web]\nh[1:2:3:4]\n"},
     error="host range must be begin:end or begin:end:step")
case("ini_range_width", {"hosts": "[web]\nh[01:100]\n"},
     error="equal-length begin and end formats")

case("ini_priority_depth", {"hosts": """\
[a]
h
[b]
h
[c:children]
a
[all:vars]
x=all
y=all
z=all
[a:vars]
x=a
[b:vars]
x=b
y=b
ansible_group_priority=10
[c:vars]
z=c
y=c
"""}, patterns=["all", "c"])

case("ini_comments_ok", {"hosts": """\
# comment
; another
[web]    # trailing comment
h1 # comment
  h2   a=1   # spaced

[web:children] # kids
kids
[kids]
k1
"""}, patterns=["web", "all"])

case("ini_localhost", {"hosts": "[web]\nw1\nlocalhost ansible_connection=local x=1\n"},
     patterns=["localhost", "all", "127.0.0.1", "all:!localhost"])
case("ini_loopback_only", {"hosts": "[web]\n127.0.0.1 x=1\n"},
     patterns=["localhost", "127.0.0.1", "::1"])

YAML_BASIC = """\
all:
  hosts:
    top1:
  vars:
    x: 1
    nested: {a: [1, 2], b: null}
  children:
    web:
      hosts:
        w[1:3]:
          http_port: 0755
        localhost:
      vars:
        role: web
    empty:
    db:
      hosts: dbhost
      children:
        dbsub:
          hosts:
            d2: {z: 1, "quoted": "yes"}
            d3:2222:
other:
  hosts:
    w1:
      extra: true
"""
case("yaml_basic", {"inv.yml": YAML_BASIC},
     patterns=["all", "web", "db", "ungrouped", "localhost", "all:!db", "w*:&web", "d*",
               "other:web", "dbsub[0]"])

SCALARS = [
    "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "NO", "on", "Off",
    "TRUE", "False", "y", "n", "0", "+0", "-0", "00", "0_", "42", "-17", "1_000", "1__0",
    "0755", "0009", "08", "0o17", "-0o7", "0b1010", "-0b101", "0x1F", "+0x1F", "0x_1f", "0x",
    "0b", "1:30", "-1:30", "190:20:30", "1_2:30", "1:60", "1.5", "1.", "0.", ".5", "1_000.5",
    "685_230.15", "6.8523015e+5", "685.230_15e+03", "1.0e+5", "1e5", "1.0e5", "1e16",
    "._5", "1:30.5", "190:20:30.15", "1:0:0.5e3", "2001-12-14", "hello world", "'quoted'",
    '"0755"', "!!str 12", "!!int '0x1f'", "!!float 1", "!!bool YES", "!!null abc",
    "-.nan", "=x", "100000000000000000.0", "0.0000001",
    "9223372036854775807", "-9223372036854775808", "'yes'", "|\n        block",
    ">-\n        folded\n        text",
]
case("yaml_scalars", {"inv.yml": "all:\n  hosts:\n    h:\n" + "".join(
    "      v%d: %s\n" % (i, s) for i, s in enumerate(SCALARS))})
case("yaml_keys_clash", {"inv.yml": "all:\n  hosts:\n    h:\n      m: {1: a, '1': b}\n"})
case("yaml_keys_ok", {"inv.yml": "all:\n  hosts:\n    h:\n      m: {1: a, 0x10: b, 1.5: c, "
                                 "'x': d, 1:30: f, 1e16: g, 1.0e+16: h}\n"})
case("yaml_unsafe", {"inv.yml": "all:\n  hosts:\n    h:\n      u: !unsafe plain\n"})
case("yaml_bool_null_keys", {"inv.yml": "all:\n  hosts:\n    h:\n      m: {yes: a, ~: b}\n"})
case("yaml_datetime", {"inv.yml": "all:\n  hosts:\n    h:\n      t: 2001-12-14 21:59:43\n"})
case("yaml_vault", {"inv.yml": "all:\n  hosts:\n    h:\n      s: !vault |\n"
                               "        $ANSIBLE_VAULT;1.1;AES256\n        6162\n"})

case("yaml_nulls", {"inv.yaml": """\
all:
  children:
    a:
    b:
      hosts:
    c:
      hosts:
        h1:
        h2: ~
      vars:
      children:
    d:
      hosts: solo
"""}, patterns=["all", "a", "ungrouped"])
case("yaml_int_host", {"inv.yml": "all:\n  hosts:\n    1:\n"}, error="must be a string")
case("yaml_priority", {"inv.yml": """\
all:
  children:
    a:
      hosts: {h: }
      vars: {x: a, ansible_group_priority: 5}
    b:
      hosts: {h: }
      vars: {x: b}
    c:
      hosts: {h: }
      vars: {x: c, ansible_group_priority: 2}
"""})
case("yaml_host_in_all", {"inv.yml": "all:\n  hosts:\n    t1:\n    t2:\n  children:\n"
                                     "    g:\n      hosts:\n        t2:\n"},
     patterns=["ungrouped", "all", "g"])
case("yaml_cycle", {"inv.yml": "all:\n  children:\n    a:\n      children:\n        b:\n"
                               "          children:\n            a:\n"},
     error="as child to 'a' creates a recursive dependency loop.")
case("yaml_anchors", {"inv.yml": """\
all:
  vars:
    base: &base {user: deploy, port: 22}
  hosts:
    h1:
      <<: *base
      port: 2222
    h2: *base
"""})
case("yaml_unknown_key", {"inv.yml": "all:\n  hosts:\n    h:\n  host:\n    x:\n"})
case("yaml_noext", {"hosts": "all:\n  hosts:\n    h1: {a: yes}\n"})
case("ini_noext", {"hosts": "[g]\nh1 a=yes\n"})
case("json_inventory", {"inv.json": '{"all": {"hosts": {"j1": {"a": [1, "x"]}}, '
                                    '"children": {"g": {"hosts": {"j2": null}}}}}'},
     patterns=["g", "all"])

VARS_FILES = {
    "inv/hosts": "[web]\nw1 inline=host lvl=host_inline\nw2\n[db]\nd1\n"
                 "[all:vars]\nlvl=all_inline\na_only=1\n[web:vars]\nlvl=web_inline\nweb_only=1\n",
    "inv/group_vars/all.yml": "lvl: gv_all\ngv_all_only: true\n",
    "inv/group_vars/web/10-first.yml": "lvl: gv_web_dir\nlist: [1, 2]\n",
    "inv/group_vars/web/20-second": "list: [3]\nsecond: yes\n",
    "inv/group_vars/web/.hidden.yml": "hidden: true\n",
    "inv/group_vars/web/notes.txt": "txt: true\n",
    "inv/group_vars/web/sub/deep.yaml": "deep: 1\n",
    "inv/group_vars/db.json": '{"lvl": "gv_db_json"}',
    "inv/group_vars/db.yml": "lvl: gv_db_yml  # db.yml comes before db.json, which is unread\n",
    "inv/host_vars/w1.yml": "lvl: hv_w1\n",
    "inv/host_vars/d1": "---\nlvl: hv_d1_noext\n",
    "inv/host_vars/w2.yaml": "",
    "play/group_vars/all.yml": "play_all: 1\nlvl: play_gv_all\n",
    "play/group_vars/db.yml": "lvl: play_gv_db\n",
    "play/host_vars/w2.yml": "lvl: play_hv_w2\n",
}
case("vars_dirs", VARS_FILES, sources=["inv/hosts"], patterns=["all"])
case("vars_dirs_playbook", VARS_FILES, sources=["inv/hosts"], playbook_dir="play")
# Both must fail; the wordings share nothing ("expected dicts" / "must hold a mapping").
case("vars_dir_bad", {"hosts": "[g]\nh\n", "group_vars/g.yml": "- a list\n"}, error="")

case("inventory_dir", {
    "inv/01-hosts": "[web]\nw1\n",
    "inv/02.yml": "all:\n  children:\n    web:\n      hosts:\n        w2:\n",
    "inv/03.ini": "[ignored]\nnope\n",
    "inv/.hidden": "[ignored]\nnope\n",
    "inv/README.md": "[ignored]\nnope\n",
    "inv/sub/04": "[db]\nd1\n",
    "inv/group_vars/web.yml": "from_dir: 1\n",
}, sources=["inv"], patterns=["all", "web"])
case("multi_source", {
    "a.ini": "[web]\nw1 x=1\n[web:vars]\nv=a\n",
    "b.yml": "all:\n  children:\n    web:\n      hosts:\n        w1: {x: 2}\n        w2:\n"
             "      vars: {v: b}\n",
}, sources=["a.ini", "b.yml"], patterns=["web"])
case("host_list", {}, sources=["h1,h2:2222,  h3 ,h1,"], patterns=["all", "h*", "ungrouped"])
case("host_list_localhost", {}, sources=["localhost,"], patterns=["all", "localhost"])
case("host_list_range", {}, sources=["web[1:2],x"], patterns=["all"])
case("missing_source", {}, sources=["does/not/exist"])


def write_case(root, c):
    base = os.path.join(root, c.id)
    os.makedirs(base, exist_ok=True)
    for rel, text in c.files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    sources = [s if "," in s else os.path.join(base, s) for s in c.sources]
    pdir = os.path.join(base, c.playbook_dir) if c.playbook_dir else None
    return sources, pdir


def run(cmd, cwd, env):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, " ".join(p.stderr.split())


def mismatch_warnings(stderr):
    return sorted(set(re.findall(r"Could not match supplied host pattern, ignoring: (\S+)",
                                 stderr)))


def ansible_side(c, sources, pdir, cwd, env):
    srcs = [a for s in sources for a in ("-i", s)]
    out = {}
    if c.list or c.error is not None:
        cmd = ["ansible-inventory", *srcs, "--list"] + (["--playbook-dir", pdir] if pdir else [])
        rc, so, se = run(cmd, cwd, env)
        out["list"] = json.loads(so) if rc == 0 else {"error": se}
    out["patterns"] = []
    for pattern, limit in c.patterns:
        cmd = ["ansible", *srcs, pattern, "--list-hosts"] + (["--limit", limit] if limit else [])
        rc, so, se = run(cmd, cwd, env)
        if rc != 0 and "leaves us with no hosts" not in se:
            out["patterns"].append({"error": se})
            continue
        hosts = [l.strip() for l in so.splitlines()[1:] if l.strip()] if rc == 0 else []
        result = {"hosts": hosts, "warnings": mismatch_warnings(se)}
        # Without --limit, the ad-hoc CLI turns any pattern error (such as a
        # subscript past the end) into "No hosts matched"; ansible-playbook
        # fails on those, as we do.
        if "No hosts matched, nothing to do" in se:
            result["swallowed"] = True
        out["patterns"].append(result)
    return out


def ours_normalised(result):
    for p in result.get("patterns", []):
        if "warnings" in p:
            p["warnings"] = sorted(set(re.findall(
                r"Could not match supplied host pattern, ignoring: (\S+)", " ".join(p["warnings"]))))
    return result


def compare(c, theirs, ours):
    """Returns a list of difference descriptions (empty: agree)."""
    if c.error is not None:
        problems = []
        their_text = json.dumps(theirs)
        if "error" not in ours and "error" not in ours.get("list", {}):
            problems.append("ours accepted it: %s" % json.dumps(ours)[:300])
        elif c.error not in json.dumps(ours):
            problems.append("our error lacks %r: %s" % (c.error, json.dumps(ours)[:300]))
        if "error" not in theirs.get("list", {}) or c.error not in their_text:
            problems.append("Ansible's output lacks %r: %s" % (c.error, their_text[:300]))
        return problems
    if "error" in ours:
        return ["ours failed: " + ours["error"]]
    problems = []
    if c.list and theirs.get("list") != ours.get("list"):
        problems.append("--list differs:\n  ansible: %s\n  ours:    %s" % (
            json.dumps(theirs.get("list"), sort_keys=True),
            json.dumps(ours.get("list"), sort_keys=True)))
    for (pattern, limit), t, o in zip(c.patterns, theirs["patterns"], ours["patterns"]):
        if "error" in t and "error" in o:
            continue
        if t.pop("swallowed", False) and "error" in o:
            continue
        if t != o:
            problems.append("pattern %r limit %r:\n  ansible: %s\n  ours:    %s" % (
                pattern, limit, json.dumps(t), json.dumps(o)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", required=True, help="path to tests/tools/inventory_dump")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("-k", help="only cases whose id contains this")
    args = parser.parse_args()
    if not shutil.which("ansible-inventory") or not shutil.which("ansible"):
        print("ansible-inventory not installed; skipping")
        return SKIP
    cases = [c for c in CASES if not args.k or args.k in c.id]
    with tempfile.TemporaryDirectory(prefix="sc-inv-") as root:
        cwd = os.path.join(root, "_cwd")  # empty: ansible reads group_vars/ beside the cwd
        os.makedirs(cwd)
        env = dict(os.environ, ANSIBLE_HOME=os.path.join(root, "_home"), COLUMNS="100000",
                   ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="True", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_CONFIG=os.path.join(root, "none"))
        layout = {c.id: write_case(root, c) for c in cases}
        jobs = [{"id": c.id, "sources": layout[c.id][0], "list": c.list or c.error is not None,
                 "patterns": [dict({"pattern": p}, **({"limit": l} if l else {}))
                              for p, l in c.patterns]} for c in cases]
        for job, c in zip(jobs, cases):
            if layout[c.id][1]:
                job["playbook_dir"] = layout[c.id][1]
        p = subprocess.run([args.dump], input=json.dumps(jobs), capture_output=True, text=True,
                           cwd=cwd, timeout=120)
        if p.returncode != 0:
            print("inventory_dump failed:", p.stderr)
            return 1
        ours = json.loads(p.stdout)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {c.id: pool.submit(ansible_side, c, *layout[c.id], cwd, env) for c in cases}
            theirs = {cid: f.result() for cid, f in futures.items()}
    failed = 0
    checks = 0
    for c in cases:
        problems = compare(c, theirs[c.id], ours_normalised(ours[c.id]))
        checks += (1 if c.list else 0) + len(c.patterns)
        if c.id in KNOWN:
            if not problems:
                print("STALE  %s: agrees now; remove it from KNOWN" % c.id)
                failed += 1
            else:
                print("KNOWN  %s: %s" % (c.id, KNOWN[c.id]))
            continue
        if problems:
            failed += 1
            print("DIFF   %s\n  %s" % (c.id, "\n  ".join(problems)))
    print("%d cases (%d comparisons), %d known differences, %d failed" % (
        len(cases), checks, len(KNOWN), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
