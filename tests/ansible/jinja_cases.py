"""Cases for jinja_differential.py: templates and the variables they see.

Each case is (template, vars) plus an optional `known` reason: a documented
difference (docs/jinja.md) where the engine deliberately fails or prints
something else; such a case must still differ, or the table is stale.
Hand-written cases come first, then generated combinations.
"""

CASES = []


def case(template, vars=None, known=None, mode="template"):
    CASES.append({"template": template, "vars": vars or {}, "known": known, "mode": mode})


def value(template, vars=None, known=None):
    case(template, vars, known, mode="value")


V = {
    "d": {"a": 1, "b": "two", "items": 5, "nested": {"k": [1, 2]}},
    "l": [3, 1, 2],
    "s": "Hello World",
    "n": None,
    "t": True,
    "f": False,
    "i": 42,
    "x": 1.5,
    "e": "",
    "u": "caf\u00e9 \u2713",
    "q": "it's \"quoted\"",
    "users": [
        {"name": "alice", "uid": 1001, "groups": ["wheel", "dev"], "admin": True},
        {"name": "bob", "uid": 1002, "groups": ["dev"], "admin": False},
        {"name": "carol", "uid": 1000, "groups": [], "shell": "/bin/zsh"},
    ],
    "ports": [80, 443, 8080],
    "res": {"changed": True, "rc": 0, "stdout": "ok\nfine", "stdout_lines": ["ok", "fine"]},
    "bad": {"failed": True, "rc": 2, "msg": "boom"},
    "skip": {"skipped": True, "changed": False},
    "loopres": {"results": [{"changed": False}, {"changed": True}], "changed": True},
    "paths": ["/etc/nginx/nginx.conf", "/var/www/html/", "relative/file.txt"],
    "version": "1.2.10",
    "cfg": {"listen": 80, "server_name": "example.com", "root": "/var/www",
            "locations": [{"path": "/", "try": "$uri"}, {"path": "/api", "proxy": "http://b"}]},
}

# --- whitespace, comments, raw ---------------------------------------------------------------
case("plain text\n")
case("no trailing newline")
case("two trailing\n\n")
case("{% if t %}\nyes\n{% endif %}\n", V)
case("{% if t %}yes{% endif %}\n", V)
case("{% if f %}yes{% endif %}\n", V)
case("a\n{% if t %}\n  b\n{% endif %}\nc\n", V)
case("  {% if t %}\n  x\n  {% endif %}\n", V)
case("a  {{- i -}}  b\n", V)
case("a\n  {%- if t -%}\n  b\n  {%- endif -%}\n  c\n", V)
case("{% if t +%}\nkeep\n{% endif %}\n", V)
case("a {%+ if t %}b{% endif %}\n", V)
case("{# a comment #}\nafter\n")
case("x {# inline #} y\n")
case("x\n{# multi\nline #}\ny\n")
case("{#- strip -#}   \n  z\n")
case("{% raw %}{{ not rendered }}{% endraw %}\n")
case("{% raw %}\n{% if %}{{ x }}\n{% endraw %}\nz\n")
case("a\n  {%- raw -%}  inner  {%- endraw -%}  \nb\n")
case("line1\r\nline2\r\n")
case("cr\ronly\n")
case("{{ s }}\n\n\n", V)
case("{% for p in ports %}\n{{ p }}\n{% endfor %}\n", V)
case("{% for p in ports %}{{ p }}\n{% endfor %}", V)
case("{% for p in ports -%}\n{{ p }} \n{%- endfor %}\n", V)
case("{% set z = 1 %}\n{{ z }}\n")
case("{% macro m() %}\nin macro\n{% endmacro %}\n{{ m() }}|\n")
case("\n\n{% if t %}x{% endif %}\n\n", V)
case("{% if t %}x{% endif %}\n\n", V)
case("{{ '{{' }} literal {{ '}}' }}\n")
case("{{ '{%' }}\n")
case("tab\tand   spaces   \n")

