#include "controller/jinja/evaluator.h"

#include <fmt/format.h>

#include "common/text/utf8.h"
#include "controller/jinja/filters/registry.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::jinja {

Error typeError(std::string message) { return Error(ErrorCode::Schema, std::move(message)); }

Evaluator::Evaluator(Scope& scope, const SourceMap& source, const RenderOptions& options)
    : scope_(scope), source_(source), options_(options) {
  frames_.emplace_back();
}

Error Evaluator::located(Error error, Loc loc) const {
  if (!error.where().empty()) return error;
  return std::move(error).withWhere(source_.where(loc));
}

Result<Value> Evaluator::eval(const Expr& expr) {
  if (depth_ >= options_.limits.max_eval_depth) {
    return Error(
        ErrorCode::TooDeep,
        fmt::format("expression evaluation deeper than {} levels", options_.limits.max_eval_depth),
        source_.where(expr.loc));
  }
  ++depth_;
  auto result = evalInner(expr);
  --depth_;
  if (!result) return located(std::move(result).error(), expr.loc);
  return result;
}

Error Evaluator::undefinedError(const Value& value) {
  return Error(ErrorCode::Schema, value.undefinedInfo().hint);
}

Result<void> Evaluator::requireDefined(const Value& value) const {
  if (value.isUndefined()) return undefinedError(value);
  return ok();
}

Result<void> Evaluator::checkSize(std::size_t bytes) const {
  if (bytes > options_.limits.max_output_bytes) {
    return Error(ErrorCode::TooLarge, fmt::format("template output or string larger than {} bytes",
                                                  options_.limits.max_output_bytes));
  }
  return ok();
}

Result<void> Evaluator::countIterations(std::int64_t n) {
  iterations_ += n;
  if (iterations_ > options_.limits.max_iterations) {
    return Error(ErrorCode::TooLarge, fmt::format("more than {} loop iterations in one template",
                                                  options_.limits.max_iterations));
  }
  return ok();
}

Result<void> Evaluator::enterCall() {
  if (call_depth_ >= options_.limits.max_call_depth) {
    return Error(ErrorCode::TooDeep, fmt::format("macro calls nested deeper than {} levels",
                                                 options_.limits.max_call_depth));
  }
  ++call_depth_;
  return ok();
}

void Evaluator::pushFrame(bool barrier) {
  frames_.emplace_back();
  frames_.back().barrier = barrier;
}

void Evaluator::popFrame() { frames_.pop_back(); }

void Evaluator::assign(const std::string& name, Value value) {
  frames_.back().vars[name] = std::move(value);
}

Result<Value> Evaluator::lookupName(const std::string& name) {
  for (std::size_t i = frames_.size(); i-- > 0;) {
    auto it = frames_[i].vars.find(name);
    if (it != frames_[i].vars.end()) return it->second;
    if (frames_[i].barrier && i > 0) {
      auto top = frames_[0].vars.find(name);
      if (top != frames_[0].vars.end()) return top->second;
      break;
    }
  }
  SC_TRY_ASSIGN(auto found, scope_.lookup(name));
  if (found) return Value(std::move(*found));
  if (auto fn = globalFunction(name)) return *fn;
  return Value::undefined(name, fmt::format("'{}' is undefined", name));
}

Result<std::string> Evaluator::toText(const Value& value) {
  if (value.isData()) return pyStr(value.data(), value.shape());
  if (value.isUndefined()) return undefinedError(value);
  if (value.isNamespace()) return "<Namespace " + pyRepr(value.namespacePtr()->attributes) + ">";
  if (value.isCallable()) return value.callableObject()->describe();
  const auto& loop = *value.loopPtr();
  return fmt::format("<LoopContext {}/{}>", loop.index0 + 1, loop.length);
}

Result<std::string> Evaluator::toOutput(const Value& value) {
  if (value.isNone()) return std::string();
  return toText(value);
}

Result<Value> Evaluator::makeList(std::vector<Value> items, Shape shape) {
  Data list = Data::array();
  bool all_tuples = !items.empty();
  for (auto& item : items) {
    if (item.isUndefined()) return undefinedError(item);
    if (!item.isData()) {
      return typeError(fmt::format("a {} cannot be stored in a list", item.typeName()));
    }
    if (item.shape() != Shape::Tuple) all_tuples = false;
    list.push_back(std::move(item.data()));
  }
  if (shape == Shape::Plain && all_tuples) shape = Shape::ListOfTuples;
  return Value(std::move(list), shape);
}

