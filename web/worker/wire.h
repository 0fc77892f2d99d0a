// The bytes of the worker's messages (protocol.cpp): values written one after another and read
// back in the same order. Both ends are this code, compiled into the two WebAssembly modules of
// one page (or into the native unit tests), so a value is its raw bytes on that machine.
//
// A record is described once, by its `visit(f)`: f(name, field) for each field the messages
// carry, in order, as core's ParamsT::visit lists the tensors. Writer and Reader walk that one
// description, field by field:
// - a number, bool or enum: its bytes;
// - a string: a uint32 count, then the bytes;
// - a vector of numbers: a uint32 count, zero bytes up to a multiple of the number's size (from
//   the message's start), then the bytes, so that a reader of an aligned message copies them
//   straight into place;
// - a vector of records or of vectors: a uint32 count, then each element;
// - a record: its visit.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace wire {

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

template <class T>
constexpr bool kRawBytes = std::is_arithmetic_v<T> || std::is_enum_v<T>;

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) { out_.clear(); }

  template <class T>
  void put(const T& value) {
    if constexpr (kRawBytes<T>) {
      bytes(&value, sizeof value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      count(value.size());
      bytes(value.data(), value.size());
    } else if constexpr (IsVector<T>::value) {
      using Element = typename T::value_type;
      count(value.size());
      if constexpr (kRawBytes<Element>) {
        out_.resize((out_.size() + sizeof(Element) - 1) / sizeof(Element) * sizeof(Element), 0);
        bytes(value.data(), value.size() * sizeof(Element));
      } else {
        for (const auto& element : value) put(element);
      }
    } else {
      // visit lists the fields as references it could change; writing only reads them
      const_cast<T&>(value).visit([&](const char*, const auto& field) { put(field); });
    }
  }

 private:
  void count(size_t n) { put(static_cast<uint32_t>(n)); }
  void bytes(const void* data, size_t n) {
    const auto* at = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), at, at + n);
  }
  std::vector<uint8_t>& out_;
};

// Reads what Writer wrote. After a read past the end (or a count larger than the bytes left),
// ok() is false and every later read leaves its value as it was.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : begin_(data), at_(data), end_(data + size) {}
  bool ok() const { return ok_; }

  template <class T>
  void get(T& value) {
    if constexpr (std::is_same_v<T, bool>) {  // any byte but 0 is true, as a bool must be
      uint8_t byte = value;
      get(byte);
      value = byte != 0;
    } else if constexpr (kRawBytes<T>) {
      if (take(sizeof value)) std::memcpy(&value, at_ - sizeof value, sizeof value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      const uint32_t n = count(1);
      if (ok_) value.assign(reinterpret_cast<const char*>(at_), n), at_ += n;
    } else if constexpr (IsVector<T>::value) {
      using Element = typename T::value_type;
      if constexpr (kRawBytes<Element>) {
        const uint32_t n = get<uint32_t>();
        const size_t padding =
            (sizeof(Element) - (at_ - begin_) % sizeof(Element)) % sizeof(Element);
        if (!take(padding)) return;
        if (n > static_cast<size_t>(end_ - at_) / sizeof(Element)) {
          ok_ = false;
          return;
        }
        // In place (the message starts aligned, as malloc's do): one copy, without the zero fill
        // of resize first, which at 100,000 steps costs more than the copy.
        if (reinterpret_cast<uintptr_t>(at_) % alignof(Element) == 0) {
          const auto* first = reinterpret_cast<const Element*>(at_);
          value.assign(first, first + n);
        } else {
          value.resize(n);
          if (n > 0) std::memcpy(value.data(), at_, n * sizeof(Element));  // data() may be null
        }
        at_ += n * sizeof(Element);
      } else {
        const uint32_t n = count(1);
        if (!ok_) return;
        value.assign(n, Element());
        for (Element& element : value) get(element);
      }
    } else {
      value.visit([&](const char*, auto& field) { get(field); });
    }
  }
  template <class T>
  T get() {
    T value{};
    get(value);
    return value;
  }

 private:
  // A count of elements of at least `element_bytes` bytes each: no more than the bytes left.
  uint32_t count(size_t element_bytes) {
    uint32_t n = 0;
    get(n);
    if (ok_ && n > static_cast<size_t>(end_ - at_) / element_bytes) ok_ = false;
    return ok_ ? n : 0;
  }
  bool take(size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - at_) < n) return ok_ = false;
    at_ += n;
    return true;
  }
  const uint8_t* begin_;
  const uint8_t* at_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace wire
