// The parsed form of a Jinja2 template: expressions and statements. It is
// public so that the compiler can walk a template or a `when:` expression,
// find the variables it reads (registered results exist only at run time)
// and fold the rest to constants with evaluate() (controller/jinja/template.h).
//
// Expressions are one tagged struct rather than a class per node, so a
// walker is a switch over Expr::kind; what `children` holds for each kind
// is listed beside it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "controller/playbook/data.h"

namespace sc::controller::jinja {

// 1-based line and column in the template text (before the base position
// is added; SourceMap::where() adds it).
struct Loc {
  int line = 1;
  int column = 1;
};

// Where a template's text came from: a file, or a YAML value that starts at
// base_line:base_column of its file.
struct SourceMap {
  std::string file;
  int base_line = 1;
  int base_column = 1;

  // "file:line:col" of a location inside the template.
  std::string where(Loc loc) const;
};

enum class ExprKind {
  Literal,      // literal: the value
  Name,         // name: the variable
  List,         // children: the items
  Tuple,        // children: the items
  Dict,         // children: key0, value0, key1, value1, ...
  Unary,        // name: "-", "+" or "not"; children: [operand]
  Binary,       // name: + - * / // % ** ~ and or in "not in"; children: [left, right]
  Compare,      // ops: == != < <= > >= (one per pair); children: the operands
  Conditional,  // children: [then, condition] or [then, condition, else]
  GetAttr,      // name: the attribute; children: [object]  (a.b)
  GetItem,      // children: [object, index]  (a[b])
  Slice,        // children: [object, start, stop, step], absent parts null
  Filter,       // name: the filter; children: [input, args...]; kwargs
  Test,         // name: the test; children: [input, args...]; kwargs  (`is not` wraps in not)
  Call,         // children: [callee, args...]; kwargs
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Keyword {
  std::string name;
  ExprPtr value;
};

struct Expr {
  ExprKind kind = ExprKind::Literal;
  Loc loc;
  Data literal;
  std::string name;
  std::vector<ExprPtr> children;
  std::vector<std::string> ops;
  std::vector<Keyword> kwargs;
};

enum class StmtKind {
  Text,         // text: literal output
  Output,       // expr: printed  ({{ ... }})
  If,           // branches (condition + body), else_body
  For,          // targets, expr (the iterable), condition (optional), body, else_body
  Set,          // targets (names; or "ns.attr" as target + attribute), expr
  SetBlock,     // targets[0], body, filters (optional: applied to the body)
  Macro,        // name, params, body
  FilterBlock,  // filters, body
  With,         // targets + values (expr list in `values`), body
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Branch {
  ExprPtr condition;
  Body body;
};

struct Target {
  std::string name;
  std::string attribute;  // for `set ns.attr = ...`; empty otherwise
};

struct Param {
  std::string name;
  ExprPtr default_value;  // null when required
};

struct Stmt {
  StmtKind kind = StmtKind::Text;
  Loc loc;
  std::string text;
  std::string name;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<Target> targets;
  std::vector<ExprPtr> values;
  // A filter chain as Filter expressions whose input (children[0]) is null.
  std::vector<ExprPtr> filters;
  std::vector<Branch> branches;
  std::vector<Param> params;
  Body body;
  Body else_body;
};

}  // namespace sc::controller::jinja
