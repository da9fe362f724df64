// A port of the parts of PyYAML's Emitter that yaml.dump exercises for
// plain data (no tags, anchors or block scalars): the indentation state
// machine, analyze_scalar/choose_scalar_style and the plain, single- and
// double-quoted writers with their line folding. Columns count code points.
#include "controller/jinja/yaml_emit.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "common/text/utf8.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::jinja {
namespace {

bool isBreak(char32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool isSpaceOrBreak(char32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || isBreak(c);
}

// True when a plain scalar with this text would read back as a string
// (PyYAML's implicit resolvers for YAML 1.1).
bool resolvesToString(const std::string& text) {
  static const std::regex kBool(
      "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  static const std::regex kInt(
      "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9]"
      "[0-9_]*(?::[0-5]?[0-9])+)$");
  static const std::regex kFloat(
      "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?"
      "[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  static const std::regex kNull("^(?:~|null|Null|NULL|)$");
  static const std::regex kTimestamp(
      "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
      "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?(?:[ "
      "\\t]*(?:Z|[-+][0-9][0-9]?"
      "(?::[0-9][0-9])?))?)$");
  if (text.empty()) return false;
  // PyYAML picks resolvers by the first character; these regexes only
  // match texts that start with one of their characters anyway.
  return !(std::regex_match(text, kBool) || std::regex_match(text, kInt) ||
           std::regex_match(text, kFloat) || std::regex_match(text, kNull) ||
           std::regex_match(text, kTimestamp) || text == "<<" || text == "=");
}

struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_flow_plain = true;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
};

Analysis analyze(const std::vector<char32_t>& s) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    a.allow_flow_plain = false;
    return a;
  }
  bool block_indicators = false, flow_indicators = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false,
       break_space = false, space_break = false;
  auto startsWith = [&](const char* p) {
    for (std::size_t i = 0; i < 3; ++i) {
      if (i >= s.size() || s[i] != static_cast<char32_t>(p[i])) return false;
    }
    return true;
  };
  if (startsWith("---") || startsWith("...")) block_indicators = flow_indicators = true;
  bool preceded_by_ws = true;
  bool followed_by_ws = s.size() == 1 || isSpaceOrBreak(s[1]);
  bool previous_space = false, previous_break = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char32_t ch = s[i];
    const auto in = [&](std::string_view set) {
      return ch < 0x80 && set.find(static_cast<char>(ch)) != std::string_view::npos;
    };
    if (i == 0) {
      if (in("#,[]{}&*!|>'\"%@`")) flow_indicators = block_indicators = true;
      if (in("?:")) {
        flow_indicators = true;
        if (followed_by_ws) block_indicators = true;
      }
      if (ch == '-' && followed_by_ws) flow_indicators = block_indicators = true;
    } else {
      if (in(",?[]{}")) flow_indicators = true;
      if (ch == ':') {
        flow_indicators = true;
        if (followed_by_ws) block_indicators = true;
      }
      if (ch == '#' && preceded_by_ws) flow_indicators = block_indicators = true;
    }
    if (isBreak(ch)) line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
      const bool unicode = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) ||
                            (ch >= 0xE000 && ch <= 0xFFFD) || (ch >= 0x10000 && ch < 0x10FFFF)) &&
                           ch != 0xFEFF;
      if (!unicode) special = true;  // allow_unicode is on in Ansible's dumps
    }
    if (ch == ' ') {
      if (i == 0) leading_space = true;
      if (i == s.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (isBreak(ch)) {
      if (i == 0) leading_break = true;
      if (i == s.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_ws = isSpaceOrBreak(ch);
    followed_by_ws = i + 2 >= s.size() || isSpaceOrBreak(s[i + 2]);
  }
  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.allow_flow_plain = a.allow_block_plain = false;
  }
  if (break_space) a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special)
    a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
  if (line_breaks) a.allow_flow_plain = a.allow_block_plain = false;
  if (flow_indicators) a.allow_flow_plain = false;
  if (block_indicators) a.allow_block_plain = false;
  a.multiline = line_breaks;
  return a;
}

class Emitter {
 public:
  explicit Emitter(const YamlEmitOptions& o) : o_(o) {}

  std::string run(const Data& root) {
    node(root, false, false, false);
    // Document end: a newline. (PyYAML adds '...' after a root plain
    // scalar; Ansible's dumper output, checked by the differential test,
    // does not have it.)
    writeIndent();
    return out_;
  }

 private:
  bool flowFor(const Data& d) const {
    if (d.empty()) return true;
    if (o_.flow_style) return *o_.flow_style;
    for (const auto& item : d) {
      if (item.is_array() || item.is_object()) return false;
    }
    return true;
  }

