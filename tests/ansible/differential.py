#!/usr/bin/env python3
"""Differential test: the same file edits through ansible-playbook and sc-agent.

Every case in CASES is one Ansible module call (lineinfile, blockinfile, replace,
copy, file) on its own file. The script seeds two identical trees, runs all
cases as ONE playbook (ansible-playbook is slow to start) and as ONE manifest
(sc-agent --root), then compares each case's resulting bytes, mode, type,
timestamps where asked, and outcome (changed / ok / failed). A second sc-agent
run must change nothing (idempotence).

Cases the agent deliberately refuses (Python-only regex syntax) are marked
`refuse`: Ansible must accept them, and sc-agent must reject a manifest holding
the case alone with exit code 3 and a message containing the given text.

Standard library only. Exit status: 0 all cases match, 1 some differ, 77 skip
(no ansible-playbook), 2 bad usage.
"""

import argparse
import difflib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

SKIP = 77
SEED_TIME = 1_600_000_000  # atime and mtime of every seeded path
ANSIBLE_CFG = """\
[defaults]
interpreter_python = auto_silent
retry_files_enabled = False
host_key_checking = False
gathering = explicit
nocows = True
deprecation_warnings = False
stdout_callback = ansible.posix.json
[connection]
pipelining = True
"""


class Case:
    def __init__(self, kind, desc, params, initial=None, *, mode=0o644, initial_dir=False,
                 refuse=None, times=False, idempotent=True, known=None, known_bytes=None):
        self.kind = kind
        self.desc = desc
        self.params = params
        self.initial = initial.encode() if isinstance(initial, str) else initial
        self.mode = mode
        self.initial_dir = initial_dir
        self.refuse = refuse
        self.times = times
        self.idempotent = idempotent
        # (outcome sc-agent reports instead of Ansible's, why): a documented difference.
        self.known = known
        # Why the agent's bytes are known to differ: the case must differ (else it is stale).
        self.known_bytes = known_bytes
        self.id = ""


CASES = []


def case(kind, desc, params, initial=None, **kw):
    CASES.append(Case(kind, desc, params, initial, **kw))


def lif(desc, params, initial=None, **kw):
    case("lineinfile", desc, params, initial, **kw)


def bif(desc, params, initial=None, **kw):
    case("blockinfile", desc, params, initial, **kw)


def rep(desc, params, initial=None, **kw):
    case("replace", desc, params, initial, **kw)


# --- lineinfile -----------------------------------------------------------------------------
AB = "a\nb\n"
KV = "x=1\ny=2\nx=3\n"
INI = "[main]\nk=1\n[extra]\nk=2\n"
lif("line appended", {"line": "c"}, AB)
lif("line already present", {"line": "b"}, AB)
lif("line present twice", {"line": "c"}, "c\na\nc\n")
lif("append to file without trailing newline", {"line": "c"}, "a\nb")
lif("line is the last line without newline", {"line": "b"}, "a\nb")
lif("empty file", {"line": "c"}, "")
lif("file of one newline", {"line": "c"}, "\n")
lif("line with leading spaces", {"line": "  indented"}, AB)
lif("line with trailing spaces", {"line": "c  "}, "a\nc\n")
lif("line with tab", {"line": "k\tv"}, AB)
lif("line with utf-8", {"line": "caf\u00e9 = \u2713"}, AB)
lif("regexp replaces last match", {"regexp": "^x=", "line": "x=9"}, KV)
lif("regexp firstmatch", {"regexp": "^x=", "line": "x=9", "firstmatch": True}, KV)
lif("regexp no match appends", {"regexp": "^z=", "line": "z=0"}, KV)
lif("regexp no match, line present", {"regexp": "^zzz", "line": "y=2"}, KV)
lif("regexp match already right", {"regexp": "^y=", "line": "y=2"}, KV)
lif("regexp anchored at end", {"regexp": "=2$", "line": "y=22"}, KV)
lif("regexp character class", {"regexp": "^[xy]=[0-9]+$", "line": "w=5"}, KV, idempotent=False)
lif("regexp case-insensitive inline flag", {"regexp": "(?i)^X=", "line": "x=7"}, KV)
lif("regexp with escaped dot", {"regexp": r"^pm\.max_children", "line": "pm.max_children = 20"},
    "pm = dynamic\npm.max_children = 5\npm.start_servers = 2\n")
lif("regexp dot matches any char", {"regexp": "^pm.max", "line": "pm.max = 1"},
    "pmXmax = 0\n")
lif("regexp matching commented line",
    {"regexp": r"^#?\s*PermitRootLogin", "line": "PermitRootLogin no"},
    "Port 22\n#PermitRootLogin prohibit-password\nUsePAM yes\n")
