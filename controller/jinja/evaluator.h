// The evaluator behind render() and evaluate(): one per call, holding the
// variable frames, the output limits and the recursion counters. Filters,
// tests, methods and globals receive it to call back into the engine (map()
// applies another filter, a macro renders its body). Internal to
// controller/jinja; the public interface is template.h.
//
// Errors raised below eval() carry no location; eval() adds the location of
// the innermost expression that failed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "controller/jinja/ast.h"
#include "controller/jinja/template.h"
#include "controller/jinja/value.h"

namespace sc::controller::jinja {

// Errors for values of the wrong type, missing arguments and the like.
Error typeError(std::string message);

class Evaluator {
 public:
  Evaluator(Scope& scope, const SourceMap& source, const RenderOptions& options);

  Result<Value> eval(const Expr& expr);
  Result<void> exec(const Body& body, std::string& out);

  // Applies a filter or test by name, as `x | name(args)` / `x is name(args)`.
  Result<Value> applyFilter(std::string_view name, Value input, CallArgs args);
  Result<bool> applyTest(std::string_view name, const Value& input, CallArgs args);
  Result<Value> call(const Value& callee, CallArgs args);
  // Jinja2's getattr (`a.b`: attribute first, then item) and getitem
  // (`a[b]`: item first, then attribute).
  Result<Value> getAttr(const Value& object, std::string_view name);
  Result<Value> getItem(const Value& object, const Value& key);
  // `a.b.c` as map(attribute=...) and sort(attribute=...) take it; integer
  // parts index lists.
  Result<Value> getPath(const Value& object, std::string_view dotted);

  // str(): text of a value as Python prints it ("None" for None).
  Result<std::string> toText(const Value& value);
  // What {{ }} prints: as toText(), but None prints nothing (Ansible).
  Result<std::string> toOutput(const Value& value);
  // The error an undefined value raises when used.
  static Error undefinedError(const Value& value);
  Result<void> requireDefined(const Value& value) const;
  // The items a for loop or a filter iterates: list items, dict keys,
  // string characters.
  Result<std::vector<Value>> iterate(const Value& value);
  // A list value from items; undefined items are an error.
  Result<Value> makeList(std::vector<Value> items, Shape shape = Shape::Plain);
  // Fails with TooLarge when a string or output would pass the limit.
  Result<void> checkSize(std::size_t bytes) const;
  Result<void> countIterations(std::int64_t n);

  const RenderOptions& options() const { return options_; }
  const SourceMap& source() const { return source_; }
  Scope& scope() { return scope_; }

  // Variable frames. A barrier frame (a macro call) hides the frames below
  // it except the template's top level.
  void pushFrame(bool barrier);
  void popFrame();
  void assign(const std::string& name, Value value);
  Result<Value> lookupName(const std::string& name);

  // Macro recursion, bounded by limits.max_call_depth.
  Result<void> enterCall();
  void leaveCall() { --call_depth_; }

 private:
  struct Frame {
    std::unordered_map<std::string, Value> vars;
    bool barrier = false;
  };

  Result<Value> evalInner(const Expr& expr);
  Result<Value> evalBinary(const Expr& expr);
  Result<Value> evalCompare(const Expr& expr);
  Result<Value> evalSlice(const Expr& expr);
  Result<Value> evalCall(const Expr& expr);
  Result<CallArgs> evalArgs(const Expr& expr, std::size_t first);
  Result<void> execStmt(const Stmt& stmt, std::string& out);
  Result<void> execFor(const Stmt& stmt, std::string& out);
  Result<void> execSet(const Stmt& stmt);
  Result<void> applyFilterChain(const std::vector<ExprPtr>& filters, std::string& text);
  Error located(Error error, Loc loc) const;

  Scope& scope_;
  const SourceMap& source_;
  const RenderOptions& options_;
  std::vector<Frame> frames_;
  int depth_ = 0;
  int call_depth_ = 0;
  std::int64_t iterations_ = 0;
};

// Binary operators with Python's semantics (operators.cpp).
Result<Value> binaryOp(Evaluator& ev, std::string_view op, const Value& left, const Value& right);
Result<bool> compareOp(std::string_view op, const Value& left, const Value& right);
Result<bool> containsOp(const Value& item, const Value& container);

// Methods on values (`s.split(',')`, `d.items()`) and global functions
// (range, dict, namespace, lookup, query): methods.cpp, globals.cpp.
bool isMethodName(const Value& receiver, std::string_view name);
Result<Value> callMethod(Evaluator& ev, const Value& receiver, std::string_view name,
                         CallArgs args);
Result<Value> loopAttribute(const LoopObject& loop, std::string_view name);
std::optional<Value> globalFunction(std::string_view name);

}  // namespace sc::controller::jinja
