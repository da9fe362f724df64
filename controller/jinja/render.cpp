// Statements ({% if %}, {% for %}, {% set %}, macros, filter and with
// blocks) and the public entry points of template.h.
#include <fmt/format.h>

#include "controller/jinja/evaluator.h"
#include "controller/jinja/lexer.h"
#include "controller/jinja/parser.h"

namespace sc::controller::jinja {
namespace {

// A {% macro %}: calling it renders its body in a fresh frame with the
// parameters bound. The AST outlives the render, so the definition is
// borrowed.
class Macro : public Callable {
 public:
  explicit Macro(const Stmt& def) : def_(def) {}

  std::string describe() const override { return fmt::format("<Macro '{}'>", def_.name); }

  Result<Value> call(Evaluator& ev, CallArgs args) override {
    if (args.positional.size() > def_.params.size()) {
      return typeError(fmt::format("macro '{}' takes not more than {} argument(s)", def_.name,
                                   def_.params.size()));
    }
    SC_TRY(ev.enterCall());
    ev.pushFrame(/*barrier=*/true);
    auto result = run(ev, args);
    ev.popFrame();
    ev.leaveCall();
    return result;
  }

 private:
  Result<Value> run(Evaluator& ev, CallArgs& args) {
    for (const auto& [name, value] : args.keyword) {
      bool known = false;
      for (const auto& p : def_.params) known = known || p.name == name;
      if (!known) {
        return typeError(fmt::format("macro '{}' takes no keyword argument '{}'", def_.name, name));
      }
    }
    for (std::size_t i = 0; i < def_.params.size(); ++i) {
      const Param& p = def_.params[i];
      std::optional<Value> value;
      if (i < args.positional.size()) value = args.positional[i];
      for (auto& [name, v] : args.keyword) {
        if (name != p.name) continue;
        if (value) {
          return typeError(
              fmt::format("macro '{}' got multiple values for argument '{}'", def_.name, name));
        }
        value = v;
      }
      if (!value && p.default_value) {
        SC_TRY_ASSIGN(value, ev.eval(*p.default_value));
      }
      if (!value) {
        value = Value::undefined(p.name, fmt::format("parameter '{}' was not provided", p.name));
      }
      ev.assign(p.name, std::move(*value));
    }
    std::string out;
    SC_TRY(ev.exec(def_.body, out));
    return Value(std::move(out));
  }

