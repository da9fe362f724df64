#include "controller/jinja/parser.h"

#include <fmt/format.h>

#include <set>

namespace sc::controller::jinja {
namespace {

ExprPtr makeExpr(ExprKind kind, Loc loc) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->loc = loc;
  return e;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::Data:
      return "template data";
    case TokenKind::VarBegin:
      return "'{{'";
    case TokenKind::VarEnd:
      return "'}}'";
    case TokenKind::BlockBegin:
      return "'{%'";
    case TokenKind::BlockEnd:
      return "end of statement block";
    case TokenKind::End:
      return "end of template";
    default:
      return "'" + t.text + "'";
  }
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const SourceMap& map, const ParseLimits& limits)
      : tokens_(tokens), map_(map), limits_(limits) {}

  Result<Body> parseAll() {
    Body body;
    SC_TRY(parseBody(body, {}));
    if (cur().kind != TokenKind::End) {
      // parseBody stopped on an end tag nobody opened.
      return error(cur(), fmt::format("unexpected '{}'", cur().text));
    }
    return body;
  }

  Result<ExprPtr> parseBare() {
    SC_TRY(expect(TokenKind::VarBegin, "'{{'"));
    SC_TRY_ASSIGN(auto e, parseTuple(true));
    if (cur().kind != TokenKind::VarEnd) {
      return error(cur(), fmt::format("expected end of expression, got {}", describe(cur())));
    }
    ++pos_;
    if (cur().kind != TokenKind::End) return error(cur(), "expected end of expression");
    return e;
  }

 private:
  const Token& cur() const { return tokens_[pos_]; }
  const Token& peek(std::size_t n = 1) const {
    return tokens_[std::min(pos_ + n, tokens_.size() - 1)];
  }
  bool isOp(std::string_view op) const {
    return cur().kind == TokenKind::Operator && cur().text == op;
  }
  bool isName(std::string_view name) const {
    return cur().kind == TokenKind::Name && cur().text == name;
  }

  Error error(const Token& at, std::string message) const {
    return Error(ErrorCode::Parse, std::move(message), map_.where(at.loc));
  }

  Result<void> expectOp(std::string_view op) {
    if (!isOp(op)) return error(cur(), fmt::format("expected '{}', got {}", op, describe(cur())));
    ++pos_;
    return ok();
  }

  Result<void> expect(TokenKind kind, std::string_view what) {
    if (cur().kind != kind) {
      return error(cur(), fmt::format("expected {}, got {}", what, describe(cur())));
    }
    ++pos_;
    return ok();
  }

  Result<std::string> expectName() {
    if (cur().kind != TokenKind::Name) {
      return error(cur(), fmt::format("expected a name, got {}", describe(cur())));
    }
    return tokens_[pos_++].text;
  }

  Result<void> expectBlockEnd() {
    if (cur().kind != TokenKind::BlockEnd) {
      return error(cur(), fmt::format("expected end of statement block, got {}", describe(cur())));
    }
    ++pos_;
    return ok();
  }

  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    int& depth;
  };

  Result<void> checkDepth() const {
    if (depth_ > limits_.max_depth) {
      return Error(ErrorCode::TooDeep,
                   fmt::format("template nesting is deeper than {} levels", limits_.max_depth),
                   map_.where(cur().loc));
    }
    return ok();
  }

  // ---- statements --------------------------------------------------------

  // Parses statements until a block tag named in `stops` (left unconsumed,
  // pointing at its name) or the end of the template.
  Result<void> parseBody(Body& body, const std::set<std::string_view>& stops) {
    DepthGuard guard(depth_);
    SC_TRY(checkDepth());
    while (cur().kind != TokenKind::End) {
      const Token& t = cur();
      if (t.kind == TokenKind::Data) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Text;
        s->loc = t.loc;
        s->text = t.text;
        body.push_back(std::move(s));
        ++pos_;
      } else if (t.kind == TokenKind::VarBegin) {
        ++pos_;
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Output;
        s->loc = t.loc;
        SC_TRY_ASSIGN(s->expr, parseTuple(true));
        if (cur().kind != TokenKind::VarEnd) {
          return error(cur(),
                       fmt::format("expected end of print statement, got {}", describe(cur())));
        }
        ++pos_;
        body.push_back(std::move(s));
      } else if (t.kind == TokenKind::BlockBegin) {
        const Token& name = peek();
        if (name.kind != TokenKind::Name) return error(name, "tag name expected");
        if (stops.count(name.text)) {
          ++pos_;
          return ok();
        }
        pos_ += 2;
        SC_TRY_ASSIGN(auto s, parseStatement(name));
        body.push_back(std::move(s));
      } else {
        return error(t, fmt::format("unexpected {}", describe(t)));
      }
    }
    if (!stops.empty()) {
      std::string names;
      for (auto n : stops) names += (names.empty() ? "'" : " or '") + std::string(n) + "'";
      return error(cur(), fmt::format("unexpected end of template, expected {}", names));
    }
    return ok();
  }

  Result<StmtPtr> parseStatement(const Token& tag) {
    const std::string& n = tag.text;
    auto s = std::make_unique<Stmt>();
    s->loc = tag.loc;
    if (n == "if") return parseIf(std::move(s));
    if (n == "for") return parseFor(std::move(s));
    if (n == "set") return parseSet(std::move(s));
    if (n == "macro") return parseMacro(std::move(s));
    if (n == "filter") return parseFilterBlock(std::move(s));
    if (n == "with") return parseWith(std::move(s));
    static const std::set<std::string_view> kRefused = {
        "extends",  "include", "import",     "from",  "block",     "call", "break",
        "continue", "do",      "autoescape", "trans", "pluralize", "debug"};
    if (kRefused.count(n)) {
      return Error(ErrorCode::Schema, fmt::format("unsupported tag '{}'", n), map_.where(tag.loc));
    }
    static const std::set<std::string_view> kEnds = {"endif",     "endfor",   "endset", "endmacro",
                                                     "endfilter", "endwith",  "else",   "elif",
                                                     "endraw",    "endblock", "endcall"};
    if (kEnds.count(n)) return error(tag, fmt::format("unexpected '{}'", n));
    return error(tag, fmt::format("unknown tag '{}'", n));
  }

  // After the name of an end/else tag: consumes it and its %}.
  Result<void> closeTag() {
    ++pos_;
    return expectBlockEnd();
  }

  Result<StmtPtr> parseIf(StmtPtr s) {
    s->kind = StmtKind::If;
    while (true) {
      Branch branch;
      SC_TRY_ASSIGN(branch.condition, parseTuple(false));
      SC_TRY(expectBlockEnd());
      SC_TRY(parseBody(branch.body, {"elif", "else", "endif"}));
      s->branches.push_back(std::move(branch));
      const std::string tag = cur().text;
      if (tag == "elif") {
        ++pos_;
        continue;
      }
      if (tag == "else") {
        SC_TRY(closeTag());
        SC_TRY(parseBody(s->else_body, {"endif"}));
      }
      SC_TRY(closeTag());
      return s;
    }
  }

  Result<void> parseTargets(std::vector<Target>& targets, bool allow_attribute) {
    const bool paren = isOp("(");
    if (paren) ++pos_;
    while (true) {
      SC_TRY_ASSIGN(auto name, expectName());
      Target t{name, ""};
      if (allow_attribute && isOp(".")) {
        ++pos_;
        SC_TRY_ASSIGN(t.attribute, expectName());
      }
      targets.push_back(std::move(t));
      if (!isOp(",")) break;
      ++pos_;
      if (cur().kind != TokenKind::Name) break;
    }
    if (paren) SC_TRY(expectOp(")"));
    return ok();
  }

  Result<StmtPtr> parseFor(StmtPtr s) {
    s->kind = StmtKind::For;
    SC_TRY(parseTargets(s->targets, false));
    if (!isName("in")) return error(cur(), fmt::format("expected 'in', got {}", describe(cur())));
    ++pos_;
    SC_TRY_ASSIGN(s->expr, parseTuple(false, /*with_condexpr=*/false));
    if (isName("if")) {
      ++pos_;
      SC_TRY_ASSIGN(s->condition, parseTuple(true));
    }
    if (isName("recursive")) {
      return Error(ErrorCode::Schema, "unsupported recursive for loop", map_.where(cur().loc));
    }
    SC_TRY(expectBlockEnd());
    SC_TRY(parseBody(s->body, {"else", "endfor"}));
    if (cur().text == "else") {
      SC_TRY(closeTag());
      SC_TRY(parseBody(s->else_body, {"endfor"}));
    }
    SC_TRY(closeTag());
    return s;
  }

  Result<StmtPtr> parseSet(StmtPtr s) {
    SC_TRY(parseTargets(s->targets, true));
    if (isOp("=")) {
      ++pos_;
      s->kind = StmtKind::Set;
      SC_TRY_ASSIGN(s->expr, parseTuple(true));
      SC_TRY(expectBlockEnd());
      return s;
    }
    s->kind = StmtKind::SetBlock;
    if (s->targets.size() != 1) return error(cur(), "expected '='");
    SC_TRY(parseFilterChain(s->filters));
    SC_TRY(expectBlockEnd());
    SC_TRY(parseBody(s->body, {"endset"}));
    SC_TRY(closeTag());
    return s;
  }

  Result<void> parseFilterChain(std::vector<ExprPtr>& filters) {
    while (isOp("|") || (filters.empty() && cur().kind == TokenKind::Name)) {
      if (isOp("|")) ++pos_;
      SC_TRY_ASSIGN(auto f, parseFilter(nullptr));
      filters.push_back(std::move(f));
    }
    return ok();
  }

  Result<StmtPtr> parseFilterBlock(StmtPtr s) {
    s->kind = StmtKind::FilterBlock;
    SC_TRY(parseFilterChain(s->filters));
    SC_TRY(expectBlockEnd());
    SC_TRY(parseBody(s->body, {"endfilter"}));
    SC_TRY(closeTag());
    return s;
  }

  Result<StmtPtr> parseWith(StmtPtr s) {
    s->kind = StmtKind::With;
    while (cur().kind != TokenKind::BlockEnd) {
      if (!s->targets.empty()) SC_TRY(expectOp(","));
      SC_TRY_ASSIGN(auto name, expectName());
      s->targets.push_back(Target{name, ""});
      SC_TRY(expectOp("="));
      SC_TRY_ASSIGN(auto value, parseExpression(true));
      s->values.push_back(std::move(value));
    }
    SC_TRY(expectBlockEnd());
    SC_TRY(parseBody(s->body, {"endwith"}));
    SC_TRY(closeTag());
    return s;
  }

  Result<StmtPtr> parseMacro(StmtPtr s) {
    s->kind = StmtKind::Macro;
    SC_TRY_ASSIGN(s->name, expectName());
    SC_TRY(expectOp("("));
    while (!isOp(")")) {
      if (!s->params.empty()) SC_TRY(expectOp(","));
      if (isOp(")")) break;
      Param p;
      SC_TRY_ASSIGN(p.name, expectName());
      if (isOp("=")) {
        ++pos_;
        SC_TRY_ASSIGN(p.default_value, parseExpression(true));
      } else if (!s->params.empty() && s->params.back().default_value) {
        return error(cur(), "non-default argument follows default argument");
      }
      s->params.push_back(std::move(p));
    }
    ++pos_;
    SC_TRY(expectBlockEnd());
    SC_TRY(parseBody(s->body, {"endmacro"}));
    SC_TRY(closeTag());
    return s;
  }

  // ---- expressions -------------------------------------------------------

  // An expression, or several separated by commas (a tuple without
  // parentheses), as {{ }}, `for ... in` and `set` allow.
  Result<ExprPtr> parseTuple(bool with_condexpr, bool allow_tuple = true) {
    const Loc loc = cur().loc;
    SC_TRY_ASSIGN(auto first, parseExpression(with_condexpr));
    if (!allow_tuple || !isOp(",")) return first;
    auto tuple = makeExpr(ExprKind::Tuple, loc);
    tuple->children.push_back(std::move(first));
    while (isOp(",")) {
      ++pos_;
      if (cur().kind == TokenKind::VarEnd || cur().kind == TokenKind::BlockEnd || isName("if")) {
        break;
      }
      SC_TRY_ASSIGN(auto next, parseExpression(with_condexpr));
      tuple->children.push_back(std::move(next));
    }
    return tuple;
  }

  Result<ExprPtr> parseExpression(bool with_condexpr) {
    DepthGuard guard(depth_);
    SC_TRY(checkDepth());
    if (!with_condexpr) return parseOr();
    SC_TRY_ASSIGN(auto expr, parseOr());
    while (isName("if")) {
      const Loc loc = cur().loc;
      ++pos_;
      auto cond = makeExpr(ExprKind::Conditional, loc);
      SC_TRY_ASSIGN(auto test, parseOr());
      cond->children.push_back(std::move(expr));
      cond->children.push_back(std::move(test));
      if (isName("else")) {
        ++pos_;
        SC_TRY_ASSIGN(auto other, parseExpression(true));
        cond->children.push_back(std::move(other));
      }
      expr = std::move(cond);
    }
    return expr;
  }

  ExprPtr binary(std::string op, Loc loc, ExprPtr left, ExprPtr right) {
    auto e = makeExpr(ExprKind::Binary, loc);
    e->name = std::move(op);
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(right));
    return e;
  }

  Result<ExprPtr> parseOr() {
    SC_TRY_ASSIGN(auto left, parseAnd());
    while (isName("or")) {
      const Loc loc = cur().loc;
      ++pos_;
      SC_TRY_ASSIGN(auto right, parseAnd());
      left = binary("or", loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parseAnd() {
    SC_TRY_ASSIGN(auto left, parseNot());
    while (isName("and")) {
      const Loc loc = cur().loc;
      ++pos_;
      SC_TRY_ASSIGN(auto right, parseNot());
      left = binary("and", loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parseNot() {
    if (isName("not")) {
      DepthGuard guard(depth_);
      SC_TRY(checkDepth());
      auto e = makeExpr(ExprKind::Unary, cur().loc);
      e->name = "not";
      ++pos_;
      SC_TRY_ASSIGN(auto operand, parseNot());
      e->children.push_back(std::move(operand));
      return e;
    }
    return parseCompare();
  }

  Result<ExprPtr> parseCompare() {
    const Loc loc = cur().loc;
    SC_TRY_ASSIGN(auto first, parseMath1());
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (cur().kind == TokenKind::Operator &&
          (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == "<=" ||
           cur().text == ">" || cur().text == ">=")) {
        op = cur().text;
        ++pos_;
      } else if (isName("in")) {
        op = "in";
        ++pos_;
      } else if (isName("not") && peek().kind == TokenKind::Name && peek().text == "in") {
        op = "not in";
        pos_ += 2;
      } else {
        break;
      }
      if (!cmp) {
        cmp = makeExpr(ExprKind::Compare, loc);
        cmp->children.push_back(std::move(first));
      }
      SC_TRY_ASSIGN(auto next, parseMath1());
      cmp->ops.push_back(op);
      cmp->children.push_back(std::move(next));
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  Result<ExprPtr> parseMath1() {
    SC_TRY_ASSIGN(auto left, parseConcat());
    while (isOp("+") || isOp("-")) {
      const Token& t = tokens_[pos_++];
      SC_TRY_ASSIGN(auto right, parseConcat());
      left = binary(t.text, t.loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parseConcat() {
    SC_TRY_ASSIGN(auto left, parseMath2());
    while (isOp("~")) {
      const Token& t = tokens_[pos_++];
      SC_TRY_ASSIGN(auto right, parseMath2());
      left = binary("~", t.loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parseMath2() {
    SC_TRY_ASSIGN(auto left, parsePow());
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      const Token& t = tokens_[pos_++];
      SC_TRY_ASSIGN(auto right, parsePow());
      left = binary(t.text, t.loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parsePow() {
    SC_TRY_ASSIGN(auto left, parseUnary(true));
    while (isOp("**")) {
      const Token& t = tokens_[pos_++];
      SC_TRY_ASSIGN(auto right, parseUnary(true));
      left = binary("**", t.loc, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parseUnary(bool with_filter) {
    DepthGuard guard(depth_);
    SC_TRY(checkDepth());
    ExprPtr node;
    if (isOp("-") || isOp("+")) {
      node = makeExpr(ExprKind::Unary, cur().loc);
      node->name = tokens_[pos_++].text;
      SC_TRY_ASSIGN(auto operand, parseUnary(false));
      node->children.push_back(std::move(operand));
    } else {
      SC_TRY_ASSIGN(node, parsePrimary());
    }
    SC_TRY_ASSIGN(node, parsePostfix(std::move(node)));
    if (with_filter) {
      SC_TRY_ASSIGN(node, parseFilterExpr(std::move(node)));
    }
    return node;
  }

  Result<ExprPtr> parsePrimary() {
    const Token& t = cur();
    switch (t.kind) {
      case TokenKind::Name: {
        ++pos_;
        auto e = makeExpr(ExprKind::Literal, t.loc);
        if (t.text == "true" || t.text == "True") {
          e->literal = true;
        } else if (t.text == "false" || t.text == "False") {
          e->literal = false;
        } else if (t.text == "none" || t.text == "None") {
          e->literal = nullptr;
        } else {
          e->kind = ExprKind::Name;
          e->name = t.text;
        }
        return e;
      }
      case TokenKind::String: {
        auto e = makeExpr(ExprKind::Literal, t.loc);
        std::string text;
        while (cur().kind == TokenKind::String) {
          text += cur().value.get<std::string>();
          ++pos_;
        }
        e->literal = std::move(text);
        return e;
      }
      case TokenKind::Integer:
      case TokenKind::Float: {
        ++pos_;
        auto e = makeExpr(ExprKind::Literal, t.loc);
        e->literal = t.value;
        return e;
      }
      case TokenKind::Operator:
        if (t.text == "(") {
          ++pos_;
          return parseParenthesised(t.loc);
        }
        if (t.text == "[") {
          ++pos_;
          return parseSequence(ExprKind::List, "]", t.loc);
        }
        if (t.text == "{") {
          ++pos_;
          return parseDict(t.loc);
        }
        break;
      default:
        break;
    }
    return error(t, fmt::format("expected an expression, got {}", describe(t)));
  }

  Result<ExprPtr> parseParenthesised(Loc loc) {
    if (isOp(")")) {
      ++pos_;
      return makeExpr(ExprKind::Tuple, loc);
    }
    SC_TRY_ASSIGN(auto first, parseExpression(true));
    if (isOp(")")) {
      ++pos_;
      return first;
    }
    auto tuple = makeExpr(ExprKind::Tuple, loc);
    tuple->children.push_back(std::move(first));
    while (isOp(",")) {
      ++pos_;
      if (isOp(")")) break;
      SC_TRY_ASSIGN(auto next, parseExpression(true));
      tuple->children.push_back(std::move(next));
    }
    SC_TRY(expectOp(")"));
    return tuple;
  }

  Result<ExprPtr> parseSequence(ExprKind kind, std::string_view close, Loc loc) {
    auto e = makeExpr(kind, loc);
    while (!isOp(close)) {
      if (!e->children.empty()) SC_TRY(expectOp(","));
      if (isOp(close)) break;
      SC_TRY_ASSIGN(auto item, parseExpression(true));
      e->children.push_back(std::move(item));
    }
    ++pos_;
    return e;
  }

  Result<ExprPtr> parseDict(Loc loc) {
    auto e = makeExpr(ExprKind::Dict, loc);
    while (!isOp("}")) {
      if (!e->children.empty()) SC_TRY(expectOp(","));
      if (isOp("}")) break;
      SC_TRY_ASSIGN(auto key, parseExpression(true));
      SC_TRY(expectOp(":"));
      SC_TRY_ASSIGN(auto value, parseExpression(true));
      e->children.push_back(std::move(key));
      e->children.push_back(std::move(value));
    }
    ++pos_;
    return e;
  }

  Result<ExprPtr> parsePostfix(ExprPtr node) {
    while (true) {
      if (isOp(".")) {
        const Loc loc = node->loc;
        ++pos_;
        if (cur().kind == TokenKind::Name) {
          auto e = makeExpr(ExprKind::GetAttr, loc);
          e->name = tokens_[pos_++].text;
          e->children.push_back(std::move(node));
          node = std::move(e);
        } else if (cur().kind == TokenKind::Integer) {
          auto e = makeExpr(ExprKind::GetItem, loc);
          auto index = makeExpr(ExprKind::Literal, cur().loc);
          index->literal = tokens_[pos_++].value;
          e->children.push_back(std::move(node));
          e->children.push_back(std::move(index));
          node = std::move(e);
        } else {
          return error(cur(), fmt::format("expected an attribute name, got {}", describe(cur())));
        }
      } else if (isOp("[")) {
        SC_TRY_ASSIGN(node, parseSubscript(std::move(node)));
      } else if (isOp("(")) {
        SC_TRY_ASSIGN(node, parseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> parseSubscript(ExprPtr node) {
    const Loc loc = node->loc;
    ++pos_;
    ExprPtr parts[3];
    int part = 0;
    bool slice = false;
    while (!isOp("]")) {
      if (isOp(":")) {
        slice = true;
        if (++part > 2) return error(cur(), "expected ']'");
        ++pos_;
        continue;
      }
      if (parts[part]) return error(cur(), fmt::format("expected ']', got {}", describe(cur())));
      SC_TRY_ASSIGN(parts[part], parseExpression(true));
      if (!slice && isOp(",")) {
        return Error(ErrorCode::Schema, "tuple subscripts are not supported",
                     map_.where(cur().loc));
      }
    }
    ++pos_;
    if (!slice) {
      if (!parts[0]) return error(cur(), "expected a subscript");
      auto e = makeExpr(ExprKind::GetItem, loc);
      e->children.push_back(std::move(node));
      e->children.push_back(std::move(parts[0]));
      return e;
    }
    auto e = makeExpr(ExprKind::Slice, loc);
    e->children.push_back(std::move(node));
    for (auto& p : parts) e->children.push_back(std::move(p));
    return e;
  }

  Result<void> parseArgs(Expr& call) {
    SC_TRY(expectOp("("));
    bool first = true;
    while (!isOp(")")) {
      if (!first) {
        SC_TRY(expectOp(","));
        if (isOp(")")) break;
      }
      first = false;
      if (isOp("*") || isOp("**")) {
        return Error(ErrorCode::Schema, "'*args' and '**kwargs' in calls are not supported",
                     map_.where(cur().loc));
      }
      if (cur().kind == TokenKind::Name && peek().kind == TokenKind::Operator &&
          peek().text == "=") {
        Keyword kw;
        kw.name = tokens_[pos_].text;
        pos_ += 2;
        SC_TRY_ASSIGN(kw.value, parseExpression(true));
        call.kwargs.push_back(std::move(kw));
      } else {
        if (!call.kwargs.empty()) {
          return error(cur(), "positional argument follows keyword argument");
        }
        SC_TRY_ASSIGN(auto arg, parseExpression(true));
        call.children.push_back(std::move(arg));
      }
    }
    ++pos_;
    return ok();
  }

  Result<ExprPtr> parseCall(ExprPtr node) {
    auto e = makeExpr(ExprKind::Call, node->loc);
    e->children.push_back(std::move(node));
    SC_TRY(parseArgs(*e));
    return e;
  }

  Result<std::string> dottedName() {
    SC_TRY_ASSIGN(auto name, expectName());
    while (isOp(".") && peek().kind == TokenKind::Name) {
      name += "." + peek().text;
      pos_ += 2;
    }
    return name;
  }

  Result<ExprPtr> parseFilter(ExprPtr input) {
    auto e = makeExpr(ExprKind::Filter, cur().loc);
    SC_TRY_ASSIGN(e->name, dottedName());
    e->children.push_back(std::move(input));
    if (isOp("(")) SC_TRY(parseArgs(*e));
    return e;
  }

  Result<ExprPtr> parseFilterExpr(ExprPtr node) {
    while (true) {
      if (isOp("|")) {
        ++pos_;
        SC_TRY_ASSIGN(node, parseFilter(std::move(node)));
      } else if (isName("is")) {
        const Loc loc = cur().loc;
        ++pos_;
        bool negated = false;
        if (isName("not")) {
          negated = true;
          ++pos_;
        }
        auto e = makeExpr(ExprKind::Test, cur().loc);
        SC_TRY_ASSIGN(e->name, dottedName());
        e->children.push_back(std::move(node));
        if (isOp("(")) {
          SC_TRY(parseArgs(*e));
        } else if ((cur().kind == TokenKind::Name || cur().kind == TokenKind::String ||
                    cur().kind == TokenKind::Integer || cur().kind == TokenKind::Float ||
                    isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and") && !isName("if")) {
          if (isName("is")) return error(cur(), "you cannot chain multiple tests with 'is'");
          SC_TRY_ASSIGN(auto arg, parsePrimary());
          SC_TRY_ASSIGN(arg, parsePostfix(std::move(arg)));
          e->children.push_back(std::move(arg));
        }
        node = std::move(e);
        if (negated) {
          auto n = makeExpr(ExprKind::Unary, loc);
          n->name = "not";
          n->children.push_back(std::move(node));
          node = std::move(n);
        }
      } else if (isOp("(")) {
        SC_TRY_ASSIGN(node, parseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  const std::vector<Token>& tokens_;
  const SourceMap& map_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Body> parseTokens(const std::vector<Token>& tokens, const SourceMap& map,
                         const ParseLimits& limits) {
  return Parser(tokens, map, limits).parseAll();
}

Result<ExprPtr> parseExpressionTokens(const std::vector<Token>& tokens, const SourceMap& map,
                                      const ParseLimits& limits) {
  return Parser(tokens, map, limits).parseBare();
}

}  // namespace sc::controller::jinja