# --- printing values ---------------------------------------------------------------------------
for expr in ["i", "x", "s", "n", "t", "f", "e", "u", "q", "l", "d", "users[0]", "ports",
             "[n]", "[t, f]", "{'k': n}", "[q]", "[u]", "{'it\\'s': 1}", "d.nested", "(1, 2)",
             "(1,)", "()", "[(1, 2)]", "[[]]", "{}", "[{}]"]:
    case("{{ %s }}\n" % expr, V)
for lit in ["1.0", "0.1", "1e16", "1e15", "1.5e-5", "0.0001", "-0.0", "1/3", "10/3", "2**0.5",
            "1e300*1e300", "-(1e300*1e300)", "123456789.123", "0.1+0.2", "1e22", "5e-324",
            "100.0", "3.14159", "2.5e-7", "7/2", "8/2", "-7/2", "1_000.5", "1e3"]:
    case("{{ %s }}\n" % lit)
for lit in ["'a\\nb'", "'tab\\there'", "'\\x41\\u00e9'", "\"dq\"", "'it\\'s'", "'a' 'b'",
            "'\\\\'", "'back\\\\slash'", "'x' ~ 1 ~ none", "none ~ ''", "true ~ false"]:
    case("{{ %s }}\n" % lit)
    case("{{ [%s] }}\n" % lit)

# --- expressions -----------------------------------------------------------------------------
for expr in ["5 // 2", "-5 // 2", "-5 % 3", "5 % -3", "2 ** -1", "2 ** 10", "7 / 2", "1 + true",
             "7.5 // 2", "-7.5 % 2", "'ab' * 3", "[1] * 3", "[1] + [2]", "3 * 'x'", "-2 ** 2",
             "2 ** 3 ** 2", "not 1 == 2", "1 in [1] == true", "1 < 2 < 3", "3 > 2 > 1 > 0",
             "'a' < 'b'", "[1, 2] < [1, 3]", "1 == 1.0", "true == 1", "'1' == 1", "none is none",
             "1 if t else 2", "1 if f else 2", "1 if f", "'y' if n is none else 'n'",
             "i > 40 and s", "f or 'fallback'", "n or e or 'last'", "not t", "not not 0",
             "'ell' in s", "'z' not in s", "'a' in d", "'zz' in d", "2 in l", "i % 5 == 2",
             "l[0]", "l[-1]", "l.1", "d.a", "d['b']", "d['items']", "d.nested.k[1]",
             "s[0]", "s[-1]", "s[1:4]", "s[::-1]", "s[::2]", "l[1:]", "l[:-1]", "l[::-1]",
             "l[5:]", "u[0:4]", "u[-1]", "users[1].name", "users[-1]['uid']",
             "(i + 8) / 10", "i // 5 * 5", "-i", "+i", "-x", "abs(-1)", "1 - - 1",
             "'%s-%d' % ('a', 3)", "'%05.1f' % x", "'%-5s|' % 'ab'", "'%x' % 255", "'%r' % s",
             "'%(a)s' % d", "'%s' % l", "'%s %s' % (1, 2)", "'%3d%%' % 50", "'%e' % 12345.678",
             "'%g' % 0.00001", "'%.3g' % 1234567", "'%c' % 65", "'%+d' % 5", "'% d' % 5"]:
    case("{{ %s }}\n" % expr, V)

# --- methods ------------------------------------------------------------------------------------
for expr in ["s.split()", "s.split('o')", "'a,b,,c'.split(',')", "'a b c'.split(' ', 1)",
             "'a-b-c'.rsplit('-', 1)", "'  pad  '.strip()", "'xxhixx'.strip('x')",
             "'  l'.lstrip()", "'r  '.rstrip() ~ '|'", "s.lower()", "s.upper()", "s.title()",
             "'hello world'.capitalize()", "s.replace('o', '0')", "s.replace('o', '0', 1)",
             "s.find('o')", "s.find('z')", "s.rfind('o')", "s.startswith('He')",
             "s.endswith(('x', 'ld'))", "s.count('l')", "'-'.join(['a', 'b'])",
             "', '.join(d.keys())", "'a\\nb\\r\\nc'.splitlines()", "'{} and {}'.format(1, 'x')",
             "'{0}{1}{0}'.format('a', 'b')", "'{name}!'.format(name='x')", "'{:>5}|'.format('r')",
             "'{:<5}|'.format('l')", "'{:^7}|'.format('c')", "'{:05d}'.format(42)",
             "'{:.2f}'.format(3.14159)", "'{:,}'.format(1234567)", "'{!r}'.format('q')",
             "d.items()", "d.keys()", "d.values()", "d.get('a')", "d.get('zz')",
             "d.get('zz', 'def')", "d.items() | list", "l.index(1)", "l.count(3)",
             "'abc'.isdigit()", "'123'.isdigit()", "'ab'.isalpha()", "'Ab'.islower()",
             "'7'.zfill(3)", "'ab'.center(6, '*')", "'ab'.ljust(4) ~ '|'", "'ab'.rjust(4)",
             "'k=v'.partition('=')", "'AbC'.swapcase()"]:
    case("{{ %s }}\n" % expr, V)