Result<std::vector<Value>> Evaluator::iterate(const Value& value) {
  SC_TRY(requireDefined(value));
  std::vector<Value> out;
  if (value.isList()) {
    const Shape inner = value.shape() == Shape::ListOfTuples ? Shape::Tuple : Shape::Plain;
    out.reserve(value.data().size());
    for (const auto& item : value.data()) out.emplace_back(item, inner);
  } else if (value.isDict()) {
    for (auto it = value.data().begin(); it != value.data().end(); ++it) out.emplace_back(it.key());
  } else if (value.isString()) {
    for (char32_t c : ::sc::text::utf8::decode(value.data().get_ref<const std::string&>())) {
      std::string s;
      ::sc::text::utf8::append(s, c);
      out.emplace_back(std::move(s));
    }
  } else if (value.isNamespace()) {
    return typeError("'Namespace' object is not iterable");
  } else {
    return typeError(fmt::format("'{}' object is not iterable", value.typeName()));
  }
  return out;
}

Result<Value> Evaluator::getAttr(const Value& object, std::string_view name) {
  if (object.isUndefined()) {
    // Ansible's undefined keeps chaining (x.y.z) until something uses it.
    const auto& u = object.undefinedInfo();
    return Value::undefined(u.name + "." + std::string(name), u.hint);
  }
  if (object.isNamespace()) {
    const Data& attrs = object.namespacePtr()->attributes;
    auto it = attrs.find(std::string(name));
    if (it != attrs.end()) return Value(*it);
    return Value::undefined(std::string(name),
                            fmt::format("'Namespace' object has no attribute '{}'", name));
  }
  if (object.isLoop() && !isMethodName(object, name)) {
    return loopAttribute(*object.loopPtr(), name);
  }
  if (object.isCallable()) {
    return Value::undefined(std::string(name),
                            fmt::format("'function' object has no attribute '{}'", name));
  }
  if (isMethodName(object, name)) {
    struct Bound : Callable {
      Value self;
      std::string method;
      std::string describe() const override {
        return fmt::format("<built-in method {} of {} object>", method, self.typeName());
      }
      Result<Value> call(Evaluator& ev, CallArgs args) override {
        return callMethod(ev, self, method, std::move(args));
      }
    };
    auto bound = std::make_shared<Bound>();
    bound->self = object;
    bound->method = std::string(name);
    return Value::callable(std::move(bound));
  }
  if (object.isDict()) {
    auto it = object.data().find(std::string(name));
    if (it != object.data().end()) return Value(*it);
  }
  return Value::undefined(
      std::string(name), fmt::format("'{} object' has no attribute '{}'", object.typeName(), name));
}

namespace {

// Python's index normalisation: negative counts from the end.
std::optional<std::size_t> normaliseIndex(std::int64_t index, std::size_t size) {
  const auto n = static_cast<std::int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<std::size_t>(index);
}

}  // namespace

Result<Value> Evaluator::getItem(const Value& object, const Value& key) {
  if (object.isUndefined()) {
    const auto& u = object.undefinedInfo();
    return Value::undefined(u.name + "[...]", u.hint);
  }
  SC_TRY(requireDefined(key));
  if (object.isDict() && key.isData()) {
    if (key.isData() && (key.data().is_primitive())) {
      auto it = object.data().find(keyString(key.data()));
      if (it != object.data().end()) return Value(*it);
    }
  } else if ((object.isList() || object.isString()) && key.isData()) {
    if (auto index = asInteger(key.data())) {
      if (object.isList()) {
        if (auto i = normaliseIndex(*index, object.data().size())) {
          return Value(object.data()[*i],
                       object.shape() == Shape::ListOfTuples ? Shape::Tuple : Shape::Plain);
        }
      } else {
        const auto points = ::sc::text::utf8::decode(object.data().get_ref<const std::string&>());
        if (auto i = normaliseIndex(*index, points.size())) {
          std::string s;
          ::sc::text::utf8::append(s, points[*i]);
          return Value(std::move(s));
        }
      }
      return Value::undefined(
          "[" + std::to_string(*index) + "]",
          fmt::format("{} object has no element {}", object.typeName(), *index));
    }
  }
  if (key.isString()) {
    const std::string& name = key.data().get_ref<const std::string&>();
    if (object.isNamespace() || object.isLoop() || isMethodName(object, name)) {
      return getAttr(object, name);
    }
  }
  std::string shown = key.isData() ? pyStr(key.data()) : "?";
  return Value::undefined(
      shown, fmt::format("'{} object' has no attribute '{}'", object.typeName(), shown));
}