lif("regexp matches blank line", {"regexp": "^$", "line": "filled"}, "a\n\nb\n")
lif("regexp whitespace only", {"regexp": r"^\s*$", "line": "filled"}, "a\n  \nb\n")
lif("regexp on file without trailing newline", {"regexp": "^b", "line": "b=1"}, "a\nb")
lif("regexp alternation", {"regexp": "^(foo|bar)=", "line": "bar=2"}, "foo=1\nbaz=3\n")
lif("regexp with quantifier braces", {"regexp": "^a{2,}$", "line": "aa"}, "aaaa\nb\n")
lif("regexp word boundary", {"regexp": r"\bport\b", "line": "port 8080"},
    "export x\nport 80\n")
lif("regexp digit class", {"regexp": r"^\d+ ", "line": "1 one"}, "22 two\nx\n")
lif("regexp literal dollar", {"regexp": r"^price=\$", "line": "price=$5"}, "price=$3\n")
lif("regexp \\s matches the line end", {"regexp": r"^b\s", "line": "b2"}, AB)
lif("regexp $ before final newline only", {"regexp": r"b$", "line": "B"}, "b \nab\n")
lif("regexp non-greedy", {"regexp": "^k=.*?;", "line": "k=v;"}, "k=a;b;\n")
lif("regexp and insertafter, regexp matches",
    {"regexp": "^k=", "line": "k=9", "insertafter": r"^\[extra\]"}, INI)
lif("regexp and insertafter, regexp misses",
    {"regexp": "^new=", "line": "new=1", "insertafter": r"^\[main\]"}, INI)
lif("regexp and insertbefore, regexp misses",
    {"regexp": "^new=", "line": "new=1", "insertbefore": r"^\[extra\]"}, INI)
lif("regexp misses, insertafter misses", {"regexp": "^new=", "line": "new=1",
                                          "insertafter": "^nothing"}, INI)
lif("insertafter regex, last match", {"line": "new=1", "insertafter": "^k="}, INI)
lif("insertafter regex firstmatch", {"line": "new=1", "insertafter": "^k=", "firstmatch": True},
    INI)
lif("insertafter section header", {"line": "new=1", "insertafter": r"^\[main\]"}, INI)
lif("insertafter matches last line", {"line": "new=1", "insertafter": "^k=2"}, INI)
lif("insertafter matches last line without newline", {"line": "c", "insertafter": "^b"}, "a\nb", idempotent=False)
lif("insertafter misses appends", {"line": "new=1", "insertafter": "^nothing"}, INI)
lif("insertafter EOF", {"line": "c", "insertafter": "EOF"}, AB)
lif("insertafter EOF on file without newline", {"line": "c", "insertafter": "EOF"}, "a\nb")
lif("insertafter BOF", {"line": "c", "insertafter": "BOF"}, AB)
lif("insertbefore BOF", {"line": "#!/bin/sh", "insertbefore": "BOF"}, "echo hi\n")
lif("insertbefore BOF, line present", {"line": "a", "insertbefore": "BOF"}, AB)
lif("insertbefore regex, last match", {"line": "new=1", "insertbefore": r"^\["}, INI)
lif("insertbefore regex firstmatch", {"line": "new=1", "insertbefore": r"^\[",
                                      "firstmatch": True}, INI)
lif("insertbefore first line", {"line": "top", "insertbefore": "^a"}, AB)
lif("insertbefore misses appends", {"line": "new", "insertbefore": "^nothing"}, AB)
lif("insertafter, line present elsewhere", {"line": "a", "insertafter": "^b"}, AB)
lif("insertafter, line already follows", {"line": "b", "insertafter": "^a"}, AB)
lif("insertbefore, line present before", {"line": "a", "insertbefore": "^b"}, AB)
lif("insertafter on empty file", {"line": "c", "insertafter": "^a"}, "")
lif("insertbefore on empty file", {"line": "c", "insertbefore": "^a"}, "")
lif("insertafter with regexp firstmatch",
    {"regexp": "^zz", "line": "zz=1", "insertafter": "^k=", "firstmatch": True}, INI)
lif("insertafter dot-star", {"line": "end", "insertafter": ".*"}, AB)
lif("backrefs with match", {"regexp": r"^(\s*)port=(\d+)$", "line": r"\1port=8080",
                            "backrefs": True}, "[srv]\n  port=80\n")
lif("backrefs two groups swapped", {"regexp": r"^(\w+)=(\w+)$", "line": r"\2=\1",
                                    "backrefs": True}, "key=value\n", idempotent=False)
lif("backrefs \\g<1>", {"regexp": r"^(listen) \d+;$", "line": r"\g<1> 8443;",
                        "backrefs": True}, "server\nlisten 80;\n")
lif("backrefs without match leaves file", {"regexp": "^nomatch=(.*)", "line": r"x=\1",
                                           "backrefs": True}, AB)