# --- statements ---------------------------------------------------------------------------------
case("{% for u in users %}{{ loop.index }}/{{ loop.length }} {{ u.name }}{% if not loop.last %}, "
     "{% endif %}{% endfor %}\n", V)
case("{% for u in users %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}"
     "{{ loop.last }}{{ loop.depth }}{{ loop.depth0 }} {% endfor %}\n", V)
case("{% for p in ports %}{{ loop.cycle('odd', 'even') }} {% endfor %}\n", V)
case("{% for p in ports %}{{ loop.previtem | default('-') }}>{{ p }}>{{ loop.nextitem | "
     "default('-') }} {% endfor %}\n", V)
case("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}\n", V)
case("{% for k in d %}{{ k }} {% endfor %}\n", V)
case("{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}\n", V)
case("{% for c in 'abc' %}{{ c }}.{% endfor %}\n")
case("{% for x in [] %}never{% else %}empty{% endfor %}\n")
case("{% for x in l if x > 1 %}{{ x }}({{ loop.index }}/{{ loop.length }}) {% endfor %}\n", V)
case("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}\n")
case("{% for u in users | selectattr('admin', 'defined') %}{{ u.name }} {% endfor %}\n", V)
case("{% for i in range(3) %}{% for j in range(2) %}{{ i }}{{ j }}:{{ loop.index }} {% endfor %}"
     "{{ loop.index }}|{% endfor %}\n")
case("{% for x in l %}{{ loop.changed(x > 1) }} {% endfor %}\n", V)
case("{% for a, b in [[1, 2, 3]] %}{% endfor %}\n")
case("{% for x in i %}{% endfor %}\n", V)
case("{% for x in missing %}{% endfor %}\n")
case("{% if i > 40 %}big{% elif i > 10 %}mid{% else %}small{% endif %}\n", V)
case("{% if i < 10 %}small{% elif i < 50 %}mid{% else %}big{% endif %}\n", V)
case("{% if n %}a{% elif e %}b{% else %}c{% endif %}\n", V)
case("{% if missing %}x{% endif %}\n")
case("{% if missing is defined %}x{% else %}undef{% endif %}\n")
case("{% if d.zz is defined %}x{% else %}no zz{% endif %}\n", V)
case("{% if missing.deep.attr is undefined %}chain{% endif %}\n")
case("{% set a = 1 %}{% set b = a + 1 %}{{ a }}{{ b }}\n")
case("{% set a, b = 1, 2 %}{{ b }}{{ a }}\n")
case("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}\n")
case("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}\n")
case("{% set ns = namespace(total=0, names=[]) %}{% for u in users %}{% set ns.total = ns.total + "
     "u.uid %}{% set ns.names = ns.names + [u.name] %}{% endfor %}{{ ns.total }} {{ ns.names }}\n", V)
case("{% set ns = namespace(found=false) %}{% for p in ports %}{% if p == 443 %}{% set ns.found = "
     "true %}{% endif %}{% endfor %}{{ ns.found }}\n", V)
case("{% set block %}\n  inner {{ i }}\n{% endset %}[{{ block }}]\n", V)
case("{% set up | upper %}shout{% endset %}{{ up }}\n")
case("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}"
     "{{ greet('a') }} {{ greet('b', 'Hi') }} {{ greet(greeting='Yo', name='c') }}\n")
