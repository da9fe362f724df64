// The values a Jinja2 template computes with. Most are plain Data (the
// playbook data type: None, bool, int, float, str, list, dict); a few are
// things only a template can hold:
//   - Undefined: a name that was not found, or a missing attribute. It keeps
//     the message to raise, because (as Ansible's StrictUndefined does) using
//     it for anything but `default`, `is defined`, `is undefined` or a
//     further attribute access is an error.
//   - a Callable: a macro, a global function (range, lookup) or a method
//     bound to its receiver (`d.items`, `s.split`).
//   - a Namespace (`namespace(...)`), shared and mutable, as in Jinja2.
//   - the `loop` object of a for loop.
// Tuples print with parentheses in Python (`(1, 2)`) but are lists in Data;
// `shape` remembers that a list is a tuple or a list of tuples (what
// dict.items() and zip give) so that printing one matches Python.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller::jinja {

class Evaluator;
class Value;

struct Undefined {
  std::string name;  // the expression that was undefined, for `mandatory` ("x.y")
  std::string hint;  // the error to raise on use: "'x' is undefined"
};

// Arguments of a call, a filter or a test, evaluated.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

// A value that can be called from a template. call() may re-enter the
// evaluator (a macro renders its body), which bounds its recursion.
class Callable {
 public:
  virtual ~Callable() = default;
  virtual std::string describe() const = 0;  // Python's repr: "<Macro 'm'>"
  virtual Result<Value> call(Evaluator& evaluator, CallArgs args) = 0;
};

struct NamespaceObject {
  Data attributes = Data::object();
};

// The state behind `loop` in a for loop; the evaluator fills it in.
struct LoopObject {
  std::int64_t index0 = 0;
  std::int64_t length = 0;
  std::int64_t depth0 = 0;
  std::shared_ptr<const std::vector<Value>> items;
  std::optional<Data> last_changed;  // loop.changed() memory
};

enum class Shape : std::uint8_t { Plain, Tuple, ListOfTuples };

class Value {
 public:
  Value() = default;                            // None
  Value(Data data, Shape shape = Shape::Plain)  // NOLINT: Data converts implicitly
      : storage_(std::move(data)), shape_(shape) {}
  static Value undefined(std::string name, std::string hint);
  static Value callable(std::shared_ptr<Callable> fn);
  static Value namespaceObject(std::shared_ptr<NamespaceObject> ns);
  static Value loop(std::shared_ptr<LoopObject> loop);

  bool isData() const { return std::holds_alternative<Data>(storage_); }
  bool isUndefined() const { return std::holds_alternative<Undefined>(storage_); }
  bool isCallable() const { return std::holds_alternative<std::shared_ptr<Callable>>(storage_); }
  bool isNamespace() const {
    return std::holds_alternative<std::shared_ptr<NamespaceObject>>(storage_);
  }
  bool isLoop() const { return std::holds_alternative<std::shared_ptr<LoopObject>>(storage_); }

  // Only valid for the matching kind (SC_CHECKed).
  const Data& data() const;
  Data& data();
  const Undefined& undefinedInfo() const;
  const std::shared_ptr<Callable>& callableObject() const;
  const std::shared_ptr<NamespaceObject>& namespacePtr() const;
  const std::shared_ptr<LoopObject>& loopPtr() const;

  Shape shape() const { return shape_; }
  void setShape(Shape shape) { shape_ = shape; }

  // Convenience checks on the Data kinds, false for the other kinds.
  bool isNone() const { return isData() && data().is_null(); }
  bool isBool() const { return isData() && data().is_boolean(); }
  bool isInt() const { return isData() && data().is_number_integer(); }
  bool isFloat() const { return isData() && data().is_number_float(); }
  bool isNumber() const { return isData() && data().is_number(); }  // not bool
  bool isString() const { return isData() && data().is_string(); }
  bool isList() const { return isData() && data().is_array(); }
  bool isDict() const { return isData() && data().is_object(); }

  // Python's type name, as error messages print it ("int", "dict", "list").
  std::string typeName() const;

 private:
  std::variant<Data, Undefined, std::shared_ptr<Callable>, std::shared_ptr<NamespaceObject>,
               std::shared_ptr<LoopObject>>
      storage_;
  Shape shape_ = Shape::Plain;
};

// Python's type name of plain data ("NoneType", "bool", "int", ...).
std::string pyTypeName(const Data& data);

// Python truthiness. Undefined values are refused by the caller first.
bool truthy(const Value& value);
bool truthy(const Data& data);

// Python's ==, where 1 == 1.0 == True and lists and dicts compare deeply.
bool pyEqual(const Data& a, const Data& b);
bool pyEqual(const Value& a, const Value& b);

// Python's <: numbers with numbers, strings by code point, lists
// lexicographically. An error for other pairs ("'<' not supported between
// instances of 'str' and 'int'").
Result<bool> pyLess(const Data& a, const Data& b);

// The integer value of an int or bool; nullopt otherwise.
std::optional<std::int64_t> asInteger(const Data& data);
// The float value of an int, bool or float; nullopt otherwise.
std::optional<double> asDouble(const Data& data);

// Dict keys are strings in Data; Python would keep 1 as an int key. A
// non-string key becomes its Python str() (documented in docs/jinja.md).
std::string keyString(const Data& key);

}  // namespace sc::controller::jinja
