// to_json, to_nice_json, to_yaml and to_nice_yaml, byte for byte as
// Ansible 2.14 prints them: Python's json.dumps (ASCII-only output,
// ", " and ": " separators, floats as repr, NaN/Infinity) and PyYAML's
// yaml.dump with allow_unicode (controller/jinja/yaml_emit.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/text/utf8.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"
#include "controller/jinja/py_format.h"
#include "controller/jinja/yaml_emit.h"

namespace sc::controller::jinja {
namespace {

struct JsonOptions {
  std::optional<std::string> indent;  // null: one line
  bool sort_keys = false;
  bool ensure_ascii = true;
  std::string item_separator = ", ";
  std::string key_separator = ": ";
};

void jsonString(std::string& out, std::string_view s, bool ensure_ascii) {
  out += '"';
  for (char32_t c : ::sc::text::utf8::decode(s)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || (ensure_ascii && c > 0x7E && c != 0x7F) || (c >= 0xDC80 && c <= 0xDCFF)) {
          if (c >= 0x10000) {
            const char32_t v = c - 0x10000;
            out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
          } else {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
          }
        } else {
          ::sc::text::utf8::append(out, c);
        }
    }
  }
  out += '"';
}

void json(std::string& out, const Data& d, const JsonOptions& o, int level) {
  auto newline = [&](int l) {
    if (!o.indent) return;
    out += '\n';
    for (int i = 0; i < l; ++i) out += *o.indent;
  };
  switch (d.type()) {
    case Data::value_t::null:
      out += "null";
      return;
    case Data::value_t::boolean:
      out += d.get<bool>() ? "true" : "false";
      return;
    case Data::value_t::number_float: {
      const double v = d.get<double>();
      out += std::isnan(v)   ? "NaN"
             : std::isinf(v) ? (v > 0 ? "Infinity" : "-Infinity")
                             : floatRepr(v);
      return;
    }
    case Data::value_t::number_integer:
    case Data::value_t::number_unsigned:
      out += pyStr(d);
      return;
    case Data::value_t::string:
      jsonString(out, d.get_ref<const std::string&>(), o.ensure_ascii);
      return;
    case Data::value_t::array: {
      if (d.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (i) out += o.item_separator;
        newline(level + 1);
        json(out, d[i], o, level + 1);
      }
      newline(level);
      out += ']';
      return;
    }
    case Data::value_t::object: {
      if (d.empty()) {
        out += "{}";
        return;
      }
      std::vector<std::string> keys;
      for (auto it = d.begin(); it != d.end(); ++it) keys.push_back(it.key());
      if (o.sort_keys) std::sort(keys.begin(), keys.end());
      out += '{';
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i) out += o.item_separator;
        newline(level + 1);
        jsonString(out, keys[i], o.ensure_ascii);
        out += o.key_separator;
        json(out, d.at(keys[i]), o, level + 1);
      }
      newline(level);
      out += '}';
      return;
    }
    default:
      out += "null";
  }
}

Result<Data> dataOf(const Value& input) {
  if (!input.isData()) {
    return typeError(fmt::format("Object of type {} is not JSON serializable", input.typeName()));
  }
  return input.data();
}

Result<Value> toJsonWith(Evaluator& ev, const Value& input, CallArgs& args, JsonOptions o) {
  for (auto& [key, value] : args.keyword) {
    if (key == "indent") {
      if (value.isNone()) {
        o.indent.reset();
      } else if (value.isString()) {
        o.indent = value.data().get<std::string>();
      } else if (auto n = value.isData() ? asInteger(value.data()) : std::nullopt) {
        o.indent = std::string(static_cast<std::size_t>(std::clamp<std::int64_t>(*n, 0, 64)), ' ');
      }
      if (o.indent) o.item_separator = ",";
    } else if (key == "sort_keys") {
      o.sort_keys = truthy(value);
    } else if (key == "ensure_ascii") {
      o.ensure_ascii = truthy(value);
    } else if (key == "separators" && value.isList() && value.data().size() == 2) {
      o.item_separator = pyStr(value.data()[0]);
      o.key_separator = pyStr(value.data()[1]);
    } else {
      return typeError(fmt::format("to_json: unsupported argument '{}'", key));
    }
  }
  if (!args.positional.empty()) return typeError("to_json takes keyword arguments only");
  SC_TRY_ASSIGN(auto data, dataOf(input));
  std::string out;
  json(out, data, o, 0);
  SC_TRY(ev.checkSize(out.size()));
  return Value(std::move(out));
}