case("{% macro row(k, v) -%}\n{{ k }}: {{ v }}\n{%- endmacro %}\n{% for k, v in d.items() %}"
     "{{ row(k, v) }}\n{% endfor %}", V)
case("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}\n")
case("{% macro m(a) %}[{{ a | default('none') }}]{% endmacro %}{{ m() }}\n")
case("{% macro fact(n) %}{% if n > 1 %}{{ n }}*{{ fact(n - 1) }}{% else %}1{% endif %}"
     "{% endmacro %}{{ fact(5) }}\n")
case("{% filter upper %}hello {{ s }}{% endfilter %}\n", V)
case("{% with a = 1, b = i %}{{ a }}-{{ b }}{% endwith %}\n", V)
case("{% include 'other.j2' %}\n")
case("{% import 'x.j2' as x %}\n")
case("{% extends 'base.j2' %}\n")
case("{% for x in l %}{% break %}{% endfor %}\n", V)
case("{% call m() %}x{% endcall %}\n")
case("{% if %}\n")
case("{{ 1 + }}\n")
case("{% for x in %}{% endfor %}\n")
case("{% if t %}unclosed\n", V)
case("{{ unclosed\n")
case("{# unclosed comment\n")
case("{% endif %}\n")
case("{{ 'unterminated }}\n")
case("{{ l[1:2:0] }}\n", V)

# --- undefined handling --------------------------------------------------------------------------
for expr in ["missing", "missing.attr", "d.zz", "l[10]", "s[99]", "missing | default('x')",
             "missing.attr | default('x')", "d.zz | default('x')", "l[10] | default('x')",
             "missing is defined", "missing is undefined", "d.nested.zz is defined",
             "missing | mandatory", "missing | mandatory('custom message')", "i | mandatory",
             "missing == 1", "missing ~ 'x'", "missing + 1", "missing()", "d.zz.yy",
             "missing | length", "missing | string", "missing is none", "missing is string",
             "n | default('d')", "e | default('d')", "e | default('d', true)",
             "0 | default('d', true)", "f | d('d')", "[missing] | length"]:
    case("{{ %s }}\n" % expr, V)

# --- tests -----------------------------------------------------------------------------------------
for expr in ["i is number", "x is float", "i is integer", "x is integer", "t is boolean",
             "i is boolean", "s is string", "l is string", "d is mapping", "l is mapping",
             "l is sequence", "s is sequence", "d is iterable", "i is iterable", "n is none",
             "i is divisibleby 7", "i is divisibleby(5)", "i is even", "i is odd", "i is eq 42",
             "i is ne 42", "i is lt 50", "i is gt 50", "i is ge 42", "i is le 41", "2 is in l",
             "l is contains 3", "'abc' is lower", "'ABC' is upper", "'aBc' is lower",
             "s is match('Hello')", "s is match('World')", "s is search('World')",
             "s is regex('^H.*d$')", "s is match('hello', ignorecase=true)", "s is not search('x')",
             "version is version('1.2.9', '>')", "version is version('1.2.10', '==')",
             "version is version('1.3', 'lt')", "'2.0' is version('2.0.0', 'eq')",
             "'1.0.0' is version('1.0.0', 'eq', strict=true)",
             "'1.2.3' is version('1.2.4', '<', strict=true)", "'1.0a' is version('1.0.1', '>')",
             "'1.0' is version_compare('0.9', '>=')", "'x' is version('1', 'eq', strict=true)",
             "res is changed", "res is succeeded", "res is success", "res is failed",
             "bad is failed", "bad is succeeded", "skip is skipped", "res is skipped",
             "loopres is changed", "'str' is changed", "t is sameas true", "1 is sameas true",
             "i is callable", "range is callable", "i is frobbed"]:
    case("{{ %s }}\n" % expr, V)