Result<Value> Evaluator::getPath(const Value& object, std::string_view dotted) {
  Value current = object;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    const auto part =
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start);
    const bool numeric = !part.empty() && part.find_first_not_of("0123456789") == part.npos;
    if (numeric && current.isList()) {
      SC_TRY_ASSIGN(current, getItem(current, Value(std::stoll(std::string(part)))));
    } else {
      SC_TRY_ASSIGN(current, getItem(current, Value(std::string(part))));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return current;
}

Result<Value> Evaluator::applyFilter(std::string_view name, Value input, CallArgs args) {
  const FilterFn* fn = findFilter(name);
  if (!fn) return Error(ErrorCode::Schema, fmt::format("unknown filter '{}'", name));
  if (input.isUndefined() && !filterAcceptsUndefined(name)) return undefinedError(input);
  for (const auto& arg : args.positional) SC_TRY(requireDefined(arg));
  for (const auto& [key, arg] : args.keyword) SC_TRY(requireDefined(arg));
  return (*fn)(*this, std::move(input), args);
}

Result<bool> Evaluator::applyTest(std::string_view name, const Value& input, CallArgs args) {
  const TestFn* fn = findTest(name);
  if (!fn) return Error(ErrorCode::Schema, fmt::format("unknown test '{}'", name));
  for (const auto& arg : args.positional) SC_TRY(requireDefined(arg));
  for (const auto& [key, arg] : args.keyword) SC_TRY(requireDefined(arg));
  return (*fn)(*this, input, args);
}

Result<Value> Evaluator::call(const Value& callee, CallArgs args) {
  if (callee.isUndefined()) return undefinedError(callee);
  if (!callee.isCallable()) {
    return typeError(fmt::format("'{}' object is not callable", callee.typeName()));
  }
  return callee.callableObject()->call(*this, std::move(args));
}

Result<CallArgs> Evaluator::evalArgs(const Expr& expr, std::size_t first) {
  CallArgs args;
  for (std::size_t i = first; i < expr.children.size(); ++i) {
    SC_TRY_ASSIGN(auto v, eval(*expr.children[i]));
    args.positional.push_back(std::move(v));
  }
  for (const auto& kw : expr.kwargs) {
    SC_TRY_ASSIGN(auto v, eval(*kw.value));
    args.keyword.emplace_back(kw.name, std::move(v));
  }
  return args;
}

Result<Value> Evaluator::evalCall(const Expr& expr) {
  SC_TRY_ASSIGN(auto callee, eval(*expr.children[0]));
  SC_TRY_ASSIGN(auto args, evalArgs(expr, 1));
  return call(callee, std::move(args));
}

Result<Value> Evaluator::evalSlice(const Expr& expr) {
  SC_TRY_ASSIGN(auto object, eval(*expr.children[0]));
  SC_TRY(requireDefined(object));
  std::optional<std::int64_t> parts[3];
  for (std::size_t i = 0; i < 3; ++i) {
    if (!expr.children[i + 1]) continue;
    SC_TRY_ASSIGN(auto v, eval(*expr.children[i + 1]));
    SC_TRY(requireDefined(v));
    if (v.isNone()) continue;
    auto n = v.isData() ? asInteger(v.data()) : std::nullopt;
    if (!n) return typeError("slice indices must be integers or None");
    parts[i] = n;
  }
  const std::int64_t step = parts[2].value_or(1);
  if (step == 0) return typeError("slice step cannot be zero");
  std::vector<char32_t> points;
  std::int64_t size = 0;
  if (object.isString()) {
    points = ::sc::text::utf8::decode(object.data().get_ref<const std::string&>());
    size = static_cast<std::int64_t>(points.size());
  } else if (object.isList()) {
    size = static_cast<std::int64_t>(object.data().size());
  } else {
    return typeError(fmt::format("'{}' object is not subscriptable", object.typeName()));
  }
  // Python's slice.indices().
  auto clamp = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
    if (!v) return dflt;
    std::int64_t x = *v;
    if (x < 0) {
      x += size;
      if (x < 0) x = step < 0 ? -1 : 0;
    } else if (x >= size) {
      x = step < 0 ? size - 1 : size;
    }
    return x;
  };
  const std::int64_t start = clamp(parts[0], step < 0 ? size - 1 : 0);
  const std::int64_t stop = clamp(parts[1], step < 0 ? -1 : size);
  std::vector<std::size_t> picked;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    picked.push_back(static_cast<std::size_t>(i));
  }
  if (object.isString()) {
    std::string out;
    for (auto i : picked) ::sc::text::utf8::append(out, points[i]);
    return Value(std::move(out));
  }
  Data out = Data::array();
  for (auto i : picked) out.push_back(object.data()[i]);
  return Value(std::move(out), object.shape());
}

