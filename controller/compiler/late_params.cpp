#include "controller/compiler/late_params.h"

#include <fmt/format.h>

#include <functional>

#include "common/json/strict_json.h"
#include "controller/compiler/runtime_condition.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::compiler {
namespace {

using jinja::Expr;
using jinja::ExprKind;
using jinja::Stmt;
using jinja::StmtKind;

// Between the marks: the index into fields_. The escape character never
// appears in playbook text a module would keep, and survives JSON.
constexpr std::string_view kMarkOpen = "\x1b<late:";
constexpr std::string_view kMarkClose = ">\x1b";

bool bodyReadsRunTime(const jinja::Body& body, const std::set<std::string>& names);

bool stmtReadsRunTime(const Stmt& stmt, const std::set<std::string>& names) {
  const auto reads = [&](const jinja::ExprPtr& expr) {
    return expr != nullptr && readsRunTime(*expr, names);
  };
  if (reads(stmt.expr) || reads(stmt.condition)) return true;
  for (const auto& value : stmt.values) {
    if (reads(value)) return true;
  }
  for (const auto& filter : stmt.filters) {
    if (reads(filter)) return true;
  }
  for (const auto& branch : stmt.branches) {
    if (reads(branch.condition) || bodyReadsRunTime(branch.body, names)) return true;
  }
  for (const auto& param : stmt.params) {
    if (reads(param.default_value)) return true;
  }
  return bodyReadsRunTime(stmt.body, names) || bodyReadsRunTime(stmt.else_body, names);
}

bool bodyReadsRunTime(const jinja::Body& body, const std::set<std::string>& names) {
  for (const auto& stmt : body) {
    if (stmtReadsRunTime(*stmt, names)) return true;
  }
  return false;
}

class PartBuilder {
 public:
  PartBuilder(const jinja::Template& tmpl, const std::set<std::string>& names, jinja::Scope& scope)
      : tmpl_(tmpl), names_(names), scope_(scope) {}

  // The field and filters `expr` reads, innermost filter first.
  Result<manifest::LatePart> field(const Expr& expr) {
    if (expr.kind == ExprKind::Filter) {
      std::string name = expr.name == "d" ? "default" : expr.name;
      if (!manifest::isLateFilter(name)) {
        return unsupported(expr, fmt::format("the filter '{}'", expr.name));
      }
      SC_TRY_ASSIGN(manifest::LatePart part, field(*expr.children[0]));
      manifest::LateFilter filter;
      filter.name = name;
      const std::size_t arguments = expr.children.size() - 1;
      const bool with_argument = name == "default" || name == "join";
      if (!expr.kwargs.empty() || arguments > (with_argument ? 1u : 0u) ||
          (name == "default" && arguments == 0)) {
        return unsupported(expr, fmt::format("these arguments to '{}'", expr.name));
      }
      if (with_argument) {
        Data argument = name == "join" ? Data("") : Data();
        if (arguments == 1) {
          if (readsRunTime(*expr.children[1], names_)) {
            return unsupported(expr, "a run-time filter argument");
          }
          SC_TRY_ASSIGN(argument, jinja::evaluate(*expr.children[1], tmpl_.source(), scope_));
        }
        if (name == "join" && !argument.is_string()) {
          return unsupported(expr, "a join separator that is not text");
        }
        filter.argument = nlohmann::json::parse(argument.dump());
      }
      part.filters.push_back(std::move(filter));
      return part;
    }
    SC_TRY_ASSIGN(const auto path, runTimeField(expr, names_, tmpl_.source(), scope_));
    if (!path) {
      if (expr.kind == ExprKind::Call) return unsupported(expr, "a method call");
      if (expr.kind == ExprKind::Test) return unsupported(expr, "a test");
      return unsupported(expr, "a computed value");
    }
    manifest::LatePart part;
    part.is_field = true;
    part.field = *path;
    auto parsed = manifest::parseFieldPath(part.field);
    if (!parsed) return Error(ErrorCode::Schema, parsed.error().message(), where(expr));
    part.path = std::move(*parsed);
    return part;
  }

  Error unsupported(const Expr& expr, std::string_view what) const {
    return Error(ErrorCode::Schema,
                 fmt::format("this value reads a result registered at run time through {}, "
                             "which the agent cannot evaluate; use the registered field itself, "
                             "optionally through trim, lower, upper, string, int, bool, length, "
                             "first, last, basename, dirname, quote, default or join",
                             what),
                 where(expr));
  }

  std::string where(const Expr& expr) const { return tmpl_.source().where(expr.loc); }

 private:
  const jinja::Template& tmpl_;
  const std::set<std::string>& names_;
  jinja::Scope& scope_;
};

void appendText(std::vector<manifest::LatePart>& parts, const std::string& text) {
  if (text.empty()) return;
  if (!parts.empty() && !parts.back().is_field) {
    parts.back().text += text;
    return;
  }
  manifest::LatePart part;
  part.text = text;
  parts.push_back(std::move(part));
}

}  // namespace

Result<Data> LateParams::substitute(const Data& args, const yaml::Node& node,
                                    const std::set<std::string>& run_time_names,
                                    jinja::Scope& scope, Templar& templar) {
  if (run_time_names.empty()) return args;
  return walk(args, &node, node.position, "", run_time_names, scope, templar);
}