# --- filters: one line each ---------------------------------------------------------------------
FILTERS = [
    "'yes' | bool", "'on' | bool", "'1' | bool", "'foo' | bool", "0 | bool", "none | bool",
    "'True' | bool", "[1] | bool", "1 | bool", "2 | bool", "'TRUE' | bool", "1.0 | bool",
    "'0x1A' | int", "'12' | int", "'1.9' | int", "'abc' | int", "3.7 | int", "-3.7 | int",
    "'0x1A' | int(base=16)", "'0b101' | int(base=2)", "'z' | int(7)", "true | int", "' 42 ' | int",
    "'1_000' | int", "'1.5' | float", "'x' | float", "2 | float", "'1e3' | float", "' 2.5 ' | float",
    "'inf' | float", "i | string", "l | string", "n | string", "s | lower", "s | upper",
    "'hELLO wORLD' | capitalize", "\"it's a-b (c)\" | title", "'  x  ' | trim ~ '|'",
    "'xxhixx' | trim('x')", "s | replace('o', '0')", "s | replace('l', 'L', 2)",
    "'a,b,c' | split(',')", "'a b  c' | split", "s | length", "u | length", "l | length",
    "d | length", "l | count", "l | first", "l | last", "s | first", "s | last", "[] | first",
    "l | list", "'ab' | list", "d | list", "l | join(',')", "l | join", "users | join(', ', attribute='name')",
    "t | ternary('yes', 'no')", "f | ternary('yes', 'no')", "n | ternary('y', 'n', 'null')",
    "-3 | abs", "-2.5 | abs", "2.5 | round", "3.5 | round", "3.14159 | round(2)",
    "2.675 | round(2)", "2.1 | round(0, 'ceil')", "2.9 | round(0, 'floor')", "7 | round",
    "[1, [2, [3, [4]]]] | flatten", "[1, [2, [3, [4]]]] | flatten(1)", "[1, none, [none], 'None'] | flatten",
    "[[1, 2], [2, 3]] | flatten | unique", "[3, 1, 3, 2, 1] | unique", "['a', 'A', 'b'] | unique",
    "['a', 'A', 'b'] | unique(case_sensitive=true)", "[[1], [1], [2]] | unique",
    "users | unique(attribute='admin') | map(attribute='name') | list",
    "[1, 2] | union([2, 3])", "[1, 2, 3] | difference([2])", "[1, 2, 3] | intersect([3, 2])",
    "[1, 2] | symmetric_difference([2, 3])", "['a', 'B'] | union(['b'])",
    "l | sort", "l | sort(reverse=true)", "['b', 'A', 'c'] | sort", "['b', 'A', 'c'] | sort(case_sensitive=true)",
    "users | sort(attribute='uid') | map(attribute='name') | list",
    "users | sort(attribute='name', reverse=true) | map(attribute='uid') | list",
    "[1, 'a'] | sort", "l | min", "l | max", "['b', 'A'] | max", "['b', 'A'] | min",
    "users | max(attribute='uid')", "[] | min", "l | sum", "[1.5, 2] | sum", "[[1], [2]] | sum(start=[])",
    "users | sum(attribute='uid')", "d | dict2items", "d | dict2items(key_name='k', value_name='v')",
    "[{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}] | items2dict",
    "[{'n': 'a', 'v': 1}] | items2dict(key_name='n', value_name='v')", "l | dict2items",
    "{'a': 1, 'b': {'c': 1}} | combine({'b': {'d': 2}})",
    "{'a': 1, 'b': {'c': 1}} | combine({'b': {'d': 2}}, recursive=true)",
    "{'a': [1]} | combine({'a': [2]}, list_merge='append')",
    "{'a': [1, 2]} | combine({'a': [2, 3]}, list_merge='append_rp')",
    "{'a': [1]} | combine({'a': [2]}, list_merge='prepend')",
    "[{'a': 1}, {'b': 2}] | combine", "{'a': 1} | combine({'a': 2}, {'a': 3})",
    "{'a': 1} | combine(5)", "l | map('string') | list", "l | map('string') | join('-')",
    "['a', 'b'] | map('upper') | list", "users | map(attribute='name') | list",
    "users | map(attribute='shell', default='/bin/sh') | list", "users | map(attribute='groups') | flatten | unique",
    "['1', '2'] | map('int') | sum", "l | map('pow', 2) | list",
    "l | select('odd') | list", "l | reject('odd') | list", "[0, 1, '', 'a', none] | select | list",
    "l | select('gt', 1) | list", "l | select('in', [1, 2]) | list",
    "users | selectattr('admin') | map(attribute='name') | list",
    "users | selectattr('admin', 'defined') | map(attribute='name') | list",
    "users | rejectattr('admin', 'defined') | map(attribute='name') | list",
    "users | selectattr('uid', 'gt', 1000) | map(attribute='name') | list",
    "users | selectattr('name', 'equalto', 'bob') | first",
    "users | selectattr('name', 'match', '^[ab]') | map(attribute='uid') | list",
    "users | rejectattr('groups') | map(attribute='name') | list",
    "users | selectattr('shell', 'undefined') | list | length",
    "l | zip(['a', 'b', 'c']) | list", "[1, 2] | zip(['a']) | list", "l | batch(2) | list",
    "l | batch(2, 'x') | list", "d | dictsort", "d | dictsort(reverse=true)",
    "{'b': 1, 'A': 2} | dictsort", "{'b': 1, 'A': 2} | dictsort(true)", "{'b': 2, 'a': 1} | dictsort(by='value')",
    "users | subelements('groups') | map('last') | list",
    "users | subelements('groups', skip_missing=true) | length",
    "'a\\nb\\n\\nc' | indent", "'a\\nb\\n\\nc' | indent(2, true)", "'a\\nb\\n\\nc' | indent(2, blank=true)",
    "'a\\nb' | indent(first=true)", "'x' | indent('--', true)", "'ab' | center(7)", "'ab' | center(3)",
    "'one two, three-four' | wordcount", "'%s=%d' | format('a', 3)", "'%(x)s' | format(x=1)",
    "'a\\nb' | comment", "'x' | comment('c')", "'x' | comment('cblock')", "'x' | comment('xml')",
    "'x' | comment('erlang')", "'x' | comment(decoration='; ')", "'x' | comment('plain', prefix='#!', postfix='##')",
    "\"it's\" | quote", "'abc' | quote", "'' | quote", "'a b' | quote", "l | quote", "n | quote",
    "'a$b`c\"d' | quote", "'/path/ok-1.2_x@y%z+=:,' | quote",
    "'<a href=\"x\">&' | e", "'<b>' | escape", "'a b/c?d=1&e' | urlencode", "{'k': 'a b', 'x': 1} | urlencode",
    "[['a', 1], ['b', 'c d']] | urlencode", "u | urlencode",
    "paths | map('basename') | list", "paths | map('dirname') | list", "'/a/../b//c/' | realpath",
    "'/etc/./nginx/../ssl' | realpath", "'/' | dirname", "'file' | dirname", "'/a' | dirname",
    "'a/b.tar.gz' | splitext", "'.bashrc' | splitext", "['/etc', 'nginx', 'x.conf'] | path_join",
    "['a', '/b', 'c'] | path_join",
    "s | b64encode", "u | b64encode", "'SGVsbG8=' | b64decode", "'' | b64encode",
    "'hello world' | hash('sha1')", "'x' | hash('md5')", "'x' | hash", "'x' | hash('sha256')",
    "'x' | hash('sha512')", "'x' | md5", "'x' | sha1", "'x' | checksum", "'x' | hash('nope')",
    "'secret' | password_hash('sha512', 'saltsalt')", "'secret' | password_hash('sha256', 'saltsalt')",
    "'secret' | password_hash('sha512', 'saltsalt', rounds=10000)", "'secret' | password_hash('md5', 'saltsalt')",
    "s | regex_replace('o', '0')", "s | regex_replace('^(\\\\w+) (\\\\w+)$', '\\\\2 \\\\1')",
    "s | regex_replace('L', 'x', ignorecase=true)", "'a\\nb' | regex_replace('^', '> ', multiline=true)",
    "'aaa' | regex_replace('a*', '-')", "'host.example.com' | regex_replace('\\\\..*$', '')",
    "s | regex_replace('(?P<w>o)', 'x')", "s | regex_search('W\\\\w+')", "s | regex_search('(H)(e)', '\\\\2', '\\\\1')",
    "s | regex_search('zz')", "'ab12cd345' | regex_findall('\\\\d+')", "'k=v;x=y' | regex_findall('(\\\\w)=(\\\\w)')",
    "'a.b*c' | regex_escape", "'a b' | regex_escape", "s | regex_findall('l', ignorecase=true)",
    "d | to_json", "l | to_json", "u | to_json", "q | to_json", "n | to_json", "x | to_json",
    "d | to_json(indent=2)", "d | to_json(sort_keys=true)", "cfg | to_nice_json", "users | to_nice_json",
    "{} | to_nice_json", "[] | to_nice_json", "d | to_nice_json(indent=2)", "u | to_nice_json",
    "d | to_yaml", "cfg | to_yaml", "users | to_yaml", "s | to_yaml", "l | to_yaml", "n | to_yaml",
    "cfg | to_nice_yaml", "users | to_nice_yaml", "d | to_nice_yaml(indent=2)", "u | to_nice_yaml",
    "{'k': 'yes', 'n': '123', 'e': '', 'c': 'a: b', 'h': '#x', 'm': 'a\\nb', 's': ' lead', 'f': 1.5, 'z': none} | to_yaml",
    "{'long': 'word ' * 30} | to_yaml", "{'long': 'word ' * 30} | to_nice_yaml", "['x' * 100] | to_yaml",
    "{'q': \"it's\", 'dq': 'say \"hi\"', 'tab': 'a\\tb', 'bs': 'back\\\\slash'} | to_yaml",
    "{'d': '2020-01-01', 'o': 'on', 't': 'True', 'v': '1.5', 'x': '0x1F', 'tilde': '~'} | to_nice_yaml",
    "{'a': [[1, 2], {'b': []}]} | to_yaml", "{'a': [[1, 2], {'b': []}]} | to_nice_yaml",
    "'{\"a\": [1, 2]}' | from_json", "l | reverse | list", "'abc' | reverse", "i | type_debug",
    "s | type_debug", "l | to_uuid", "l | random", "s | unknown_filter(1)", "s | ansible.builtin.upper",
    "s | ansible.netcommon.ipaddr",
]
for expr in FILTERS:
    case("{{ %s }}\n" % expr, V)