lif("backrefs without match on missing line", {"regexp": "^(c)$", "line": "c",
                                               "backrefs": True}, AB)
lif("backrefs optional group unmatched", {"regexp": "^(#)?foo=(.*)$", "line": r"foo=\2",
                                          "backrefs": True}, "foo=1\n")
lif("backrefs optional group matched", {"regexp": "^(#)?foo=(.*)$", "line": r"foo=\2",
                                        "backrefs": True}, "#foo=1\n")
lif("backrefs firstmatch", {"regexp": r"^(x)=\d", "line": r"\1=0", "backrefs": True,
                            "firstmatch": True}, KV)
lif("backrefs last match", {"regexp": r"^(x)=\d", "line": r"\1=0", "backrefs": True}, KV)
lif("backrefs with literal backslash", {"regexp": r"^(path)=.*$", "line": r"\1=C:\\dir",
                                        "backrefs": True}, "path=x\n")
lif("backrefs \\t escape", {"regexp": r"^(a)$", "line": r"\1\tb", "backrefs": True}, AB)
lif("backrefs group 0", {"regexp": r"^b$", "line": r"\g<0>\g<0>", "backrefs": True}, AB)
lif("backrefs, result already present", {"regexp": r"^(a)", "line": r"\1", "backrefs": True},
    AB)
lif("no backrefs keeps backslashes", {"regexp": r"^(a)$", "line": r"\1 literal"}, AB)
lif("absent by line", {"line": "c", "state": "absent"}, "a\nc\nb\nc\n")
lif("absent by line, no match", {"line": "zz", "state": "absent"}, AB)
lif("absent by line, last line without newline", {"line": "b", "state": "absent"}, "a\nb")
lif("absent by line, CRLF", {"line": "a", "state": "absent"}, "a\r\nb\r\n")
lif("absent by line ignores spaces", {"line": "a", "state": "absent"}, " a\na \nb\n")
lif("absent by regexp", {"regexp": "^#", "state": "absent"}, "#one\nkeep\n# two\n")
lif("absent by regexp, no match", {"regexp": "^zz", "state": "absent"}, AB)
lif("absent by regexp with $", {"regexp": "b$", "state": "absent"}, "ab\nba\nb\n")
lif("absent by search_string", {"search_string": "[x]", "state": "absent"}, "a[x]\nb\nx\n")
lif("absent by search_string, no match", {"search_string": "zz", "state": "absent"}, AB)
lif("absent removes everything", {"regexp": ".", "state": "absent"}, AB)
lif("absent on missing file", {"line": "a", "state": "absent"}, None)
lif("absent on empty file", {"line": "a", "state": "absent"}, "")
lif("search_string replaces last", {"search_string": "x=", "line": "x=9"}, KV)
lif("search_string firstmatch", {"search_string": "x=", "line": "x=9", "firstmatch": True}, KV)
lif("search_string no match appends", {"search_string": "zz", "line": "zz=1"}, KV)
lif("search_string with regex metacharacters", {"search_string": "a.b[1]", "line": "a.b[1] = 2"},
    "aXb1 = 0\na.b[1] = 1\n")
lif("search_string mid-line", {"search_string": "Root", "line": "PermitRootLogin no"},
    "#PermitRootLogin yes\n")
lif("search_string and insertafter", {"search_string": "zz", "line": "zz=1",
                                      "insertafter": "^y="}, KV)
lif("search_string and insertbefore BOF", {"search_string": "zz", "line": "zz=1",
                                           "insertbefore": "BOF"}, KV)
lif("create missing file", {"line": "hello", "create": True}, None)
lif("create missing file with mode", {"line": "hello", "create": True, "mode": "0600"}, None)
lif("create missing file, insertbefore BOF", {"line": "hello", "create": True,
                                              "insertbefore": "BOF"}, None)
lif("create missing file, regexp", {"regexp": "^h", "line": "hello", "create": True}, None)
lif("create on existing file", {"line": "c", "create": True}, AB)
lif("missing file without create fails", {"line": "hello"}, None)
lif("CRLF append", {"line": "c"}, "a\r\nb\r\n")
lif("CRLF exact line present", {"line": "b"}, "a\r\nb\r\n")
lif("CRLF regexp replace", {"regexp": "^b", "line": "b=2"}, "a\r\nb=1\r\n")
lif("CRLF regexp dot-star to end", {"regexp": "^b=.*$", "line": "b=2"}, "a\r\nb=1\r\n")
lif("CRLF regexp anchored", {"regexp": "^b$", "line": "B"}, "a\r\nb\r\n")
lif("CRLF insertafter", {"line": "c", "insertafter": "^a"}, "a\r\nb\r\n")
lif("CRLF without final newline", {"line": "c"}, "a\r\nb")
lif("lone CR line endings", {"line": "c"}, "a\rb\r", idempotent=False)
lif("mode set on existing file", {"line": "b", "mode": "0600"}, AB)
lif("symbolic mode on existing file", {"line": "b", "mode": "go-r"}, AB)
lif("duplicate lines, regexp replaces last", {"regexp": "^dup", "line": "dup=new"},
    "dup\ndup\ndup\n")
