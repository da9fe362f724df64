#include "controller/compiler/runtime_condition.h"

#include <fmt/format.h>

namespace sc::controller::compiler {
namespace {

using jinja::Expr;
using jinja::ExprKind;
using manifest::Condition;

class Converter {
 public:
  Converter(const jinja::Expression& expression, const std::set<std::string>& names,
            jinja::Scope& scope)
      : expression_(expression), names_(names), scope_(scope) {}

  Result<Condition> convert(const Expr& expr);

 private:
  Error unsupported(const Expr& expr, std::string_view what) const {
    return Error(ErrorCode::Schema,
                 fmt::format("this condition reads a result registered at run time through {}, "
                             "which the agent cannot evaluate; use comparisons, in, and/or/not, "
                             "and the tests defined, changed, failed, succeeded, skipped, match "
                             "and search on the registered fields",
                             what),
                 expression_.source().where(expr.loc));
  }

  // "out.stat.exists" for a chain of attribute and constant-item steps from
  // a run-time name; nullopt when `expr` is not such a chain.
  Result<std::optional<std::string>> fieldPath(const Expr& expr);
  Result<Data> constant(const Expr& expr) {
    return jinja::evaluate(expr, expression_.source(), scope_);
  }
  Result<Condition> compare(const std::string& field, std::string_view op,
                            const nlohmann::json& value, const Expr& at);
  Result<Condition> unary(const std::string& field, std::string_view op, const Expr& at);