# --- globals and lookups --------------------------------------------------------------------------
for expr in ["range(5) | list", "range(2, 10, 3) | list", "range(5, 0, -2) | list", "range(3)",
             "range(0) | list", "dict(a=1, b='x')", "dict([['a', 1]])", "lookup('env', 'HOME')",
             "lookup('env', 'SC_JINJA_DIFF_UNSET')", "query('env', 'HOME')", "q('env', 'HOME', 'HOME')",
             "lookup('env', 'HOME', 'HOME')", "lookup('env', 'HOME', wantlist=true)",
             "lookup('nope_plugin', 'x')", "namespace(a=1).a", "range(1, 4) | map('string') | join"]:
    case("{{ %s }}\n" % expr, V)

# --- realistic templates -----------------------------------------------------------------------
case("""server {
    listen {{ cfg.listen }};
    server_name {{ cfg.server_name }};
    root {{ cfg.root }};
{% for loc in cfg.locations %}
    location {{ loc.path }} {
{% if loc.proxy is defined %}
        proxy_pass {{ loc.proxy }};
{% else %}
        try_files {{ loc.try }} =404;
{% endif %}
    }
{% endfor %}
}
""", V)
case("""# {{ managed_comment | default('Managed by smartcookies') }}
{% for u in users %}
{{ u.name }}:x:{{ u.uid }}:{{ u.uid }}::/home/{{ u.name }}:{{ u.shell | default('/bin/bash') }}
{% endfor %}
""", V)
case("""[defaults]
{% for k, v in d.items() if v is not mapping %}
{{ k }} = {{ v }}
{% endfor %}
hosts = {{ ports | join(',') }}
""", V)
case("""{% set admins = users | selectattr('admin', 'defined') | selectattr('admin') | list %}
admins={{ admins | map(attribute='name') | join(' ') }}
count={{ admins | length }}
""", V)
case("""{%- for p in ports %}
-A INPUT -p tcp --dport {{ p }} -j ACCEPT
{%- endfor %}
""", V)
case("""ListenAddress {{ listen | default('0.0.0.0') }}
PermitRootLogin {{ 'yes' if root_login | default(false) | bool else 'no' }}
PasswordAuthentication {{ (password_auth | default('no')) | bool | ternary('yes', 'no') }}
""")
case("""{{ cfg | to_nice_yaml(indent=2) }}""", V)
case("""{{ {'users': users | map(attribute='name') | list} | to_nice_json }}
""", V)
case("""upstream app {
{% for i in range(3) %}
    server 10.0.0.{{ i + 1 }}:{{ 8000 + i }} weight={{ loop.revindex }};
{% endfor %}
}
""")
case("""{% for line in res.stdout_lines %}
{{ loop.index }}: {{ line | upper }}
{% endfor %}
""", V)