  const Stmt& def_;
};

}  // namespace

Result<void> Evaluator::exec(const Body& body, std::string& out) {
  if (depth_ >= options_.limits.max_eval_depth) {
    return Error(ErrorCode::TooDeep, fmt::format("template evaluation deeper than {} levels",
                                                 options_.limits.max_eval_depth));
  }
  ++depth_;
  for (const auto& stmt : body) {
    auto result = execStmt(*stmt, out);
    if (!result) {
      --depth_;
      return located(std::move(result).error(), stmt->loc);
    }
  }
  --depth_;
  return ok();
}

Result<void> Evaluator::applyFilterChain(const std::vector<ExprPtr>& filters, std::string& text) {
  Value value(text);
  for (const auto& f : filters) {
    SC_TRY_ASSIGN(auto args, evalArgs(*f, 1));
    auto result = applyFilter(f->name, std::move(value), std::move(args));
    if (!result) return located(std::move(result).error(), f->loc);
    value = std::move(*result);
  }
  SC_TRY_ASSIGN(text, toText(value));
  return ok();
}

Result<void> Evaluator::execStmt(const Stmt& stmt, std::string& out) {
  switch (stmt.kind) {
    case StmtKind::Text:
      out += stmt.text;
      return checkSize(out.size());
    case StmtKind::Output: {
      SC_TRY_ASSIGN(auto value, eval(*stmt.expr));
      SC_TRY_ASSIGN(auto text, toOutput(value));
      out += text;
      return checkSize(out.size());
    }
    case StmtKind::If:
      for (const auto& branch : stmt.branches) {
        SC_TRY_ASSIGN(auto cond, eval(*branch.condition));
        if (cond.isUndefined()) return located(undefinedError(cond), branch.condition->loc);
        if (truthy(cond)) return exec(branch.body, out);
      }
      return exec(stmt.else_body, out);
    case StmtKind::For:
      return execFor(stmt, out);
    case StmtKind::Set:
      return execSet(stmt);
    case StmtKind::SetBlock: {
      std::string text;
      SC_TRY(exec(stmt.body, text));
      SC_TRY(applyFilterChain(stmt.filters, text));
      assign(stmt.targets[0].name, Value(std::move(text)));
      return ok();
    }
    case StmtKind::Macro:
      assign(stmt.name, Value::callable(std::make_shared<Macro>(stmt)));
      return ok();
    case StmtKind::FilterBlock: {
      std::string text;
      SC_TRY(exec(stmt.body, text));
      SC_TRY(applyFilterChain(stmt.filters, text));
      out += text;
      return checkSize(out.size());
    }
    case StmtKind::With: {
      std::vector<Value> values;
      for (const auto& v : stmt.values) {
        SC_TRY_ASSIGN(auto value, eval(*v));
        values.push_back(std::move(value));
      }
      pushFrame(false);
      for (std::size_t i = 0; i < values.size(); ++i) assign(stmt.targets[i].name, values[i]);
      auto result = exec(stmt.body, out);
      popFrame();
      return result;
    }
  }
  return ok();
}

namespace {

Result<void> bindTargets(Evaluator& ev, const std::vector<Target>& targets, const Value& item) {
  if (targets.size() == 1) {
    ev.assign(targets[0].name, item);
    return ok();
  }
  SC_TRY_ASSIGN(auto parts, ev.iterate(item));
  if (parts.size() != targets.size()) {
    return typeError(parts.size() > targets.size()
                         ? fmt::format("too many values to unpack (expected {})", targets.size())
                         : fmt::format("not enough values to unpack (expected {}, got {})",
                                       targets.size(), parts.size()));
  }
  for (std::size_t i = 0; i < targets.size(); ++i) ev.assign(targets[i].name, parts[i]);
  return ok();
}

}  // namespace

Result<void> Evaluator::execFor(const Stmt& stmt, std::string& out) {
  SC_TRY_ASSIGN(auto iterable, eval(*stmt.expr));
  if (iterable.isUndefined()) return located(undefinedError(iterable), stmt.expr->loc);
  SC_TRY_ASSIGN(auto items, iterate(iterable));
  if (stmt.condition) {
    std::vector<Value> kept;
    for (auto& item : items) {
      SC_TRY(countIterations(1));
      pushFrame(false);
      auto bound = bindTargets(*this, stmt.targets, item);
      auto cond = bound ? eval(*stmt.condition) : Result<Value>(bound.error());
      popFrame();
      if (!cond) return std::move(cond).error();
      if (cond->isUndefined()) return undefinedError(*cond);
      if (truthy(*cond)) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) return exec(stmt.else_body, out);
  auto loop = std::make_shared<LoopObject>();
  loop->length = static_cast<std::int64_t>(items.size());
  loop->items = std::make_shared<const std::vector<Value>>(std::move(items));
  for (std::size_t i = 0; i < loop->items->size(); ++i) {
    SC_TRY(countIterations(1));
    loop->index0 = static_cast<std::int64_t>(i);
    pushFrame(false);
    auto result = bindTargets(*this, stmt.targets, (*loop->items)[i]);
    if (result) {
      assign("loop", Value::loop(loop));
      result = exec(stmt.body, out);
    }
    popFrame();
    SC_TRY(result);
  }
  return ok();
}

Result<void> Evaluator::execSet(const Stmt& stmt) {
  SC_TRY_ASSIGN(auto value, eval(*stmt.expr));
  if (stmt.targets.size() == 1 && stmt.targets[0].attribute.empty()) {
    assign(stmt.targets[0].name, std::move(value));
    return ok();
  }
  if (stmt.targets.size() == 1) {
    const Target& t = stmt.targets[0];
    SC_TRY_ASSIGN(auto object, lookupName(t.name));
    if (!object.isNamespace()) {
      return typeError(fmt::format("can't assign attribute '{}' on non-namespace object '{}'",
                                   t.attribute, t.name));
    }
    SC_TRY(requireDefined(value));
    if (!value.isData()) return typeError("only data can be stored in a namespace");
    object.namespacePtr()->attributes[t.attribute] = std::move(value.data());
    return ok();
  }
  for (const auto& t : stmt.targets) {
    if (!t.attribute.empty()) return typeError("namespace attributes cannot be unpacked into");
  }
  return bindTargets(*this, stmt.targets, value);
}

// ---- public interface ------------------------------------------------------

Result<std::optional<Data>> DataScope::lookup(std::string_view name) {
  if (!vars_.is_object()) return std::optional<Data>();
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::optional<Data>();
  return std::optional<Data>(*it);
}

namespace {

LexOptions lexOptions(const TemplateOptions& options) {
  LexOptions lex;
  lex.trim_blocks = options.trim_blocks;
  lex.lstrip_blocks = options.lstrip_blocks;
  lex.keep_trailing_newline = options.keep_trailing_newline;
  lex.raw_strings_in_expressions = options.raw_strings_in_expressions;
  return lex;
}

std::size_t countTrailingNewlines(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && text[text.size() - 1 - n] == '\n') ++n;
  return n;
}

}  // namespace

Result<Template> parseTemplate(std::string_view text, const SourceMap& source,
                               const TemplateOptions& options) {
  Template t;
  t.source_ = source;
  t.trailing_newlines_ = countTrailingNewlines(text);
  SC_TRY_ASSIGN(auto tokens, tokenize(text, t.source_, lexOptions(options)));
  SC_TRY_ASSIGN(t.body_, parseTokens(tokens, t.source_, ParseLimits{options.max_depth}));
  return t;
}

Result<std::string> render(const Template& tmpl, Scope& scope, const RenderOptions& options) {
  Evaluator ev(scope, tmpl.source(), options);
  std::string out;
  SC_TRY(ev.exec(tmpl.body(), out));
  if (options.preserve_trailing_newlines) {
    const std::size_t have = countTrailingNewlines(out);
    if (tmpl.trailingNewlines() > have) out.append(tmpl.trailingNewlines() - have, '\n');
  }
  return out;
}

Result<Expression> parseExpression(std::string_view text, const SourceMap& source,
                                   const TemplateOptions& options) {
  Expression e;
  // Lexed as the inside of {{ }}; the two-character opener is taken off
  // the column so positions point into `text`.
  SourceMap shifted = source;
  shifted.base_column -= 2;
  const std::string wrapped = "{{" + std::string(text) + "}}";
  LexOptions lex = lexOptions(options);
  lex.keep_trailing_newline = true;
  SC_TRY_ASSIGN(auto tokens, tokenize(wrapped, shifted, lex));
  SC_TRY_ASSIGN(e.root_, parseExpressionTokens(tokens, shifted, ParseLimits{options.max_depth}));
  e.source_ = std::move(shifted);
  return e;
}

Result<Data> evaluate(const Expr& expr, const SourceMap& source, Scope& scope,
                      const RenderOptions& options) {
  Evaluator ev(scope, source, options);
  SC_TRY_ASSIGN(auto value, ev.eval(expr));
  if (value.isUndefined()) {
    return Error(ErrorCode::Schema, value.undefinedInfo().hint, source.where(expr.loc));
  }
  if (!value.isData()) {
    return Error(ErrorCode::Schema,
                 fmt::format("expression gives a {}, not data", value.typeName()),
                 source.where(expr.loc));
  }
  return std::move(value.data());
}

Result<Data> evaluate(const Expression& expr, Scope& scope, const RenderOptions& options) {
  return evaluate(expr.root(), expr.source(), scope, options);
}

bool isTrue(const Data& value) { return truthy(value); }

}  // namespace sc::controller::jinja