Result<Value> Evaluator::evalInner(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::Literal:
      return Value(expr.literal);
    case ExprKind::Name:
      return lookupName(expr.name);
    case ExprKind::List:
    case ExprKind::Tuple: {
      std::vector<Value> items;
      for (const auto& child : expr.children) {
        SC_TRY_ASSIGN(auto v, eval(*child));
        items.push_back(std::move(v));
      }
      return makeList(std::move(items), expr.kind == ExprKind::Tuple ? Shape::Tuple : Shape::Plain);
    }
    case ExprKind::Dict: {
      Data dict = Data::object();
      for (std::size_t i = 0; i + 1 < expr.children.size(); i += 2) {
        SC_TRY_ASSIGN(auto key, eval(*expr.children[i]));
        SC_TRY_ASSIGN(auto value, eval(*expr.children[i + 1]));
        SC_TRY(requireDefined(key));
        SC_TRY(requireDefined(value));
        if (!key.isData() || !value.isData()) return typeError("unhashable dict key or value");
        dict[keyString(key.data())] = std::move(value.data());
      }
      return Value(std::move(dict));
    }
    case ExprKind::Unary: {
      SC_TRY_ASSIGN(auto v, eval(*expr.children[0]));
      SC_TRY(requireDefined(v));
      if (expr.name == "not") return Value(!truthy(v));
      if (v.isData() && (v.data().is_number() || v.data().is_boolean())) {
        if (expr.name == "+") {
          return v.isBool() ? Value(*asInteger(v.data())) : v;
        }
        if (auto i = asInteger(v.data())) {
          if (*i == INT64_MIN) return typeError("integer overflow");
          return Value(-*i);
        }
        return Value(-v.data().get<double>());
      }
      return typeError(fmt::format("bad operand type for unary {}: '{}'", expr.name, v.typeName()));
    }
    case ExprKind::Binary:
      return evalBinary(expr);
    case ExprKind::Compare:
      return evalCompare(expr);
    case ExprKind::Conditional: {
      SC_TRY_ASSIGN(auto cond, eval(*expr.children[1]));
      SC_TRY(requireDefined(cond));
      if (truthy(cond)) return eval(*expr.children[0]);
      if (expr.children.size() > 2) return eval(*expr.children[2]);
      // Jinja2 yields an undefined value; Ansible prints it as nothing.
      return Value();
    }
    case ExprKind::GetAttr: {
      SC_TRY_ASSIGN(auto object, eval(*expr.children[0]));
      return getAttr(object, expr.name);
    }
    case ExprKind::GetItem: {
      SC_TRY_ASSIGN(auto object, eval(*expr.children[0]));
      SC_TRY_ASSIGN(auto key, eval(*expr.children[1]));
      return getItem(object, key);
    }
    case ExprKind::Slice:
      return evalSlice(expr);
    case ExprKind::Filter: {
      SC_TRY_ASSIGN(auto input, eval(*expr.children[0]));
      SC_TRY_ASSIGN(auto args, evalArgs(expr, 1));
      return applyFilter(expr.name, std::move(input), std::move(args));
    }
    case ExprKind::Test: {
      SC_TRY_ASSIGN(auto input, eval(*expr.children[0]));
      SC_TRY_ASSIGN(auto args, evalArgs(expr, 1));
      SC_TRY_ASSIGN(bool result, applyTest(expr.name, input, std::move(args)));
      return Value(result);
    }
    case ExprKind::Call:
      return evalCall(expr);
  }
  return typeError("unknown expression");
}

Result<Value> Evaluator::evalBinary(const Expr& expr) {
  SC_TRY_ASSIGN(auto left, eval(*expr.children[0]));
  if (expr.name == "and" || expr.name == "or") {
    SC_TRY(requireDefined(left));
    const bool t = truthy(left);
    if ((expr.name == "and") != t) return left;
    return eval(*expr.children[1]);
  }
  SC_TRY_ASSIGN(auto right, eval(*expr.children[1]));
  SC_TRY(requireDefined(left));
  SC_TRY(requireDefined(right));
  return binaryOp(*this, expr.name, left, right);
}

Result<Value> Evaluator::evalCompare(const Expr& expr) {
  SC_TRY_ASSIGN(auto left, eval(*expr.children[0]));
  for (std::size_t i = 0; i < expr.ops.size(); ++i) {
    SC_TRY_ASSIGN(auto right, eval(*expr.children[i + 1]));
    SC_TRY(requireDefined(left));
    SC_TRY(requireDefined(right));
    SC_TRY_ASSIGN(bool holds, compareOp(expr.ops[i], left, right));
    if (!holds) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

}  // namespace sc::controller::jinja