  void writeIndent() {
    const int indent = indent_ < 0 ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) lineBreak();
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<std::size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }

  void lineBreak() {
    out_ += '\n';
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
  }

  void indicator(std::string_view text, bool need_ws, bool ws = false, bool indention = false) {
    std::string data = (whitespace_ || !need_ws) ? std::string(text) : " " + std::string(text);
    whitespace_ = ws;
    indention_ = indention_ && indention;
    column_ += static_cast<int>(::sc::text::utf8::length(data));
    out_ += data;
  }

  void write(const std::vector<char32_t>& text, std::size_t start, std::size_t end) {
    for (std::size_t i = start; i < end; ++i) ::sc::text::utf8::append(out_, text[i]);
    column_ += static_cast<int>(end - start);
  }

  void increaseIndent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? o_.indent : 0;
    } else if (!indentless) {
      indent_ += o_.indent;
    }
  }

  void popIndent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void node(const Data& d, bool sequence, bool mapping, bool simple_key) {
    sequence_context_ = sequence;
    mapping_context_ = mapping;
    simple_key_context_ = simple_key;
    if (d.is_array() || d.is_object()) {
      const bool flow = flow_level_ > 0 || flowFor(d);
      if (d.is_array()) {
        flow ? flowSequence(d) : blockSequence(d);
      } else {
        flow ? flowMapping(d) : blockMapping(d);
      }
      return;
    }
    scalar(d);
  }

  std::vector<std::string> keys(const Data& d) const {
    std::vector<std::string> out;
    for (auto it = d.begin(); it != d.end(); ++it) out.push_back(it.key());
    if (o_.sort_keys) std::sort(out.begin(), out.end());
    return out;
  }

  void blockSequence(const Data& d) {
    const bool indentless = mapping_context_ && !indention_;
    increaseIndent(false, indentless);
    for (const auto& item : d) {
      writeIndent();
      indicator("-", true, false, true);
      node(item, true, false, false);
    }
    popIndent();
  }

  void blockMapping(const Data& d) {
    increaseIndent(false, false);
    for (const auto& key : keys(d)) {
      writeIndent();
      node(Data(key), false, true, true);
      indicator(":", false);
      node(d.at(key), false, true, false);
    }
    popIndent();
  }

  void flowSequence(const Data& d) {
    indicator("[", true, true);
    ++flow_level_;
    increaseIndent(true, false);
    bool first = true;
    for (const auto& item : d) {
      if (!first) indicator(",", false);
      first = false;
      if (column_ > o_.width) writeIndent();
      node(item, true, false, false);
    }
    --flow_level_;
    popIndent();
    indicator("]", false);
  }

  void flowMapping(const Data& d) {
    indicator("{", true, true);
    ++flow_level_;
    increaseIndent(true, false);
    bool first = true;
    for (const auto& key : keys(d)) {
      if (!first) indicator(",", false);
      first = false;
      if (column_ > o_.width) writeIndent();
      node(Data(key), false, true, true);
      indicator(":", false);
      node(d.at(key), false, true, false);
    }
    --flow_level_;
    popIndent();
    indicator("}", false);
  }

  void scalar(const Data& d) {
    std::string text;
    bool is_string = d.is_string();
    if (d.is_null()) {
      text = "null";
    } else if (d.is_boolean()) {
      text = d.get<bool>() ? "true" : "false";
    } else if (d.is_number_float()) {
      const double v = d.get<double>();
      if (v != v) {
        text = ".nan";
      } else if (std::isinf(v)) {
        text = v > 0 ? ".inf" : "-.inf";
      } else {
        text = ::sc::text::utf8::lower(floatRepr(v));
        if (text.find('.') == std::string::npos && text.find('e') != std::string::npos) {
          text.replace(text.find('e'), 1, ".0e");
        }
      }
    } else if (d.is_number()) {
      text = pyStr(d);
    } else {
      text = d.get<std::string>();
    }
    const auto points = ::sc::text::utf8::decode(text);
    const Analysis a = analyze(points);
    const bool implicit = !is_string || resolvesToString(text);
    increaseIndent(true, false);
    char style = '"';
    if (implicit && !(simple_key_context_ && (a.empty || a.multiline)) &&
        ((flow_level_ > 0 && a.allow_flow_plain) || (flow_level_ == 0 && a.allow_block_plain))) {
      style = '\0';
    } else if (a.allow_single_quoted && !(simple_key_context_ && a.multiline)) {
      style = '\'';
    }
    const bool split = !simple_key_context_;
    if (style == '\0') {
      plain(points, split);
    } else if (style == '\'') {
      singleQuoted(points, split);
    } else {
      doubleQuoted(points, split);
    }
    popIndent();
  }

  void plain(const std::vector<char32_t>& t, bool split) {
    if (t.empty()) return;
    if (!whitespace_) {
      out_ += ' ';
      ++column_;
    }
    whitespace_ = indention_ = false;
    bool spaces = false;
    std::size_t start = 0;
    for (std::size_t end = 0; end <= t.size(); ++end) {
      const bool at_end = end == t.size();
      const char32_t ch = at_end ? 0 : t[end];
      if (spaces) {
        if (at_end || ch != ' ') {
          if (start + 1 == end && column_ > o_.width && split) {
            writeIndent();
            whitespace_ = indention_ = false;
          } else {
            write(t, start, end);
          }
          start = end;
        }
      } else if (at_end || ch == ' ' || isBreak(ch)) {
        write(t, start, end);
        start = end;
      }
      if (!at_end) spaces = ch == ' ';
    }
  }

  void singleQuoted(const std::vector<char32_t>& t, bool split) {
    indicator("'", true);
    bool spaces = false, breaks = false;
    std::size_t start = 0;
    for (std::size_t end = 0; end <= t.size(); ++end) {
      const bool at_end = end == t.size();
      const char32_t ch = at_end ? 0 : t[end];
      if (spaces) {
        if (at_end || ch != ' ') {
          if (start + 1 == end && column_ > o_.width && split && start != 0 && end != t.size()) {
            writeIndent();
          } else {
            write(t, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (at_end || !isBreak(ch)) {
          if (t[start] == '\n') lineBreak();
          for (std::size_t i = start; i < end; ++i) {
            if (t[i] == '\n') {
              lineBreak();
            } else {
              ::sc::text::utf8::append(out_, t[i]);
              lineBreak();
            }
          }
          writeIndent();
          start = end;
        }
      } else if (at_end || ch == ' ' || isBreak(ch) || ch == '\'') {
        if (start < end) {
          write(t, start, end);
          start = end;
        }
      }
      if (ch == '\'' && !at_end) {
        out_ += "''";
        column_ += 2;
        start = end + 1;
      }
      if (!at_end) {
        spaces = ch == ' ';
        breaks = isBreak(ch);
      }
    }
    indicator("'", false);
  }

  void doubleQuoted(const std::vector<char32_t>& t, bool split) {
    indicator("\"", true);
    std::size_t start = 0;
    for (std::size_t end = 0; end <= t.size(); ++end) {
      const bool at_end = end == t.size();
      const char32_t ch = at_end ? 0 : t[end];
      const bool printable = (ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) ||
                             (ch >= 0xE000 && ch <= 0xFFFD);
      if (at_end || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 ||
          ch == 0xFEFF || !printable) {
        if (start < end) {
          write(t, start, end);
          start = end;
        }
        if (!at_end) {
          std::string data;
          switch (ch) {
            case 0:
              data = "\\0";
              break;
            case 0x07:
              data = "\\a";
              break;
            case 0x08:
              data = "\\b";
              break;
            case 0x09:
              data = "\\t";
              break;
            case 0x0A:
              data = "\\n";
              break;
            case 0x0B:
              data = "\\v";
              break;
            case 0x0C:
              data = "\\f";
              break;
            case 0x0D:
              data = "\\r";
              break;
            case 0x1B:
              data = "\\e";
              break;
            case '"':
              data = "\\\"";
              break;
            case '\\':
              data = "\\\\";
              break;
            case 0x85:
              data = "\\N";
              break;
            case 0xA0:
              data = "\\_";
              break;
            case 0x2028:
              data = "\\L";
              break;
            case 0x2029:
              data = "\\P";
              break;
            default:
              data = ch <= 0xFF     ? fmt::format("\\x{:02X}", static_cast<unsigned>(ch))
                     : ch <= 0xFFFF ? fmt::format("\\u{:04X}", static_cast<unsigned>(ch))
                                    : fmt::format("\\U{:08X}", static_cast<unsigned>(ch));
          }
          out_ += data;
          column_ += static_cast<int>(data.size());
          start = end + 1;
        }
      }
      if (end > 0 && end + 1 < t.size() && (ch == ' ' || start >= end) &&
          column_ + static_cast<int>(end - start) > o_.width && split) {
        write(t, start, end);
        out_ += '\\';
        ++column_;
        if (start < end) start = end;
        writeIndent();
        whitespace_ = indention_ = false;
        if (t[start] == ' ') {
          out_ += '\\';
          ++column_;
        }
      }
    }
    indicator("\"", false);
  }

  const YamlEmitOptions& o_;
  std::string out_;
  int column_ = 0;
  int indent_ = -1;
  std::vector<int> indents_;
  int flow_level_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool sequence_context_ = false;
  bool mapping_context_ = false;
  bool simple_key_context_ = false;
};

}  // namespace

std::string emitYaml(const Data& data, const YamlEmitOptions& options) {
  return Emitter(options).run(data);
}

}  // namespace sc::controller::jinja