  const jinja::Expression& expression_;
  const std::set<std::string>& names_;
  jinja::Scope& scope_;
};

Condition constantCondition(bool value) {
  Condition condition;
  condition.kind = Condition::Kind::Constant;
  condition.constant = value;
  return condition;
}

Result<std::optional<std::string>> Converter::fieldPath(const Expr& expr) {
  return runTimeField(expr, names_, expression_.source(), scope_);
}

Result<Condition> Converter::compare(const std::string& field, std::string_view op,
                                     const nlohmann::json& value, const Expr& at) {
  auto parsed = manifest::parseCondition(
      nlohmann::json{{"field", field}, {"op", std::string(op)}, {"value", value}}, "/");
  if (!parsed)
    return Error(ErrorCode::Schema, parsed.error().message(), expression_.source().where(at.loc));
  return parsed;
}

Result<Condition> Converter::unary(const std::string& field, std::string_view op, const Expr& at) {
  auto parsed =
      manifest::parseCondition(nlohmann::json{{"field", field}, {"op", std::string(op)}}, "/");
  if (!parsed)
    return Error(ErrorCode::Schema, parsed.error().message(), expression_.source().where(at.loc));
  return parsed;
}

Condition negate(Condition inner) {
  Condition condition;
  condition.kind = Condition::Kind::Not;
  condition.children.push_back(std::move(inner));
  return condition;
}

std::string_view swapped(std::string_view op) {
  if (op == "lt") return "gt";
  if (op == "gt") return "lt";
  if (op == "le") return "ge";
  if (op == "ge") return "le";
  return op;
}

std::string_view opName(std::string_view jinja_op) {
  if (jinja_op == "==") return "eq";
  if (jinja_op == "!=") return "ne";
  if (jinja_op == "<") return "lt";
  if (jinja_op == "<=") return "le";
  if (jinja_op == ">") return "gt";
  if (jinja_op == ">=") return "ge";
  return {};
}

Result<Condition> Converter::convert(const Expr& expr) {
  if (!readsRunTime(expr, names_)) {
    SC_TRY_ASSIGN(const Data value, constant(expr));
    return constantCondition(jinja::isTrue(value));
  }
  SC_TRY_ASSIGN(const auto field, fieldPath(expr));
  if (field) return unary(*field, "truthy", expr);

  switch (expr.kind) {
    case ExprKind::Unary:
      if (expr.name == "not") {
        SC_TRY_ASSIGN(Condition inner, convert(*expr.children[0]));
        return negate(std::move(inner));
      }
      break;
    case ExprKind::Binary: {
      if (expr.name == "and" || expr.name == "or") {
        Condition condition;
        condition.kind = expr.name == "and" ? Condition::Kind::All : Condition::Kind::Any;
        for (const auto& child : expr.children) {
          SC_TRY_ASSIGN(Condition part, convert(*child));
          condition.children.push_back(std::move(part));
        }
        return condition;
      }
      break;
    }
    case ExprKind::Compare: {
      if (expr.ops.size() != 1) return unsupported(expr, "a chained comparison");
      const std::string& written = expr.ops[0];
      SC_TRY_ASSIGN(const auto left, fieldPath(*expr.children[0]));
      SC_TRY_ASSIGN(const auto right, fieldPath(*expr.children[1]));
      const bool left_constant = !readsRunTime(*expr.children[0], names_);
      const bool right_constant = !readsRunTime(*expr.children[1], names_);
      if (written == "in" || written == "not in") {
        std::optional<Result<Condition>> result;
        if (right && left_constant) {
          SC_TRY_ASSIGN(const Data needle, constant(*expr.children[0]));
          result = compare(*right, "contains", nlohmann::json::parse(needle.dump()), expr);
        } else if (left && right_constant) {
          SC_TRY_ASSIGN(const Data haystack, constant(*expr.children[1]));
          result = compare(*left, "in", nlohmann::json::parse(haystack.dump()), expr);
        }
        if (result) {
          if (!*result) return std::move(*result);
          return written == "in" ? std::move(**result) : negate(std::move(**result));
        }
      } else if (left && right_constant) {
        SC_TRY_ASSIGN(const Data value, constant(*expr.children[1]));
        return compare(*left, opName(written), nlohmann::json::parse(value.dump()), expr);
      } else if (right && left_constant) {
        SC_TRY_ASSIGN(const Data value, constant(*expr.children[0]));
        return compare(*right, swapped(opName(written)), nlohmann::json::parse(value.dump()), expr);
      }
      // Say which run-time side the agent could not read.
      for (const auto& child : expr.children) {
        SC_TRY_ASSIGN(const auto side, fieldPath(*child));
        if (side || !readsRunTime(*child, names_)) continue;
        if (child->kind == ExprKind::Filter) {
          return unsupported(*child, fmt::format("the filter '{}'", child->name));
        }
        if (child->kind == ExprKind::Call) return unsupported(*child, "a method call");
        return unsupported(*child, "a computed value");
      }
      return unsupported(expr, "a comparison between two run-time values");
    }
    case ExprKind::Test: {
      SC_TRY_ASSIGN(const auto subject, fieldPath(*expr.children[0]));
      if (!subject) break;
      const std::string& test = expr.name;
      if (test == "defined") return unary(*subject, "defined", expr);
      if (test == "undefined") return unary(*subject, "undefined", expr);
      if (test == "none") return compare(*subject, "eq", nullptr, expr);
      if (test == "changed") return unary(*subject + ".changed", "truthy", expr);
      if (test == "failed") return unary(*subject + ".failed", "truthy", expr);
      if (test == "skipped") return unary(*subject + ".skipped", "truthy", expr);
      if (test == "succeeded" || test == "success") {
        SC_TRY_ASSIGN(Condition failed, unary(*subject + ".failed", "truthy", expr));
        return negate(std::move(failed));
      }
      if ((test == "match" || test == "search") && expr.children.size() == 2 &&
          !readsRunTime(*expr.children[1], names_)) {
        SC_TRY_ASSIGN(const Data pattern, constant(*expr.children[1]));
        if (!pattern.is_string()) return unsupported(expr, "a pattern that is not a string");
        return compare(*subject, test, pattern.get<std::string>(), expr);
      }
      return unsupported(expr, fmt::format("the test '{}'", test));
    }
    case ExprKind::Filter: {
      SC_TRY_ASSIGN(const auto subject, fieldPath(*expr.children[0]));
      if (subject && expr.name == "bool" && expr.children.size() == 1) {
        return unary(*subject, "truthy", expr);
      }
      return unsupported(expr, fmt::format("the filter '{}'", expr.name));
    }
    default:
      break;
  }
  return unsupported(expr, "this expression");
}

}  // namespace

Result<std::optional<std::string>> runTimeField(const Expr& expr,
                                                const std::set<std::string>& run_time_names,
                                                const jinja::SourceMap& source,
                                                jinja::Scope& scope) {
  const auto unsupported = [&](std::string_view what) {
    return Error(ErrorCode::Schema,
                 fmt::format("a result registered at run time is read through {}, which the "
                             "agent cannot follow (use .name, ['name'] or [number] steps)",
                             what),
                 source.where(expr.loc));
  };
  switch (expr.kind) {
    case ExprKind::Name:
      if (run_time_names.count(expr.name) == 0) return std::optional<std::string>();
      return std::optional<std::string>(expr.name);
    case ExprKind::GetAttr: {
      SC_TRY_ASSIGN(auto base, runTimeField(*expr.children[0], run_time_names, source, scope));
      if (!base) return base;
      if (expr.name.find_first_of(".[]") != std::string::npos) {
        return unsupported(fmt::format("the key '{}'", expr.name));
      }
      return std::optional<std::string>(*base + "." + expr.name);
    }
    case ExprKind::GetItem: {
      SC_TRY_ASSIGN(auto base, runTimeField(*expr.children[0], run_time_names, source, scope));
      if (!base) return base;
      if (readsRunTime(*expr.children[1], run_time_names)) return unsupported("a run-time index");
      SC_TRY_ASSIGN(const Data index, jinja::evaluate(*expr.children[1], source, scope));
      if (index.is_number_integer() && index.get<std::int64_t>() >= 0) {
        return std::optional<std::string>(fmt::format("{}[{}]", *base, index.get<std::int64_t>()));
      }
      if (index.is_string() && index.get<std::string>().find_first_of(".[]") == std::string::npos &&
          !index.get<std::string>().empty()) {
        return std::optional<std::string>(*base + "." + index.get<std::string>());
      }
      return unsupported(fmt::format("the index {}", index.dump()));
    }
    default:
      return std::optional<std::string>();
  }
}

bool readsRunTime(const Expr& expr, const std::set<std::string>& run_time_names) {
  if (expr.kind == ExprKind::Name && run_time_names.count(expr.name) > 0) return true;
  for (const auto& child : expr.children) {
    if (child && readsRunTime(*child, run_time_names)) return true;
  }
  for (const auto& keyword : expr.kwargs) {
    if (keyword.value && readsRunTime(*keyword.value, run_time_names)) return true;
  }
  return false;
}

Result<Condition> toRunTimeCondition(const jinja::Expression& expression,
                                     const std::set<std::string>& run_time_names,
                                     jinja::Scope& scope) {
  Converter converter(expression, run_time_names, scope);
  return converter.convert(expression.root());
}

}  // namespace sc::controller::compiler