# --- Ansible's value templating (debug msg is templated like any task argument) -----------
for text in ["plain", "{{ i }}", "{{ t }}", "{{ n }}", "{{ x }}", "{{ i + 1 }}", "{{ l }}", "{{ d }}",
             "{{ s }}", "x{{ i }}", "{{ i > 1 }}", "{{ '[1, 2]' }}", "{{ '[1' }}", "{{ 'True' }}",
             "{{ '{\"a\": true}' }}", "{{ '[true, null]' }}", "{{ users | map(attribute='uid') | list }}",
             "{{ [] }}", "{{ {} }}", "{{ n }}x", "{{ e }}", "{{ 'a\\nb' }}", "{{ l | join(',') }}",
             "{{ 1.0 }}", "{{ '5' | int }}", "{{ t | ternary('a', 'b') }}", "{% if t %}[1]{% endif %}",
             "{{ ' [1]' }}", "{{ '(1, 2)' }}", "{{ d.nested }}", "{{ f }}", "{{ missing | default(omit_me | default(3)) }}"]:
    value(text, V)

# --- generated: value printing through the common filters ------------------------------------
GEN_VALUES = {
    "int": 7, "neg": -3, "float": 2.5, "zero": 0, "str": "Mixed Case", "empty": "", "num_str": "42",
    "bool_str": "yes", "unicode": "\u00fcber \u00e9t\u00e9", "quote": "a'b\"c", "list": [1, "b", None],
    "dict": {"z": 1, "a": [True, False]}, "none": None, "true": True, "nested": [[1, 2], {"k": "v"}],
}
GEN_FORMATS = ["{{ v }}", "{{ v | string }}", "{{ v | to_json }}", "{{ v | to_nice_json }}",
               "{{ v | to_yaml }}", "{{ v | to_nice_yaml }}", "{{ v | bool }}", "{{ v | int }}",
               "{{ v | float }}", "{{ v | length }}", "{{ v | default('D') }}", "{{ v | lower }}",
               "{{ [v] }}", "{{ {'k': v} }}", "{{ v is string }}", "{{ v | quote }}", "{{ v | first }}",
               "{{ v | list }}", "{{ v ~ '|' }}", "{{ v | b64encode }}"]
for name, val in GEN_VALUES.items():
    for fmt in GEN_FORMATS:
        case(fmt + "\n", {"v": val})

# --- generated: whitespace control around tags ------------------------------------------------
for open_tag in ["{%", "{%-", "{%+"]:
    for close_tag in ["%}", "-%}", "+%}"]:
        case("a \n  %s if true %s\n  b\n  %s endif %s\n  c\n" % (open_tag, close_tag, open_tag, close_tag))
for open_var in ["{{", "{{-"]:
    for close_var in ["}}", "-}}"]:
        case("a \n  %s 1 %s\n  c\n" % (open_var, close_var))

# --- generated: operators over value pairs -----------------------------------------------------
PAIRS = [("3", "2"), ("3", "2.0"), ("-7", "2"), ("'ab'", "'cd'"), ("[1]", "[2]"), ("true", "1"),
         ("'a'", "1"), ("none", "none"), ("2.5", "-0.5"), ("0", "0")]
for a, b in PAIRS:
    for op in ["+", "-", "*", "/", "//", "%", "**", "==", "<", ">=", "~", "and", "or", "in"]:
        case("{{ %s %s %s }}\n" % (a, op, b))
