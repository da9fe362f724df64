// The few Python string operations Ansible's fact collectors are written
// with (str.strip, str.split, str.splitlines, re.search, shlex), so the
// ports in agent/facts/ read line for line like the Python they follow and
// give the same answers on odd input.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc::agent::py {

// str.strip() / strip(chars): ASCII whitespace as Python counts it.
std::string strip(std::string_view text);
std::string strip(std::string_view text, std::string_view chars);
std::string rstrip(std::string_view text);
// str.split() (runs of whitespace, no empty fields) and str.split(sep).
std::vector<std::string> split(std::string_view text);
std::vector<std::string> split(std::string_view text, std::string_view sep);
// str.split(sep, 1): one or two parts.
std::vector<std::string> splitOnce(std::string_view text, char sep);
// str.splitlines(): \n, \r\n, \r, \v, \f, \x1c, \x1d, \x1e end a line.
std::vector<std::string> splitLines(std::string_view text);
std::string lower(std::string_view text);
// str.capitalize(): first character upper case, the rest lower case.
std::string capitalize(std::string_view text);
bool contains(std::string_view text, std::string_view part);
bool isDigits(std::string_view text);  // str.isdigit() for ASCII
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// os.path.basename
std::string basename(std::string_view path);

// The groups of one regex match: [0] is the whole match; an empty optional
// is a group that did not take part.
using Groups = std::vector<std::optional<std::string>>;

// re.search(pattern, text) (re.match when `anchored`), for the patterns in
// agent/facts/: ECMAScript syntax, which agrees with Python's on them.
// Text over 8 KiB never matches (std::regex recurses per character).
std::optional<Groups> search(const std::string& pattern, std::string_view text,
                             bool anchored = false);
// re.findall for a pattern without groups.
std::vector<std::string> findAll(const std::string& pattern, std::string_view text);

// shlex.shlex(text, posix=True) with whitespace_split=True, as
// python-distro reads os-release: quotes and backslashes as a POSIX shell
// takes them, '#' starts a comment. Text after an unclosed quote is
// dropped (Python raises there).
std::vector<std::string> shlexSplit(std::string_view text);

}  // namespace sc::agent::py
