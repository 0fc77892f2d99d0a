// Values of the configuration's keys for the tests, made from the table of keys (core/model/config.h),
// so that a test of "every key" covers a key added later without being edited. No doctest here:
// the fuzz target (tests/fuzz/config_fuzz.cpp) includes it too.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/config.h"
#include "io/number_format.h"

namespace gs_samples {

// Texts to try as another value of `key` than its value in `config`: the slider's ends, then the
// valid range's ends (numbers); every name (enums); the cells `config` lacks, then each cell alone;
// two lengths.
inline std::vector<std::string> candidate_values(const gs::ConfigKey& key,
                                                 const gs::Config& config) {
  const bool integer = key.type != gs::KeyType::Real;
  auto number = [&](double x) {
    return integer ? std::to_string(static_cast<long long>(x)) : gs::format_exact(x);
  };
  std::vector<std::string> texts;
  switch (key.type) {
    case gs::KeyType::Int:
    case gs::KeyType::Uint64:
    case gs::KeyType::Real:
      if (key.control.max > key.control.min)
        texts = {number(key.control.min), number(key.control.max)};
      texts.push_back(number(key.range.max));
      texts.push_back(number(key.range.min_open ? (key.range.min + key.range.max) / 2
                                                : key.range.min));
      break;
    case gs::KeyType::Enum:
      for (int i = 0; i < key.names->count; ++i) texts.push_back(key.names->names[i]);
      break;
    case gs::KeyType::CellList: {
      const std::string present = "," + gs::config_value_text(key, config) + ",";
      std::string missing;
      for (int i = 0; i < key.names->count; ++i)
        if (present.find("," + std::string(key.names->names[i]) + ",") == std::string::npos)
          missing += (missing.empty() ? "" : ",") + std::string(key.names->names[i]);
      texts.push_back(missing);
      for (int i = 0; i < key.names->count; ++i) texts.push_back(key.names->names[i]);
      break;
    }
    case gs::KeyType::IntList: {
      const long long lo = static_cast<long long>(key.range.min);
      texts = {std::to_string(lo + 4) + "," + std::to_string(lo + 49),
               std::to_string(lo + 9) + "," + std::to_string(lo + 99)};
      break;
    }
  }
  return texts;
}

// A value of `key` that set_config_value accepts over `config` and that changes the key's
// canonical text, or "" if no candidate does; one that also leaves the whole configuration valid
// (validate_config: scale=0 with the LRU is not) where a candidate does.
inline std::string other_value(const gs::ConfigKey& key, const gs::Config& config) {
  const std::string now = gs::config_value_text(key, config);
  std::string accepted;
  for (const std::string& text : candidate_values(key, config)) {
    gs::Config changed = config;
    if (gs::set_config_value(changed, key.name, text).empty() &&
        gs::config_value_text(key, changed) != now) {
      if (gs::validate_config(changed).empty()) return text;
      if (accepted.empty()) accepted = text;
    }
  }
  return accepted;
}

// The default config with every key changed (other_value, key after key), or "" and the reason
// in `error`: a base over which a key that the parser ignores or to_text forgets shows up.
inline std::string every_key_changed_text(std::string& error) {
  gs::Config config;
  std::string text;
  for (const gs::ConfigKey& key : gs::config_keys()) {
    const std::string value = other_value(key, config);
    if (value.empty()) {
      error = std::string("no other value for ") + key.name;
      return "";
    }
    gs::set_config_value(config, key.name, value);
    text += (text.empty() ? "" : "&") + std::string(key.name) + "=" + value;
  }
  error = gs::validate_config(config);
  return error.empty() ? text : "";
}

// A random value of `key` as text: mostly within the page's slider (log-uniform on a logarithmic
// one), sometimes anywhere in the valid range, sometimes 0 where 0 means "off"; any name, any
// nonempty set of cells, 1 to 6 increasing lengths.
inline std::string random_value(const gs::ConfigKey& key, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const bool integer = key.type != gs::KeyType::Real;
  switch (key.type) {
    case gs::KeyType::Int:
    case gs::KeyType::Uint64:
    case gs::KeyType::Real: {
      if (key.range.zero && pick(4) == 0) return "0";
      if (key.type == gs::KeyType::Uint64)
        return std::to_string(rng() >> 11);  // [0, 2^53)
      const gs::KeyRange& r = key.range;
      double lo = r.min, hi = r.max, x = 0;
      const bool slider = key.control.max > key.control.min && pick(4) != 0;
      if (slider) lo = std::max(lo, key.control.min), hi = std::min(hi, key.control.max);
      if (slider && key.control.log) {
        const double floor = std::max(lo, integer ? 1.0 : 1e-12);
        x = floor * std::pow(hi / floor, unit(rng));
      } else {
        x = lo + (hi - lo) * unit(rng);
      }
      if (integer) x = std::round(x);
      if (x < r.min || (r.min_open && x <= r.min) || x > r.max) x = r.max;
      return integer ? std::to_string(static_cast<long long>(x)) : gs::format_exact(x);
    }
    case gs::KeyType::Enum: return key.names->names[pick(key.names->count)];
    case gs::KeyType::CellList: {
      const int first = pick(key.names->count);
      std::string text = key.names->names[first];
      for (int i = 0; i < key.names->count; ++i)
        if (i != first && pick(3) == 0) text += "," + std::string(key.names->names[i]);
      return text;
    }
    case gs::KeyType::IntList: {
      std::vector<long long> items;
      for (int n = 1 + pick(6); n > 0; --n)
        items.push_back(std::llround(key.range.min * std::pow(key.range.max / key.range.min,
                                                                unit(rng))));
      std::sort(items.begin(), items.end());
      std::string text;
      for (size_t i = 0; i < items.size(); ++i)
        if (i == 0 || items[i] != items[i - 1])
          text += (text.empty() ? "" : ",") + std::to_string(items[i]);
      return text;
    }
  }
  return "";
}

// A random whole configuration as text, every key in the table's order.
inline std::string random_config_text(std::mt19937_64& rng) {
  std::string text;
  for (const gs::ConfigKey& key : gs::config_keys())
    text += (text.empty() ? "" : "&") + std::string(key.name) + "=" + random_value(key, rng);
  return text;
}

}  // namespace gs_samples
