#!/usr/bin/env python3
"""Differential test: `sc-agent facts --json` against Ansible's setup module on this machine.

Part 1, this host: runs `ansible localhost -c local -m setup` once (about 3 s) and
`sc-agent facts --json`, then compares every fact both report, key by key and value by
value. Memory that is free changes between the two runs, so those figures only have to be
close. Facts the agent must gather (REQUIRED) fail the test when missing; facts Ansible
does not report at all fail it too (a misspelt name is worse than a missing one). KNOWN
lists facts that differ for a documented reason (docs/facts.md); a KNOWN fact that agrees
is reported as STALE and fails, so the list cannot rot.

Part 2, other distributions: each directory under tests/fixtures/facts/ is a host's
files (os-release, /proc, /sys). Ansible's own collectors (distribution, platform,
hardware, virtual, service_mgr, pkg_mgr) run in Ansible's Python with every absolute path
they open redirected into the fixture, and `sc-agent facts --json --root FIXTURE` must
report the same values for every fact those collectors return.

Standard library only. Exit status: 0 all agree, 1 some differ, 77 skip (no ansible),
2 bad usage.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77

# What `sc-agent facts` promises (docs/facts.md), without the ansible_ prefix.
REQUIRED = [
    "hostname", "nodename", "fqdn", "domain", "os_family", "distribution",
    "distribution_version", "distribution_major_version", "distribution_release", "system",
    "kernel", "architecture", "machine", "default_ipv4", "all_ipv4_addresses", "memtotal_mb",
    "memfree_mb", "processor_count", "processor_cores", "processor_vcpus", "python",
    "python_version", "service_mgr", "pkg_mgr", "user_id", "virtualization_type",
    "virtualization_role",
]

# Values that move between the two runs: compared with a tolerance in MiB.
VOLATILE_MB = {
    "memfree_mb", "memory_mb.real.free", "memory_mb.real.used", "memory_mb.nocache.free",
    "memory_mb.nocache.used", "swapfree_mb", "memory_mb.swap.free", "memory_mb.swap.used",
    "memory_mb.swap.cached",
}
TOLERANCE_MB = 1024

# fact (dotted path) -> why sc-agent's value differs on purpose.
KNOWN = {}


def flatten(value, prefix=""):
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and scalars are leaves."""
    if isinstance(value, dict) and value:
        out = {}
        for key, item in value.items():
            out.update(flatten(item, prefix + "." + key if prefix else key))
        return out
    return {prefix: value}


