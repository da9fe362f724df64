// Arithmetic, concatenation, comparison and membership with Python's
// semantics: int and float mix, // and % floor, / always gives a float,
// strings and lists repeat and concatenate. Integers are 64-bit: where
// Python would grow a big integer, the template fails with "integer
// overflow" (docs/jinja.md).
#include <fmt/format.h>

#include <cmath>

#include "controller/jinja/evaluator.h"
#include "controller/jinja/printf_format.h"
#include "controller/jinja/py_format.h"

namespace sc::controller::jinja {
namespace {

bool isIntLike(const Value& v) { return v.isData() && (v.isInt() || v.isBool()); }
bool isNumLike(const Value& v) { return v.isData() && (v.isNumber() || v.isBool()); }

Error unsupported(std::string_view op, const Value& a, const Value& b) {
  return typeError(fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op,
                               a.typeName(), b.typeName()));
}

Error overflow() { return typeError("integer overflow (Python would use a big integer)"); }

Result<Value> repeat(Evaluator& ev, const Value& seq, std::int64_t times) {
  if (times < 0) times = 0;
  if (seq.isString()) {
    const auto& s = seq.data().get_ref<const std::string&>();
    SC_TRY(ev.checkSize(s.size() * static_cast<std::size_t>(times)));
    std::string out;
    for (std::int64_t i = 0; i < times; ++i) out += s;
    return Value(std::move(out));
  }
  SC_TRY(ev.checkSize(seq.data().size() * static_cast<std::size_t>(times)));
  Data out = Data::array();
  for (std::int64_t i = 0; i < times; ++i) {
    for (const auto& item : seq.data()) out.push_back(item);
  }
  return Value(std::move(out), seq.shape());
}

Result<Value> intPower(std::int64_t base, std::int64_t exp) {
  if (exp < 0) {
    if (base == 0) return typeError("0.0 cannot be raised to a negative power");
    return Value(std::pow(static_cast<double>(base), static_cast<double>(exp)));
  }
  std::int64_t result = 1;
  std::int64_t b = base;
  while (exp > 0) {
    if (exp & 1) {
      if (__builtin_mul_overflow(result, b, &result)) return overflow();
    }
    exp >>= 1;
    if (exp > 0 && __builtin_mul_overflow(b, b, &b)) return overflow();
  }
  return Value(result);
}

}  // namespace