lif("duplicate lines, firstmatch", {"regexp": "^dup", "line": "dup=new", "firstmatch": True},
    "dup\ndup\ndup\n")
# Python-only regex syntax the agent refuses at validate time.
lif("refuse named group", {"regexp": r"^(?P<k>\w+)=", "line": "k=1"}, KV,
    refuse="Python regex syntax")
lif("refuse lookbehind", {"regexp": r"(?<=x)=", "line": "x=1"}, KV, refuse="Python regex syntax")
lif("refuse \\A anchor", {"regexp": r"\Ax=", "line": "x=1"}, KV, refuse="Python regex syntax")
lif("refuse named backref in line", {"regexp": r"^(?P<key>x)=(.*)$", "line": r"\g<key>=1",
                                     "backrefs": True}, KV, refuse="Python regex syntax")

# --- blockinfile ----------------------------------------------------------------------------
BLK = "10.0.0.5 db\n10.0.0.6 cache"
M0 = "# BEGIN ANSIBLE MANAGED BLOCK\n"
M1 = "# END ANSIBLE MANAGED BLOCK\n"
bif("insert at EOF", {"block": BLK}, AB)
bif("insert at EOF, file without newline", {"block": BLK}, "a\nb")
bif("insert into empty file", {"block": BLK}, "")
bif("insert at BOF", {"block": BLK, "insertbefore": "BOF"}, AB)
bif("insertafter EOF explicit", {"block": BLK, "insertafter": "EOF"}, AB)
bif("insertafter regex", {"block": BLK, "insertafter": "^a"}, AB)
bif("insertafter regex last match", {"block": "x", "insertafter": "^k="}, INI)
bif("insertafter regex no match goes to EOF", {"block": "x", "insertafter": "^nothing"}, INI)
bif("insertbefore regex", {"block": BLK, "insertbefore": "^b"}, AB)
bif("insertbefore regex last match", {"block": "x", "insertbefore": r"^\["}, INI)
bif("insertbefore regex no match goes to EOF", {"block": "x", "insertbefore": "^nothing"}, INI)
bif("insertafter last line without newline", {"block": "x", "insertafter": "^b"}, "a\nb")
bif("replace existing block", {"block": "new"}, "a\n" + M0 + "old1\nold2\n" + M1 + "b\n")
bif("existing block unchanged", {"block": "same"}, "a\n" + M0 + "same\n" + M1 + "b\n")
bif("existing block stays in place with insertbefore", {"block": "new", "insertbefore": "BOF"},
    "a\n" + M0 + "old\n" + M1 + "b\n")
bif("markers in wrong order", {"block": "new"}, "a\n" + M1 + "old\n" + M0 + "b\n")
bif("only begin marker present", {"block": "new"}, "a\n" + M0 + "b\n")
bif("two blocks, last markers win", {"block": "new"},
    M0 + "one\n" + M1 + "mid\n" + M0 + "two\n" + M1)
bif("block at end without newline after end marker", {"block": "new"},
    "a\n" + M0 + "old\n" + M1.rstrip("\n"))
bif("remove block", {"state": "absent"}, "a\n" + M0 + "old\n" + M1 + "b\n")
bif("remove block, none present", {"state": "absent"}, AB)
bif("remove block, previous line without newline", {"state": "absent"},
    "a\n" + M0 + "old\n" + M1)
bif("remove block on missing file", {"state": "absent"}, None,
    known=("ok", "Ansible fails on a missing file unless create is set, even to remove; the "
           "agent treats removing from a missing file as done (text_edit.h, removing())"))
bif("empty block removes", {"block": ""}, "a\n" + M0 + "old\n" + M1 + "b\n")
bif("empty block, no markers", {"block": ""}, AB)
bif("block with trailing newline", {"block": "x\ny\n"}, AB)
bif("block with blank lines", {"block": "x\n\ny"}, AB)
bif("block with CRLF", {"block": "x\r\ny"}, AB)
bif("custom marker", {"block": "x", "marker": "// {mark} managed"}, AB)
bif("custom marker replace", {"block": "x", "marker": "<!-- {mark} -->"},
    "a\n<!-- BEGIN -->\nold\n<!-- END -->\n")
bif("custom marker_begin/marker_end", {"block": "x", "marker_begin": "START",
                                       "marker_end": "STOP"}, AB)
bif("marker_begin/end replace", {"block": "y", "marker_begin": "START", "marker_end": "STOP"},
    "a\n# START ANSIBLE MANAGED BLOCK\nx\n# STOP ANSIBLE MANAGED BLOCK\nb\n")
