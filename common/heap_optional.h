// An optional value kept on the heap: one pointer wide, copied deeply.
// For optional members that are large and usually absent, in structs held
// by the thousand (a manifest's ResourceSpec has three optional condition
// trees; inline std::optional made each spec about 600 bytes, most of them
// empty). Reads like std::optional: `if (x)`, `*x`, `x->`, `x = value`,
// `x = std::nullopt`.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace sc {

template <class T>
class HeapOptional {
 public:
  HeapOptional() = default;
  HeapOptional(std::nullopt_t) {}  // NOLINT: implicit, as std::optional's
  HeapOptional(T value) : value_(std::make_unique<T>(std::move(value))) {}  // NOLINT
  HeapOptional(std::optional<T> value) {                                    // NOLINT
    if (value) value_ = std::make_unique<T>(std::move(*value));
  }
  HeapOptional(const HeapOptional& other)
      : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(HeapOptional other) noexcept {
    value_ = std::move(other.value_);
    return *this;
  }
  ~HeapOptional() = default;

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace sc