Result<Value> binaryOp(Evaluator& ev, std::string_view op, const Value& a, const Value& b) {
  if (op == "~") {
    SC_TRY_ASSIGN(auto left, ev.toText(a));
    SC_TRY_ASSIGN(auto right, ev.toText(b));
    SC_TRY(ev.checkSize(left.size() + right.size()));
    return Value(left + right);
  }
  if (isIntLike(a) && isIntLike(b)) {
    const std::int64_t x = *asInteger(a.data());
    const std::int64_t y = *asInteger(b.data());
    std::int64_t r = 0;
    if (op == "+") {
      if (__builtin_add_overflow(x, y, &r)) return overflow();
      return Value(r);
    }
    if (op == "-") {
      if (__builtin_sub_overflow(x, y, &r)) return overflow();
      return Value(r);
    }
    if (op == "*") {
      if (__builtin_mul_overflow(x, y, &r)) return overflow();
      return Value(r);
    }
    if (op == "/") {
      if (y == 0) return typeError("division by zero");
      return Value(static_cast<double>(x) / static_cast<double>(y));
    }
    if (op == "//" || op == "%") {
      if (y == 0) return typeError("integer division or modulo by zero");
      if (x == INT64_MIN && y == -1) return overflow();
      std::int64_t q = x / y;
      std::int64_t m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) {
        --q;
        m += y;
      }
      return Value(op == "//" ? q : m);
    }
    if (op == "**") return intPower(x, y);
  }
  if (isNumLike(a) && isNumLike(b)) {
    const double x = *asDouble(a.data());
    const double y = *asDouble(b.data());
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (op == "/") {
      if (y == 0.0) return typeError("float division by zero");
      return Value(x / y);
    }
    if (op == "//" || op == "%") {
      if (y == 0.0) return typeError("float modulo");
      double m = std::fmod(x, y);
      if (m != 0.0 && ((m < 0) != (y < 0))) m += y;
      if (op == "%") return Value(m == 0.0 ? std::copysign(0.0, y) : m);
      // CPython's float_floor_div: round the exact quotient of x - m.
      const double div = (x - m) / y;
      if (div == 0.0) return Value(std::copysign(0.0, x / y));
      double floordiv = std::floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
      return Value(floordiv);
    }
    if (op == "**") {
      if (x == 0.0 && y < 0) return typeError("0.0 cannot be raised to a negative power");
      return Value(std::pow(x, y));
    }
  }
  if (op == "+") {
    if (a.isString() && b.isString()) {
      const auto& x = a.data().get_ref<const std::string&>();
      const auto& y = b.data().get_ref<const std::string&>();
      SC_TRY(ev.checkSize(x.size() + y.size()));
      return Value(x + y);
    }
    if (a.isList() && b.isList()) {
      Data out = a.data();
      for (const auto& item : b.data()) out.push_back(item);
      const bool tuple = a.shape() == Shape::Tuple && b.shape() == Shape::Tuple;
      return Value(std::move(out), tuple ? Shape::Tuple : Shape::Plain);
    }
  }
  if (op == "*") {
    if ((a.isString() || a.isList()) && isIntLike(b)) return repeat(ev, a, *asInteger(b.data()));
    if ((b.isString() || b.isList()) && isIntLike(a)) return repeat(ev, b, *asInteger(a.data()));
  }
  if (op == "%" && a.isString()) {
    SC_TRY_ASSIGN(auto text, percentFormat(ev, a.data().get_ref<const std::string&>(), b));
    return Value(std::move(text));
  }
  return unsupported(op, a, b);
}

Result<bool> containsOp(const Value& item, const Value& container) {
  if (container.isString()) {
    if (!item.isString()) {
      return typeError(
          fmt::format("'in <string>' requires string as left operand, not {}", item.typeName()));
    }
    return container.data().get_ref<const std::string&>().find(
               item.data().get_ref<const std::string&>()) != std::string::npos;
  }
  if (container.isList()) {
    for (const auto& element : container.data()) {
      if (item.isData() && pyEqual(item.data(), element)) return true;
    }
    return false;
  }
  if (container.isDict()) {
    if (!item.isData() || !item.data().is_primitive()) return false;
    return container.data().contains(keyString(item.data()));
  }
  if (container.isNamespace()) {
    return item.isString() &&
           container.namespacePtr()->attributes.contains(item.data().get<std::string>());
  }
  return typeError(fmt::format("argument of type '{}' is not iterable", container.typeName()));
}

Result<bool> compareOp(std::string_view op, const Value& a, const Value& b) {
  if (op == "==") return pyEqual(a, b);
  if (op == "!=") return !pyEqual(a, b);
  if (op == "in") return containsOp(a, b);
  if (op == "not in") {
    SC_TRY_ASSIGN(bool in, containsOp(a, b));
    return !in;
  }
  if (!a.isData() || !b.isData()) {
    return typeError(fmt::format("'{}' not supported between instances of '{}' and '{}'", op,
                                 a.typeName(), b.typeName()));
  }
  auto fix = [&]() {
    return typeError(fmt::format("'{}' not supported between instances of '{}' and '{}'", op,
                                 a.typeName(), b.typeName()));
  };
  if (op == "<") {
    auto r = pyLess(a.data(), b.data());
    if (!r) return fix();
    return *r;
  }
  if (op == ">") {
    auto r = pyLess(b.data(), a.data());
    if (!r) return fix();
    return *r;
  }
  if (op == "<=") {
    auto r = pyLess(b.data(), a.data());
    if (!r) return fix();
    return !*r;
  }
  if (op == ">=") {
    auto r = pyLess(a.data(), b.data());
    if (!r) return fix();
    return !*r;
  }
  return typeError(fmt::format("unknown operator '{}'", op));
}

}  // namespace sc::controller::jinja