bif("marker with regex characters", {"block": "x", "marker": "# [{mark}] (.*) managed"}, AB)
bif("create missing file", {"block": BLK, "create": True}, None)
bif("create missing file with mode", {"block": "x", "create": True, "mode": "0640"}, None)
bif("missing file without create fails", {"block": "x"}, None)
bif("CRLF file insert at EOF", {"block": "x"}, "a\r\nb\r\n")
bif("CRLF file replace block", {"block": "x"}, "a\r\n" + M0 + "old\r\n" + M1 + "b\r\n")
bif("CRLF markers are not recognised", {"block": "x"},
    "a\r\n" + M0.replace("\n", "\r\n") + "old\r\n" + M1.replace("\n", "\r\n"))
bif("insertbefore first line", {"block": "x", "insertbefore": "^a"}, AB)
bif("insertafter with anchored $", {"block": "x", "insertafter": "a$"}, AB)
bif("block with utf-8", {"block": "caf\u00e9"}, AB)
bif("refuse lookbehind insertafter", {"block": "x", "insertafter": "(?<=a)"}, AB,
    refuse="Python regex syntax")

# --- replace --------------------------------------------------------------------------------
CONF = "listen 80;\nserver_name a.test;\nlisten 8080;\n"
CARET_CR = ("a multiline '^' in the agent also matches after '\\r' (an ECMAScript line end; "
            "std::regex has no lookbehind to say Python's 'after \\n')")
rep("simple", {"regexp": "80", "replace": "90"}, CONF)
rep("no match", {"regexp": "zzz", "replace": "y"}, CONF)
rep("replace with same text", {"regexp": "listen", "replace": "listen"}, CONF)
rep("delete matches (empty replace)", {"regexp": "a\\.test"}, CONF)
rep("backref \\1", {"regexp": r"^listen (\d+);", "replace": r"listen [::]:\1;"}, CONF)
rep("backref \\g<1>", {"regexp": r"^(listen) (\d+)", "replace": r"\g<1> 1\g<2>"}, CONF, idempotent=False)
rep("backref \\g<0>", {"regexp": r"\d+", "replace": r"<\g<0>>"}, CONF, idempotent=False)
rep("unmatched optional group", {"regexp": r"^(#)?(listen)", "replace": r"\1\2"}, CONF)
rep("multiline ^", {"regexp": "^", "replace": "# "}, "a\nb\n", idempotent=False)
rep("multiline ^ on file without newline", {"regexp": "^", "replace": "# "}, "a\nb",
    idempotent=False)
rep("multiline $", {"regexp": "$", "replace": ";"}, "a\nb\n", idempotent=False)
rep("multiline ^...$ whole line", {"regexp": "^server_name .*$",
                                   "replace": "server_name b.test;"}, CONF)
rep("comment out a line", {"regexp": r"^(listen 8080;)$", "replace": r"# \1"}, CONF)
rep("uncomment lines", {"regexp": r"^#\s*(.*)$", "replace": r"\1"}, "#a\n# b\nc\n")
rep("newline in regexp joins lines", {"regexp": "a\\nb", "replace": "a b"}, "a\nb\nc\n")
rep("newline in replacement", {"regexp": ";", "replace": ";\\n"}, "a;b\n", idempotent=False)
rep("tab escape in replacement", {"regexp": "  ", "replace": "\\t"}, "a  b\n")
rep("literal backslash in replacement", {"regexp": "/", "replace": "\\\\"}, "a/b\n")
rep("case-insensitive flag", {"regexp": "(?i)LISTEN", "replace": "Listen"}, CONF)
rep("blank lines collapse", {"regexp": "\\n\\n+", "replace": "\\n"}, "a\n\n\nb\n")
rep("trailing whitespace strip", {"regexp": "[ \\t]+$", "replace": ""}, "a  \nb\t\nc\n")
rep("empty-match star", {"regexp": "x*", "replace": "-"}, "abxd\n", idempotent=False)
rep("dot does not cross newline", {"regexp": "a.b", "replace": "X"}, "a\nb\naxb\n")
rep("after section", {"regexp": "^k=.*$", "replace": "k=0", "after": r"\[extra\]"}, INI)
rep("before section", {"regexp": "^k=.*$", "replace": "k=0", "before": r"\[extra\]"}, INI)
rep("after and before section", {"regexp": "^k=.*$", "replace": "k=0",
                                 "after": r"\[main\]", "before": r"\[extra\]"}, INI)
rep("after does not match", {"regexp": "k", "replace": "K", "after": "nothing"}, INI)
rep("before does not match", {"regexp": "k", "replace": "K", "before": "nothing"}, INI)
rep("after/before non-greedy section", {"regexp": "v", "replace": "V", "after": "<",
                                        "before": ">"}, "v<v>v<v>v\n")
