// The worker's message format (web/worker/wire.h): every record the messages carry comes back
// from its bytes as it was written, field by field, and a message cut short is refused without
// reading past its end.
#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "worker/results.h"
#include "worker/wire.h"

namespace {

using wire::IsVector;
using wire::Reader;
using wire::Writer;

// Gives every field of a default record a value of its own, none a default (numbers 100, 101,
// ...; a cell kind other than the first; bools flipped; "s104"; vectors of two), so that a field
// read into the wrong place, or not at all, shows.
struct Filler {
  int next = 100;
  template <class T>
  void fill(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      value = !value;
    } else if constexpr (std::is_enum_v<T>) {
      value = static_cast<T>(1 + next++ % 5);
    } else if constexpr (std::is_arithmetic_v<T>) {
      value = static_cast<T>(next++);
    } else if constexpr (std::is_same_v<T, std::string>) {
      value = "s" + std::to_string(next++);
    } else if constexpr (IsVector<T>::value) {
      value.resize(2);
      for (auto& element : value) fill(element);
    } else {
      value.visit([this](const char*, auto& field) { fill(field); });
    }
  }
};

// The names a record's visit lists.
template <class T>
std::vector<std::string> field_names(T& record) {
  std::vector<std::string> names;
  record.visit([&](const char* name, auto&) { names.push_back(name); });
  return names;
}

template <class T>
std::vector<uint8_t> bytes_of(const T& record) {
  std::vector<uint8_t> bytes;
  Writer(bytes).put(record);
  return bytes;
}

// Each field's bytes, in the visit's order.
template <class T>
std::vector<std::vector<uint8_t>> field_bytes(T& record) {
  std::vector<std::vector<uint8_t>> fields;
  record.visit([&](const char*, auto& field) { fields.push_back(bytes_of(field)); });
  return fields;
}

// Writes a filled record, reads it into a default one, and checks each field came back (its own
// bytes, field by field, differing from the default's), then the whole record's.
template <class T>
void round_trip(const char* type) {
  INFO(type);
  T written;
  Filler().fill(written);
  const std::vector<uint8_t> bytes = bytes_of(written);
  T read;
  Reader reader(bytes.data(), bytes.size());
  reader.get(read);
  REQUIRE(reader.ok());
  T blank;
  const auto written_fields = field_bytes(written), read_fields = field_bytes(read),
             blank_fields = field_bytes(blank);
  const std::vector<std::string> names = field_names(written);
  REQUIRE(read_fields.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(read_fields[i] == written_fields[i]);
    CHECK(read_fields[i] != blank_fields[i]);
  }
  CHECK(bytes_of(read) == bytes);
  // every shorter message is refused, and reading it stays within its bytes
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    T partial;
    Reader short_reader(bytes.data(), cut);
    short_reader.get(partial);
    CHECK_FALSE(short_reader.ok());
  }
}

}  // namespace

TEST_CASE("every record the worker sends comes back from its bytes, field by field") {
  round_trip<gs::ProbeAnalysis>("ProbeAnalysis");
  round_trip<gs::SweepPoint>("SweepPoint");
  round_trip<gs::TrainRecord>("TrainRecord");
  round_trip<gs::CriticalRun>("CriticalRun");
  round_trip<gs::CriticalShare>("CriticalShare");
  round_trip<gs::CriticalCell>("CriticalCell");
  round_trip<DecayResult>("DecayResult");
  round_trip<StepSeries>("StepSeries");
  round_trip<WhyResult>("WhyResult");
  round_trip<TrainabilityResult>("TrainabilityResult");
  round_trip<CliffPath>("CliffPath");
}

TEST_CASE("a count larger than the bytes left is refused before anything is allocated") {
  std::vector<uint8_t> bytes;
  Writer(bytes).put<uint32_t>(0xFFFFFFFFu);  // a vector of 4 billion doubles, and no bytes
  std::vector<double> values = {7.0};
  Reader reader(bytes.data(), bytes.size());
  reader.get(values);
  CHECK_FALSE(reader.ok());
  CHECK(values == std::vector<double>{7.0});  // left as it was
}
