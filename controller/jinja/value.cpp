#include "controller/jinja/value.h"

#include <fmt/format.h>

namespace sc::controller::jinja {

Value Value::undefined(std::string name, std::string hint) {
  Value v;
  v.storage_ = Undefined{std::move(name), std::move(hint)};
  return v;
}

Value Value::callable(std::shared_ptr<Callable> fn) {
  Value v;
  v.storage_ = std::move(fn);
  return v;
}

Value Value::namespaceObject(std::shared_ptr<NamespaceObject> ns) {
  Value v;
  v.storage_ = std::move(ns);
  return v;
}

Value Value::loop(std::shared_ptr<LoopObject> loop) {
  Value v;
  v.storage_ = std::move(loop);
  return v;
}

const Data& Value::data() const {
  SC_CHECK(isData(), "callers test isData() first");
  return std::get<Data>(storage_);
}

Data& Value::data() {
  SC_CHECK(isData(), "callers test isData() first");
  return std::get<Data>(storage_);
}

const Undefined& Value::undefinedInfo() const {
  SC_CHECK(isUndefined(), "callers test isUndefined() first");
  return std::get<Undefined>(storage_);
}

const std::shared_ptr<Callable>& Value::callableObject() const {
  SC_CHECK(isCallable(), "callers test isCallable() first");
  return std::get<std::shared_ptr<Callable>>(storage_);
}

const std::shared_ptr<NamespaceObject>& Value::namespacePtr() const {
  SC_CHECK(isNamespace(), "callers test isNamespace() first");
  return std::get<std::shared_ptr<NamespaceObject>>(storage_);
}

const std::shared_ptr<LoopObject>& Value::loopPtr() const {
  SC_CHECK(isLoop(), "callers test isLoop() first");
  return std::get<std::shared_ptr<LoopObject>>(storage_);
}

std::string Value::typeName() const {
  if (isData()) {
    if (shape_ == Shape::Tuple) return "tuple";
    return pyTypeName(data());
  }
  if (isUndefined()) return "AnsibleUndefined";
  if (isCallable()) return "function";
  if (isNamespace()) return "Namespace";
  return "LoopContext";
}

std::string pyTypeName(const Data& data) {
  switch (data.type()) {
    case Data::value_t::null:
      return "NoneType";
    case Data::value_t::boolean:
      return "bool";
    case Data::value_t::number_integer:
    case Data::value_t::number_unsigned:
      return "int";
    case Data::value_t::number_float:
      return "float";
    case Data::value_t::string:
      return "str";
    case Data::value_t::array:
      return "list";
    case Data::value_t::object:
      return "dict";
    default:
      return "bytes";
  }
}

bool truthy(const Data& data) {
  switch (data.type()) {
    case Data::value_t::null:
      return false;
    case Data::value_t::boolean:
      return data.get<bool>();
    case Data::value_t::number_integer:
    case Data::value_t::number_unsigned:
      return data.get<std::int64_t>() != 0;
    case Data::value_t::number_float:
      return data.get<double>() != 0.0;
    case Data::value_t::string:
      // json::empty() is false for every string; the text decides.
      return !data.get_ref<const std::string&>().empty();
    case Data::value_t::array:
    case Data::value_t::object:
      return !data.empty();
    default:
      return true;
  }
}

bool truthy(const Value& value) {
  if (value.isData()) return truthy(value.data());
  if (value.isUndefined()) return false;
  return true;
}

std::optional<std::int64_t> asInteger(const Data& data) {
  if (data.is_boolean()) return data.get<bool>() ? 1 : 0;
  if (data.is_number_integer()) return data.get<std::int64_t>();
  return std::nullopt;
}

std::optional<double> asDouble(const Data& data) {
  if (data.is_boolean()) return data.get<bool>() ? 1.0 : 0.0;
  if (data.is_number_integer()) return static_cast<double>(data.get<std::int64_t>());
  if (data.is_number_float()) return data.get<double>();
  return std::nullopt;
}

namespace {

bool isNumeric(const Data& d) { return d.is_number() || d.is_boolean(); }

}  // namespace

bool pyEqual(const Data& a, const Data& b) {
  if (isNumeric(a) && isNumeric(b)) {
    if ((a.is_number_integer() || a.is_boolean()) && (b.is_number_integer() || b.is_boolean())) {
      return *asInteger(a) == *asInteger(b);
    }
    return *asDouble(a) == *asDouble(b);
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!pyEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !pyEqual(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool pyEqual(const Value& a, const Value& b) {
  if (a.isData() && b.isData()) return pyEqual(a.data(), b.data());
  if (a.isNamespace() && b.isNamespace()) return a.namespacePtr() == b.namespacePtr();
  if (a.isCallable() && b.isCallable()) return a.callableObject() == b.callableObject();
  return false;
}

Result<bool> pyLess(const Data& a, const Data& b) {
  if (isNumeric(a) && isNumeric(b)) {
    if ((a.is_number_integer() || a.is_boolean()) && (b.is_number_integer() || b.is_boolean())) {
      return *asInteger(a) < *asInteger(b);
    }
    return *asDouble(a) < *asDouble(b);
  }
  if (a.is_string() && b.is_string()) {
    // UTF-8 byte order is code point order, which is how Python compares.
    return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  }
  if (a.is_array() && b.is_array()) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (pyEqual(a[i], b[i])) continue;
      return pyLess(a[i], b[i]);
    }
    return a.size() < b.size();
  }
  return Error(ErrorCode::Schema,
               fmt::format("'<' not supported between instances of '{}' and '{}'", pyTypeName(a),
                           pyTypeName(b)));
}

}  // namespace sc::controller::jinja