rep("CRLF $ anchor", {"regexp": "1$", "replace": "2"}, "a=1\r\nb=1\n")
rep("CRLF dot-star", {"regexp": "^a=.*$", "replace": "a=2"}, "a=1\r\nb=1\r\n")
rep("CRLF ^ anchor", {"regexp": "^", "replace": "> "}, "a\r\nb\r\n", idempotent=False,
    known_bytes=CARET_CR)
rep("lone CR", {"regexp": "^b", "replace": "B"}, "a\rb\n", known_bytes=CARET_CR)
rep("CRLF blank lines removed", {"regexp": r"^\s*\n", "replace": ""}, "a\r\n\r\nb\r\n",
    known_bytes=CARET_CR)
rep("class with ] first", {"regexp": "[]x]", "replace": "-"}, "a]x\n")
rep("dollar in a class", {"regexp": "[$]", "replace": "USD"}, "5$\n")
rep("escaped dollar", {"regexp": r"\$\{HOME\}", "replace": "/root"}, "p=${HOME}/x\n")
rep("replace on missing file fails", {"regexp": "a", "replace": "b"}, None)
rep("empty file", {"regexp": "a", "replace": "b"}, "")
rep("mode with replace", {"regexp": "a", "replace": "A", "mode": "0600"}, AB)
rep("utf-8 text", {"regexp": "caf\u00e9", "replace": "tea"}, "caf\u00e9 au lait\n")
rep("refuse named group", {"regexp": r"(?P<n>\d+)", "replace": "x"}, CONF,
    refuse="Python regex syntax")
rep("refuse \\Z", {"regexp": r"8080;\Z", "replace": "x"}, CONF, refuse="Python regex syntax")

# --- copy -----------------------------------------------------------------------------------
case("copy", "content to new file", {"content": "hello\n"}, None)
case("copy", "content with mode", {"content": "hello\n", "mode": "0600"}, None)
case("copy", "content with symbolic mode", {"content": "x", "mode": "u=rw,g=r,o="}, None)
case("copy", "content replaces file", {"content": "new\n"}, "old\n")
case("copy", "content same as file", {"content": "same\n"}, "same\n")
case("copy", "same content, new mode", {"content": "same\n", "mode": "0640"}, "same\n")
case("copy", "force false on existing file", {"content": "new\n", "force": False}, "old\n")
case("copy", "force false, existing mode kept", {"content": "new\n", "force": False,
                                                 "mode": "0600"}, "old\n")
case("copy", "force false on missing file", {"content": "new\n", "force": False}, None)
case("copy", "empty content", {"content": ""}, "old\n")
case("copy", "content without newline", {"content": "no newline"}, None)
case("copy", "CRLF content", {"content": "a\r\nb\r\n"}, None)
case("copy", "mode 0755", {"content": "#!/bin/sh\n", "mode": "0755"}, None)
case("copy", "mode a+x on existing", {"content": "x\n", "mode": "a+x"}, "x\n")

# --- file -----------------------------------------------------------------------------------
case("file", "directory created", {"state": "directory"}, None)
case("file", "directory with mode", {"state": "directory", "mode": "0750"}, None)
case("file", "directory symbolic u=rwx,g=rx,o=", {"state": "directory", "mode": "u=rwx,g=rx,o="},
     None)
case("file", "directory a+x on new", {"state": "directory", "mode": "a+x"}, None)
case("file", "directory a+x on existing 0700", {"state": "directory", "mode": "a+x"},
     initial_dir=True, mode=0o700)
case("file", "directory go-rwx on existing", {"state": "directory", "mode": "go-rwx"},
     initial_dir=True, mode=0o755)
case("file", "directory u=rwx,go=rx existing", {"state": "directory", "mode": "u=rwx,go=rx"},
     initial_dir=True, mode=0o700)
case("file", "directory mode octal on existing", {"state": "directory", "mode": "0700"},
     initial_dir=True, mode=0o755)
case("file", "directory g+s", {"state": "directory", "mode": "g+s"}, initial_dir=True,
     mode=0o755)
case("file", "directory already right", {"state": "directory", "mode": "0755"}, initial_dir=True,
     mode=0o755)
case("file", "directory over existing file fails", {"state": "directory"}, "x\n")
case("file", "touch creates", {"state": "touch", "modification_time": "preserve",
                               "access_time": "preserve"}, None)
case("file", "touch existing preserve", {"state": "touch", "modification_time": "preserve",
                                         "access_time": "preserve"}, "x\n", times=True)
case("file", "touch preserve with mode", {"state": "touch", "mode": "0600",
                                          "modification_time": "preserve",
                                          "access_time": "preserve"}, "x\n", times=True)
