#include "io/shown_text.h"

#include <cstdio>

namespace gs {
namespace {

std::string escaped_byte(unsigned char byte) {
  switch (byte) {
    case '\r': return "\\r";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\\': return "\\\\";
  }
  char out[8];
  std::snprintf(out, sizeof out, "\\x%02x", byte);
  return out;
}

// The length of the valid UTF-8 sequence at text[at] (1..4), or 0 if none starts there
// (overlong forms, surrogates and code points above U+10FFFF are not valid).
size_t utf8_length(const std::string& text, size_t at, char32_t& code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < min || code_point > 0x10FFFF || surrogate) return 0;
  return length;
}

// Characters that move the cursor, end a line or reorder what follows.
bool is_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// shown_text of the whole characters in text's first `max_bytes` bytes.
std::string shown_prefix(const std::string& text, size_t max_bytes, size_t& consumed) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    char32_t c = 0;
    const size_t length = utf8_length(text, at, c);
    if (at + (length ? length : 1) > max_bytes) break;  // never half a character
    if (length == 0 || is_control(c) || c == '\\') {
      // an invalid byte, or every byte of a control character, escaped on its own
      for (size_t i = 0; i < (length ? length : 1); ++i)
        out += escaped_byte(static_cast<unsigned char>(text[at + i]));
      at += length ? length : 1;
    } else {
      out.append(text, at, length);
      at += length;
    }
  }
  consumed = at;
  return out;
}

std::string shown_cut(const std::string& text, size_t max_bytes) {
  size_t consumed = 0;
  std::string out = shown_prefix(text, max_bytes, consumed);
  if (consumed < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace

std::string shown_text(const std::string& text) {
  size_t consumed = 0;
  return shown_prefix(text, text.size(), consumed);
}

std::string excerpt(const std::string& text) { return shown_cut(text, 80); }

std::string path_text(const std::string& path) { return shown_cut(path, 4096); }

}  // namespace gs
