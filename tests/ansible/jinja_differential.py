#!/usr/bin/env python3
"""Differential test: the same Jinja2 templates through Ansible and our engine.

Every case in jinja_cases.py is a template and the variables it sees. The
script renders all of them in ONE ansible-playbook run (connection local, no
facts: one debug task per case whose message is
lookup('template', CASE, convert_data=False) | b64encode, which renders the
file exactly as the template module does: Templar.do_template with
trim_blocks, preserve_trailing_newlines and no backslash escaping) and in ONE
run of our batch renderer (tests/tools/jinja_render), then compares the
bytes. A case that fails in Ansible must fail in ours, and the other way
round. "value" cases check Ansible's rule for templating a playbook value
(controller/jinja/template_value.h): the debug message is the text itself,
and the JSON Ansible reports (string, number, list...) must equal ours.

KNOWN lists deliberate differences (docs/jinja.md) with the reason: such a
case must still differ, or the table is stale.

Standard library only. Exit status: 0 all cases match, 1 some differ, 77 skip
(no ansible-playbook), 2 bad usage.
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jinja_cases import CASES  # noqa: E402

SKIP = 77
ANSIBLE_CFG = """\
[defaults]
interpreter_python = auto_silent
retry_files_enabled = False
gathering = explicit
nocows = True
deprecation_warnings = False
stdout_callback = ansible.posix.json
"""

# Template text -> why our engine deliberately differs.
KNOWN = {
    "{{ l | to_uuid }}\n": "to_uuid is not implemented: an error naming the filter",
    "{{ l | random }}\n": "random is not implemented (a manifest must be reproducible)",
    "{{ s | ansible.netcommon.ipaddr }}\n": "collection filters are unknown filters here",
    "{{ s | regex_replace('(?P<w>o)', 'x') }}\n":
        "Python-only regex syntax is refused (common/text/python_regex.h)",
    "{{ [missing] | length }}\n":
        "an undefined value cannot be put in a list; Jinja2 counts it",
}
# Cases where both fail are fine; these fail only here, on purpose.
KNOWN_FAILS_HERE = {
    "{{ l | map('pow', 2) | list }}\n": "pow is a Jinja2 global function, not a filter",
}


def run(argv, env=None, timeout=900):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def run_ansible(tmp, cases):
    templates = os.path.join(tmp, "templates")
    os.makedirs(templates)
    tasks = []
    for index, c in enumerate(cases):
        name = "%04d.j2" % index
        if c["mode"] == "template":
            with open(os.path.join(templates, name), "w", encoding="utf-8", newline="") as f:
                f.write(c["template"])
            msg = "{{ lookup('template', '%s', convert_data=False) | b64encode }}" % name
        else:
            msg = c["template"]
        tasks.append({"name": "case %d" % index, "debug": {"msg": msg}, "vars": c["vars"],
                      "ignore_errors": True})
    playbook = os.path.join(tmp, "cases.yml")
    with open(playbook, "w", encoding="utf-8") as f:
        json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], f)
    cfg = os.path.join(tmp, "ansible.cfg")
    with open(cfg, "w") as f:
        f.write(ANSIBLE_CFG)
    env = dict(os.environ, ANSIBLE_CONFIG=cfg)
    env.pop("SC_JINJA_DIFF_UNSET", None)
    proc = run(["ansible-playbook", "-c", "local", "-i", "localhost,", playbook], env=env)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        sys.exit("ansible-playbook produced no JSON report (rc %d):\n%s\n%s"
                 % (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    results = []
    for task in report["plays"][0]["tasks"]:
        res = task["hosts"]["localhost"]
        results.append(res)
    if len(results) != len(cases):
        sys.exit("ansible-playbook reported %d results for %d cases" % (len(results), len(cases)))
    return results


def run_ours(render, tmp, cases):
    path = os.path.join(tmp, "ours.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump([{"template": c["template"], "vars": c["vars"], "mode": c["mode"],
                    "name": "%04d.j2" % i} for i, c in enumerate(cases)], f)
    env = dict(os.environ)
    env.pop("SC_JINJA_DIFF_UNSET", None)
    proc = run([render, path], env=env)
    if proc.returncode != 0:
        sys.exit("jinja_render failed (rc %d): %s" % (proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


SINGLE_VAR = re.compile(r"^{{\s*(\w*)\s*}}$")


def lookup_shortcut(c):
    """Why the template lookup cannot stand in for the template module here.

    Templar.template(), which the lookup calls, returns text without "{{",
    "{%" or "{#" untouched (the module's do_template normalises its
    newlines) and returns a number, boolean or None variable itself for a
    text that is only "{{ name }}" (Python's $ also matches before a final
    newline). Such cases are not compared.
    """
    if c["mode"] != "template":
        return None
    text = c["template"]
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return "no template syntax"
    m = SINGLE_VAR.match(text)
    if m and m.group(1) in c["vars"]:
        v = c["vars"][m.group(1)]
        if v is None or isinstance(v, (bool, int, float)):
            return "single variable"
    return None


def ansible_outcome(c, res):
    """('error', message) or ('ok', bytes-or-value)."""
    if res.get("failed"):
        return "error", str(res.get("msg", ""))[:300]
    if c["mode"] == "template":
        return "ok", base64.b64decode(res["msg"]).decode("utf-8", "surrogateescape")
    return "ok", res.get("msg")


def our_outcome(c, res):
    if "error" in res:
        return "error", res["error"]
    if c["mode"] == "template":
        return "ok", res["output"]
    return "ok", res["value"]


def label_of(index, c):
    return "%04d %s %r" % (index, c["mode"], c["template"][:70])


def same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", required=True, help="path to tests/tools/jinja_render")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case")
    args = parser.parse_args()
    if shutil.which("ansible-playbook") is None:
        print("SKIP: ansible-playbook not found")
        return SKIP
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sc-jinja-diff-")
    try:
        ours = run_ours(args.render, tmp, CASES)
        ansible_started = time.monotonic()
        theirs = run_ansible(tmp, CASES)
        ansible_seconds = time.monotonic() - ansible_started
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("work directory:", tmp)
    passed = failed = known = shortcut = 0
    for index, c in enumerate(CASES):
        a_kind, a_val = ansible_outcome(c, theirs[index])
        o_kind, o_val = our_outcome(c, ours[index])
        if a_kind == "error" and o_kind == "error":
            match = True
        elif a_kind != o_kind:
            match = False
        elif c["mode"] == "template":
            match = a_val == o_val
        else:
            match = same(a_val, o_val)
        if lookup_shortcut(c):
            shortcut += 1
            if args.verbose:
                print("n/a   %s (%s)" % (label_of(index, c), lookup_shortcut(c)))
            continue
        reason = KNOWN.get(c["template"]) or (
            KNOWN_FAILS_HERE.get(c["template"]) if o_kind == "error" else None)
        label = label_of(index, c)
        if reason:
            if match:
                # The difference is gone: the table must be updated.
                print("STALE %s (known difference: %s)" % (label, reason))
                failed += 1
            else:
                known += 1
                if args.verbose:
                    print("KNOWN %s: %s" % (label, reason))
            continue
        if match:
            passed += 1
            if args.verbose:
                print("ok    %s" % label)
            continue
        failed += 1
        print("DIFF  %s" % label)
        print("      ansible: %s %r" % (a_kind, a_val))
        print("      ours:    %s %r" % (o_kind, o_val))
    print("%d cases: %d match, %d known differences, %d differ, %d not comparable through the "
          "lookup" % (len(CASES), passed, known, failed, shortcut))
    print("ansible-playbook %.0fs, total %.0fs" % (ansible_seconds, time.monotonic() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
