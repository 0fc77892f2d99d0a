// One encoding of a number for every output (the CLI's CSV, the JSON exports, the page), so that
// a number is a number, zero is zero and overflow is overflow:
//   a finite value              its digits (10 significant)
//   exactly zero, as a log10    -inf: an empty CSV field, JSON null (e.g. behind dead ReLUs)
//   left the representable range NaN or +inf: the CSV field "overflow", the JSON string "overflow"
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gs {

enum class NumberKind { Number, Zero, Overflow };

// For log10 magnitudes: -inf is an exactly zero quantity; NaN and +inf are overflow.
inline NumberKind log10_kind(double log10_value) {
  if (std::isfinite(log10_value)) return NumberKind::Number;
  return log10_value == -INFINITY ? NumberKind::Zero : NumberKind::Overflow;
}

// For plain values (a loss, a norm): anything not finite is overflow.
inline NumberKind value_kind(double value) {
  return std::isfinite(value) ? NumberKind::Number : NumberKind::Overflow;
}

inline std::string format_number(double value, NumberKind kind) {
  if (kind == NumberKind::Zero) return "";
  if (kind == NumberKind::Overflow) return "overflow";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}
inline std::string format_log10(double v) { return format_number(v, log10_kind(v)); }

// The shortest text that reads back as the same double (up to 17 significant digits), for
// numbers that must be recomputable exactly (the configuration's text, the cliff's grid and
// values); anything not finite is "overflow".
inline std::string format_exact(double value) {
  if (!std::isfinite(value)) return "overflow";
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}
inline std::string format_value(double v) { return format_number(v, value_kind(v)); }

// The same for a JSON library's value type (nlohmann::json in cli/ and web/): null, the string
// "overflow", or the number.
template <class Json>
Json json_number(double value, NumberKind kind) {
  if (kind == NumberKind::Zero) return Json(nullptr);
  if (kind == NumberKind::Overflow) return Json("overflow");
  return Json(value);
}
template <class Json>
Json json_log10(double v) {
  return json_number<Json>(v, log10_kind(v));
}
template <class Json>
Json json_value(double v) {
  return json_number<Json>(v, value_kind(v));
}

}  // namespace gs