def run(argv, env=None, timeout=120):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def ansible_facts():
    with tempfile.TemporaryDirectory(prefix="sc-facts-") as home:
        env = dict(os.environ, ANSIBLE_HOME=home, ANSIBLE_CONFIG=os.path.join(home, "none"),
                   ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json",
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1")
        p = run(["ansible", "localhost", "-c", "local", "-m", "setup"], env=env)
    if p.returncode != 0:
        raise SystemExit("ansible failed (%d):\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
    result = json.loads(p.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result["ansible_facts"]


# Runs inside the Python that has ansible: argv[1] is the fixture root.
COLLECTORS = r"""
import builtins, glob, json, os, sys
ROOT = sys.argv[1].rstrip("/")
from ansible.module_utils.facts.system.distribution import DistributionFactCollector
from ansible.module_utils.facts.system.service_mgr import ServiceMgrFactCollector
from ansible.module_utils.facts.system.pkg_mgr import PkgMgrFactCollector
from ansible.module_utils.facts.system.platform import PlatformFactCollector
from ansible.module_utils.facts.hardware.linux import LinuxHardware
from ansible.module_utils.facts.virtual.linux import LinuxVirtual
from ansible.module_utils import distro

def r(p):
    return ROOT + p if isinstance(p, str) and p.startswith("/") else p

def rooted(fn):
    return lambda p, *a, **k: fn(r(p), *a, **k)

_open = builtins.open
builtins.open = rooted(_open)
for name in ("exists", "isfile", "isdir", "islink", "getsize"):
    setattr(os.path, name, rooted(getattr(os.path, name)))
_realpath = os.path.realpath
os.path.realpath = lambda p, *a, **k: _realpath(r(p), *a, **k)[len(ROOT):]
for name in ("access", "listdir", "readlink"):
    setattr(os, name, rooted(getattr(os, name)))
_glob = glob.glob
glob.glob = lambda p, *a, **k: [x[len(ROOT):] for x in _glob(r(p), *a, **k)]
# python-distro's functions read the instance of the module defining them; no
# lsb_release or uname (the agent runs neither).
_impl = sys.modules.get(getattr(distro.id, "__module__", ""), distro)
_impl._distro = _impl.LinuxDistribution(include_lsb=False, include_uname=False,
                                        include_oslevel=False)


class Module:
    def get_bin_path(self, name, required=False, opt_dirs=None):
        dirs = os.environ.get("PATH", "").split(":") + ["/sbin", "/usr/sbin", "/usr/local/sbin"]
        for d in dirs:
            p = os.path.join(d, name)
            if d and os.path.exists(p) and not os.path.isdir(p) and os.access(p, os.X_OK):
                return p
        return None

    def run_command(self, *args, **kwargs):
        return 1, "", ""

    def debug(self, *args):
        pass

    def warn(self, *args):
        pass


m = Module()
facts = {}
facts.update(PlatformFactCollector().collect(m))
facts.update(DistributionFactCollector().collect(m))
collected = {"ansible_" + k: v for k, v in facts.items()}
hardware = LinuxHardware(m)
facts.update(hardware.get_memory_facts())
facts.update(hardware.get_cpu_facts(collected_facts=collected))
virtual = LinuxVirtual(m).get_virtual_facts()
facts.update({k: v for k, v in virtual.items() if not k.startswith("virtualization_tech")})
collected = {"ansible_" + k: v for k, v in facts.items()}
facts.update(ServiceMgrFactCollector().collect(m, collected_facts=collected))
facts.update(PkgMgrFactCollector().collect(m, collected_facts=collected))
print(json.dumps(facts))
"""

# Collector facts about the Python running them or not gathered (docs/facts.md).
NOT_GATHERED = {"python_version", "userspace_bits", "userspace_architecture"}


def ansible_python():
    """The interpreter the ansible command runs on (its #! line)."""
    with open(shutil.which("ansible"), "rb") as f:
        line = f.readline().decode().strip()
    if not line.startswith("#!"):
        return sys.executable
    words = line[2:].split()
    return words[1] if os.path.basename(words[0]) == "env" and len(words) > 1 else words[0]


def compare_fixture(agent, python, root):
    name = os.path.basename(root)
    p = run([python, "-c", COLLECTORS, root])
    if p.returncode != 0:
        print("FAIL   %s: Ansible's collectors failed:\n%s" % (name, p.stderr))
        return 1, 0
    theirs = json.loads(p.stdout)
    p = run([agent, "facts", "--json", "--root", root], timeout=60)
    if p.returncode != 0:
        print("FAIL   %s: sc-agent facts failed (%d): %s" % (name, p.returncode, p.stderr))
        return 1, 0
    ours = strip_prefix(json.loads(p.stdout))
    failed = compared = 0
    for key in sorted(theirs):
        if key in NOT_GATHERED:
            continue
        compared += 1
        if key not in ours:
            print("MISSING %s: %s (Ansible %r)" % (name, key, theirs[key]))
            failed += 1
        elif ours[key] != theirs[key]:
            print("DIFF   %s: %s: sc-agent %r, Ansible %r" % (name, key, ours[key], theirs[key]))
            failed += 1
    return failed, compared


def strip_prefix(facts):
    return {k[len("ansible_"):]: v for k, v in facts.items() if k.startswith("ansible_")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", required=True, help="path to sc-agent")
    parser.add_argument("--fixtures", help="tests/fixtures/facts: one host's files per directory")
    args = parser.parse_args()
    if shutil.which("ansible") is None:
        print("SKIP: ansible not found")
        return SKIP
    theirs = flatten(strip_prefix(ansible_facts()))
    p = run([args.agent, "facts", "--json"], timeout=60)
    if p.returncode != 0:
        print("sc-agent facts failed (%d): %s" % (p.returncode, p.stderr))
        return 1
    ours_nested = json.loads(p.stdout)
    if any(not k.startswith("ansible_") for k in ours_nested):
        print("FAIL   sc-agent printed keys without the ansible_ prefix")
        return 1
    ours_nested = strip_prefix(ours_nested)
    ours = flatten(ours_nested)

    failed = 0
    for name in REQUIRED:
        if name not in ours_nested:
            print("MISSING %s: sc-agent does not report it" % name)
            failed += 1
    compared = 0
    for key in sorted(ours):
        if key not in theirs:
            print("EXTRA  %s: Ansible reports no such fact (ours: %r)" % (key, ours[key]))
            failed += 1
            continue
        compared += 1
        mine, real = ours[key], theirs[key]
        if key in VOLATILE_MB and isinstance(mine, int) and isinstance(real, int):
            agree = abs(mine - real) <= TOLERANCE_MB
        else:
            agree = mine == real
        if key in KNOWN:
            if agree:
                print("STALE  %s: agrees now; remove it from KNOWN" % key)
                failed += 1
            else:
                print("KNOWN  %s: %s" % (key, KNOWN[key]))
            continue
        if not agree:
            print("DIFF   %s: sc-agent %r, Ansible %r" % (key, mine, real))
            failed += 1
    print("this host: %d facts compared (%d from Ansible not gathered), %d known differences"
          % (compared, len(set(theirs) - set(ours)), len(KNOWN)))

    if args.fixtures:
        python = ansible_python()
        for entry in sorted(os.listdir(args.fixtures)):
            root = os.path.join(args.fixtures, entry)
            if not os.path.isdir(root):
                continue
            fixture_failed, fixture_compared = compare_fixture(args.agent, python, root)
            failed += fixture_failed
            print("fixture %s: %d facts compared" % (entry, fixture_compared))
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