case("file", "touch with explicit times", {"state": "touch", "modification_time": "202001011200.00",
                                           "access_time": "202001011200.00"}, "x\n", times=True)
case("file", "touch directory preserve", {"state": "touch", "modification_time": "preserve",
                                          "access_time": "preserve"}, initial_dir=True,
     mode=0o755, times=True)
case("file", "file mode on existing", {"state": "file", "mode": "0600"}, "x\n")
case("file", "file symbolic u+x", {"state": "file", "mode": "u+x"}, "x\n")
case("file", "file a=r", {"state": "file", "mode": "a=r"}, "x\n")
case("file", "file ug=rw,o-rwx", {"state": "file", "mode": "ug=rw,o-rwx"}, "x\n")
case("file", "file on missing path fails", {"state": "file"}, None)
case("file", "absent removes file", {"state": "absent"}, "x\n")
case("file", "absent on missing", {"state": "absent"}, None)
case("file", "mode only (no state)", {"mode": "0640"}, "x\n")


# --- running --------------------------------------------------------------------------------

def module_params(c, path):
    params = dict(c.params)
    params["dest" if c.kind == "copy" else "path"] = path
    return params


def seed(c, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if c.initial_dir:
        os.mkdir(path)
    elif c.initial is not None:
        with open(path, "wb") as f:
            f.write(c.initial)
    else:
        return
    os.chmod(path, c.mode)
    os.utime(path, (SEED_TIME, SEED_TIME))


def snapshot(c, path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {"type": "absent"}
    out = {"mode": "%04o" % stat.S_IMODE(st.st_mode)}
    if stat.S_ISDIR(st.st_mode):
        out["type"] = "directory"
    elif stat.S_ISREG(st.st_mode):
        out["type"] = "file"
        with open(path, "rb") as f:
            out["content"] = f.read()
        # Reading may move atime (relatime): put it back so the next run sees what it left.
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        out["type"] = "other"
    if c.times:
        out["mtime"] = st.st_mtime_ns // 1_000_000_000
        out["atime"] = st.st_atime_ns // 1_000_000_000
    return out


def show(data):
    return data.decode("utf-8", "backslashreplace").replace("\r", "\\r")


def compare(c, ans, sc):
    """Lists the differences between Ansible's result `ans` and the agent's `sc`."""
    problems = []
    for key in ("type", "mode", "mtime", "atime"):
        if ans.get(key) != sc.get(key):
            problems.append(f"{key}: ansible {ans.get(key)!r}, sc-agent {sc.get(key)!r}")
    if ans.get("content") != sc.get("content") and "content" in ans and "content" in sc:
        diff = difflib.unified_diff(
            show(ans["content"]).splitlines(True), show(sc["content"]).splitlines(True),
            "ansible", "sc-agent")
        problems.append("content differs:\n" + "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in diff))
    return problems


def run(argv, env=None, timeout=600):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def run_ansible(tmp, cases):
    base = os.path.join(tmp, "ansible")
    tasks = [{"name": c.id, "ansible.builtin." + c.kind: module_params(c, os.path.join(
        base, c.id, "target")), "ignore_errors": True} for c in cases]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    playbook = os.path.join(tmp, "play.yml")
    with open(playbook, "w") as f:
        json.dump(play, f, indent=1)  # JSON is YAML
    cfg = os.path.join(tmp, "ansible.cfg")
    with open(cfg, "w") as f:
        f.write(ANSIBLE_CFG)
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("ANSIBLE_")]:
        del env[key]
    env.update({
        "ANSIBLE_CONFIG": cfg,
        "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": os.path.join(tmp, "ansible-remote"),
        "ANSIBLE_HOME": os.path.join(tmp, "ansible-home"),
        "ANSIBLE_GALAXY_DISABLE_GPG_VERIFY": "1",
        "ANSIBLE_NOCOLOR": "1",
        "LC_ALL": "C.UTF-8",
        "no_proxy": "*",
    })
    proc = run(["ansible-playbook", "-c", "local", "-i", "localhost,", playbook], env=env)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"ansible-playbook produced no JSON report (rc {proc.returncode}):\n"
                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    results = {}
    for task in report["plays"][0]["tasks"]:
        res = task["hosts"].get("localhost", {})
        results[task["task"]["name"]] = res
    return results


def outcome_of_ansible(res):
    if res.get("failed"):
        return "failed"
    return "changed" if res.get("changed") else "ok"


def outcome_of_agent(res):
    """Maps an agent resource report to changed / ok / failed; failures are ignored."""
    message = res.get("message", "")
    if res.get("outcome") == "failed" or message.endswith("(ignored)"):
        return "failed"
    return res.get("outcome")


def sc_manifest(cases, serial=1):
    # ignore_errors as in the playbook: one failing case must not stop the others.
    resources = [{"id": c.id, "type": c.kind, "ignore_errors": True,
                  "params": module_params(c, "/" + c.id + "/target")} for c in cases]
    return {"format_version": 1, "host": "localhost", "serial": serial, "resources": resources}


def run_agent(agent, tmp, manifest, name):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1)
    return run([agent, "apply", "--manifest", path, "--root", os.path.join(tmp, "sc", "root"),
                "--state-dir", os.path.join(tmp, "sc", "state"), "--json"])


def agent_report(proc, what):
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"sc-agent {what} printed no JSON report (rc {proc.returncode}):\n"
                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agent", required=True, help="path to the sc-agent binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("-k", "--filter", default="", help="only cases whose name contains this")
    args = parser.parse_args()
    if shutil.which("ansible-playbook") is None:
        print("SKIP: ansible-playbook not found")
        return SKIP
    if not os.access(args.agent, os.X_OK):
        print(f"sc-agent not executable: {args.agent}", file=sys.stderr)
        return 2

    for number, c in enumerate(CASES, 1):
        c.id = f"case-{number:03d}"
    cases = [c for c in CASES if args.filter in c.id + " " + c.kind + " " + c.desc]
    os.umask(0o022)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sc-ansible-diff-")
    try:
        for c in cases:
            seed(c, os.path.join(tmp, "ansible", c.id, "target"))
            seed(c, os.path.join(tmp, "sc", "root", c.id, "target"))
        os.makedirs(os.path.join(tmp, "sc", "state"))

        ansible_results = run_ansible(tmp, cases)
        ansible_seconds = time.monotonic() - started

        normal = [c for c in cases if not c.refuse]
        first = agent_report(run_agent(args.agent, tmp, sc_manifest(normal), "manifest"), "run 1")
        outcomes = {r["id"]: r for r in first["resources"]}

        failures = 0
        for c in cases:
            label = f"{c.id} {c.kind}: {c.desc}"
            res = ansible_results.get(c.id)
            problems = []
            if res is None:
                problems.append("ansible reported no result")
                res = {}
            if c.refuse:
                if res.get("failed"):
                    problems.append("ansible failed, so the case is not legitimate usage: "
                                    + str(res.get("msg")))
                proc = run_agent(args.agent, tmp, sc_manifest([c]), c.id)
                if proc.returncode != 3:
                    problems.append(f"sc-agent exit code {proc.returncode}, expected 3 (refused)")
                if c.refuse not in proc.stdout + proc.stderr:
                    problems.append(f"sc-agent output lacks '{c.refuse}':\n"
                                    f"{proc.stdout}{proc.stderr}")
            else:
                ans = snapshot(c, os.path.join(tmp, "ansible", c.id, "target"))
                sc = snapshot(c, os.path.join(tmp, "sc", "root", c.id, "target"))
                differences = compare(c, ans, sc)
                if c.known_bytes:
                    if not differences:
                        problems.append("known difference no longer differs; update the case")
                    label += f" (known difference: {c.known_bytes})"
                else:
                    problems += differences
                want = outcome_of_ansible(res)
                got = outcomes.get(c.id, {})
                have = outcome_of_agent(got)
                if c.known:
                    want = c.known[0]
                    label += f" (known difference: {c.known[1]})"
                if (not c.idempotent and want == "changed" and have == "failed"
                        and "did not converge" in got.get("message", "")):
                    # Ansible changes the file on every run; the agent, which observes
                    # again after apply, says so. The bytes were compared above.
                    have = "changed"
                if want != have and not c.known_bytes:
                    problems.append(f"outcome: ansible {want} ({res.get('msg', '')}), sc-agent "
                                    f"{have} ({got.get('message', '')})")
            if problems:
                failures += 1
                print(f"FAIL {label}")
                for p in problems:
                    print("  " + p.replace("\n", "\n  ").rstrip())
            else:
                print(f"ok   {label}")

        # Idempotence: a second run changes nothing.
        second = agent_report(run_agent(args.agent, tmp, sc_manifest(normal, 2), "manifest2"),
                              "run 2")
        # Cases where Ansible itself changes the file on every run are left out.
        flaky = {c.id for c in normal if not c.idempotent}
        changed_again = [r["id"] for r in second["resources"]
                         if r["outcome"] != "ok" and r["id"] not in flaky]
        if changed_again:
            failures += 1
            print(f"FAIL idempotence: second run recap {second['recap']}; not ok again: "
                  f"{changed_again}")
        else:
            print(f"ok   idempotence: second run changed nothing ({len(flaky)} cases that Ansible "
                  "changes on every run left out)")

        total = len(cases) + 1
        print(f"ansible-playbook {ansible_seconds:.0f}s, total {time.monotonic() - started:.0f}s")
        print(f"{total - failures} passed, {failures} failed")
        return 0 if failures == 0 else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