Result<Value> toJson(Evaluator& ev, Value input, CallArgs& args) {
  return toJsonWith(ev, input, args, JsonOptions{});
}

Result<Value> toNiceJson(Evaluator& ev, Value input, CallArgs& args) {
  JsonOptions o;
  o.indent = std::string(4, ' ');
  o.sort_keys = true;
  o.item_separator = ",";
  if (!args.positional.empty()) {
    // to_nice_json(indent) positionally, as Ansible's signature allows.
    args.keyword.emplace_back("indent", args.positional[0]);
    args.positional.erase(args.positional.begin());
  }
  return toJsonWith(ev, input, args, o);
}

Result<Value> toYamlWith(Evaluator& ev, const Value& input, CallArgs& args, YamlEmitOptions o) {
  for (auto& [key, value] : args.keyword) {
    if (key == "indent") {
      auto n = value.isData() ? asInteger(value.data()) : std::nullopt;
      if (!n || *n < 2 || *n > 9) return typeError("to_yaml: indent must be 2 to 9");
      o.indent = static_cast<int>(*n);
    } else if (key == "default_flow_style") {
      if (value.isNone()) {
        o.flow_style.reset();
      } else {
        o.flow_style = truthy(value);
      }
    } else if (key == "width") {
      auto n = value.isData() ? asInteger(value.data()) : std::nullopt;
      if (!n) return typeError("to_yaml: width must be an integer");
      o.width = static_cast<int>(std::clamp<std::int64_t>(*n, 2, 1 << 20));
    } else if (key == "sort_keys") {
      o.sort_keys = truthy(value);
    } else {
      return typeError(fmt::format("to_yaml: unsupported argument '{}'", key));
    }
  }
  SC_TRY_ASSIGN(auto data, dataOf(input));
  std::string out = emitYaml(data, o);
  SC_TRY(ev.checkSize(out.size()));
  return Value(std::move(out));
}

Result<Value> toYaml(Evaluator& ev, Value input, CallArgs& args) {
  if (!args.positional.empty()) return typeError("to_yaml takes keyword arguments only");
  return toYamlWith(ev, input, args, YamlEmitOptions{});
}

Result<Value> toNiceYaml(Evaluator& ev, Value input, CallArgs& args) {
  YamlEmitOptions o;
  o.indent = 4;
  o.flow_style = false;
  if (!args.positional.empty()) {
    args.keyword.emplace_back("indent", args.positional[0]);
    args.positional.erase(args.positional.begin());
  }
  for (const auto& [key, value] : args.keyword) {
    if (key == "default_flow_style")
      return typeError("to_nice_yaml sets default_flow_style itself");
  }
  return toYamlWith(ev, input, args, o);
}

Result<Value> fromJson(Evaluator&, Value input, CallArgs& args) {
  SC_TRY(Args::bind("from_json", args, {}));
  if (!input.isString()) return typeError("from_json expects a string");
  auto parsed = Data::parse(input.data().get<std::string>(), nullptr, false);
  if (parsed.is_discarded()) return typeError("from_json: the text is not valid JSON");
  return Value(std::move(parsed));
}

}  // namespace

void addSerializeFilters(FilterTable& t) {
  t["to_json"] = toJson;
  t["to_nice_json"] = toNiceJson;
  t["to_yaml"] = toYaml;
  t["to_nice_yaml"] = toNiceYaml;
  t["from_json"] = fromJson;
}

}  // namespace sc::controller::jinja