Result<Data> LateParams::walk(const Data& value, const yaml::Node* node, const yaml::Position& at,
                              const std::string& argument, const std::set<std::string>& names,
                              jinja::Scope& scope, Templar& templar) {
  // The YAML node of a part, when the arguments were written as YAML (not
  // as key=value text): its position is where a template error points.
  const auto child = [&](const yaml::Node* inner) {
    return std::pair{inner, inner != nullptr ? inner->position : at};
  };
  if (value.is_array()) {
    Data out = Data::array();
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto [inner, where] =
          child(node != nullptr && node->isSequence() && i < node->items.size() ? &node->items[i]
                                                                                : nullptr);
      SC_TRY_ASSIGN(Data item, walk(value[i], inner, where, fmt::format("{}[{}]", argument, i),
                                    names, scope, templar));
      out.push_back(std::move(item));
    }
    return out;
  }
  if (value.is_object()) {
    Data out = Data::object();
    for (const auto& [key, item] : value.items()) {
      const auto [inner, where] =
          child(node != nullptr && node->isMapping() ? node->find(key) : nullptr);
      SC_TRY_ASSIGN(out[key],
                    walk(item, inner, where, argument.empty() ? key : argument + "." + key, names,
                         scope, templar));
    }
    return out;
  }
  if (!value.is_string() || !Templar::hasTemplate(value.get_ref<const std::string&>())) {
    return value;
  }
  // A quoted scalar's text starts one column after its quote.
  yaml::Position start = at;
  if (node != nullptr && node->isScalar() && node->quoted) ++start.column;
  SC_TRY_ASSIGN(const jinja::Template* tmpl,
                templar.valueTemplate(value.get_ref<const std::string&>(), start));
  if (!bodyReadsRunTime(tmpl->body(), names)) return value;

  // Text and compile-time expressions are rendered now; each expression
  // over a run-time field becomes a placeholder, so a module that splits
  // the text (a command line into words) splits it as Ansible would.
  std::string text;
  PartBuilder builder(*tmpl, names, scope);
  for (const auto& stmt : tmpl->body()) {
    if (stmt->kind == StmtKind::Text) {
      text += stmt->text;
      continue;
    }
    if (stmt->kind != StmtKind::Output) {
      if (!stmtReadsRunTime(*stmt, names)) {
        return Error(ErrorCode::Schema,
                     "a value that reads a result registered at run time may hold only text and "
                     "{{ }} expressions, not {% %} statements",
                     tmpl->source().where(stmt->loc));
      }
      return Error(ErrorCode::Schema,
                   "a {% %} statement reads a result registered at run time; the agent fills in "
                   "only {{ }} expressions over registered fields",
                   tmpl->source().where(stmt->loc));
    }
    if (!readsRunTime(*stmt->expr, names)) {
      SC_TRY_ASSIGN(const Data now, jinja::evaluate(*stmt->expr, tmpl->source(), scope));
      text += now.is_null() ? std::string() : jinja::pyStr(now);
      continue;
    }
    SC_TRY_ASSIGN(manifest::LatePart part, builder.field(*stmt->expr));
    text += fmt::format("{}{}{}", kMarkOpen, fields_.size(), kMarkClose);
    fields_.push_back({argument, std::move(part)});
  }
  // Jinja2 drops the source's last newline; Ansible puts back as many as the
  // source ended with (a run-time value is taken not to end in one).
  std::size_t have = 0;
  while (have < text.size() && text[text.size() - 1 - have] == '\n') ++have;
  if (tmpl->trailingNewlines() > have) text.append(tmpl->trailingNewlines() - have, '\n');
  return Data(std::move(text));
}

Result<std::vector<manifest::LateBinding>> LateParams::collect(nlohmann::json& params,
                                                               std::string_view module) const {
  std::vector<manifest::LateBinding> bindings;
  std::vector<bool> used(fields_.size(), false);
  std::function<Result<void>(nlohmann::json&, const std::string&)> visit =
      [&](nlohmann::json& node, const std::string& pointer) -> Result<void> {
    if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        SC_TRY(visit(node[i], fmt::format("{}/{}", pointer, i)));
      }
      return ok();
    }
    if (node.is_object()) {
      for (auto& [key, item] : node.items()) {
        SC_TRY(visit(item, pointer + "/" + sc::json::pointerToken(key)));
      }
      return ok();
    }
    if (!node.is_string()) return ok();
    const std::string& text = node.get_ref<const std::string&>();
    if (text.find(kMarkOpen) == std::string::npos) return ok();
    manifest::LateBinding binding;
    binding.param = pointer;
    std::size_t at = 0;
    while (at < text.size()) {
      const std::size_t open = text.find(kMarkOpen, at);
      const std::size_t close =
          open == std::string::npos ? std::string::npos : text.find(kMarkClose, open);
      if (open == std::string::npos || close == std::string::npos) {
        appendText(binding.parts, text.substr(at));
        break;
      }
      appendText(binding.parts, text.substr(at, open - at));
      const std::string number =
          text.substr(open + kMarkOpen.size(), close - open - kMarkOpen.size());
      const std::size_t index = std::stoul(number);
      used.at(index) = true;
      binding.parts.push_back(fields_.at(index).part);
      at = close + kMarkClose.size();
    }
    node = nullptr;
    bindings.push_back(std::move(binding));
    return ok();
  };
  SC_TRY(visit(params, ""));
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (used[i]) continue;
    return Error(
        ErrorCode::Schema,
        fmt::format("'{}' of module '{}' reads a result registered at run time, but the "
                    "controller needs its value before the host is reached",
                    fields_[i].argument.empty() ? "the free-form argument" : fields_[i].argument,
                    module));
  }
  return bindings;
}

}  // namespace sc::controller::compiler
