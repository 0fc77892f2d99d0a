// libFuzzer target for the configuration vocabulary (core/model/config.h), `make fuzz`.
//
// For any input text, over the default Config and over a base config with every key changed:
// - parse_config: on success, parse_config(to_text(c)) succeeds, over a default Config and over
//   the base alike, and gives back exactly c (the same to_text, every field equal, doubles bit
//   for bit); to_text agrees with config_pairs. On failure the config is untouched and the error
//   is one line (no '\n' or '\r') of at most kMaxErrorLength characters.
// - set_config_value(key, input) for every key, and (key, value) split at the input's first '=':
//   on success, setting the key to its canonical text (config_pairs) over the same start gives
//   back exactly the same config; on failure the same as above.
// A violated property prints what failed and aborts, which libFuzzer reports as a crash and saves
// the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "model/config.h"
#include "../unit/config_samples.h"

using namespace gs;

namespace {

// An error quotes at most two values of at most 80 characters, each byte possibly escaped
// (\xNN, 4 characters), plus its fixed text: anything longer means a value was quoted whole.
const size_t kMaxErrorLength = 640;

[[noreturn]] void fail(const char* what, const std::string& input, const std::string& detail) {
  std::fprintf(stderr, "config_fuzz: %s\n  input:  \"", what);
  for (unsigned char ch : input) {
    if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
      std::fputc(ch, stderr);
    else
      std::fprintf(stderr, "\\x%02x", ch);
  }
  std::fprintf(stderr, "\"\n  detail: %s\n", detail.c_str());
  std::abort();
}

void check_error(const std::string& error, const std::string& input) {
  if (error.find('\n') != std::string::npos || error.find('\r') != std::string::npos)
    fail("the error is more than one line", input, error);
  if (error.size() > kMaxErrorLength)
    fail("the error is too long", input,
         std::to_string(error.size()) + " characters: " + error.substr(0, 200) + "...");
}

void check_unchanged(const Config& before, const Config& after, const std::string& input) {
  if (!same_config(before, after) || to_text(before) != to_text(after))
    fail("a failed call changed the config", input, to_text(before) + " -> " + to_text(after));
}

void check_canonical(const Config& c, const std::string& input) {
  const std::string text = to_text(c);
  std::string joined;
  for (const auto& [key, value] : config_pairs(c))
    joined += (joined.empty() ? "" : "&") + key + "=" + value;
  if (joined != text) fail("config_pairs disagrees with to_text", input, joined + " vs " + text);
}

// parse_config(to_text(c)) over `start` succeeds and gives back exactly c.
void check_round_trip(const Config& c, const Config& start, const std::string& input) {
  const std::string text = to_text(c);
  Config again = start;
  const std::string error = parse_config(again, text);
  if (!error.empty()) fail("parse_config(to_text(c)) fails", input, text + " -> " + error);
  if (to_text(again) != text)
    fail("parse_config(to_text(c)) gives another text", input, text + " -> " + to_text(again));
  if (!same_config(again, c)) fail("parse_config(to_text(c)) gives other fields", input, text);
}

const Config& base_config() {
  static const Config base = [] {
    // Every key changed from its default (made from the table of keys), so a key that to_text
    // forgets or parse_config ignores shows up as a difference.
    std::string error;
    const std::string text = gs_samples::every_key_changed_text(error);
    if (!error.empty()) fail("no base config with every key changed", text, error);
    Config c;
    error = parse_config(c, text);
    if (!error.empty()) fail("the base config does not parse", text, error);
    const auto defaults = config_pairs(Config());
    const auto changed = config_pairs(c);
    for (size_t i = 0; i < defaults.size(); ++i)
      if (defaults[i].second == changed[i].second)
        fail("the base config leaves a key at its default", text, defaults[i].first);
    return c;
  }();
  return base;
}

void fuzz_parse(const Config& start, const std::string& input) {
  Config c = start;
  const std::string error = parse_config(c, input);
  if (!error.empty()) {
    check_error(error, input);
    check_unchanged(start, c, input);
    return;
  }
  check_canonical(c, input);
  check_round_trip(c, Config(), input);
  check_round_trip(c, base_config(), input);
}

void fuzz_set(const Config& start, const std::string& key, const std::string& value,
              const std::string& input) {
  Config c = start;
  const std::string error = set_config_value(c, key, value);
  if (!error.empty()) {
    check_error(error, input);
    check_unchanged(start, c, input);
    return;
  }
  check_canonical(c, input);
  std::string canonical;
  bool found = false;
  for (const auto& [k, v] : config_pairs(c))
    if (k == key) canonical = v, found = true;
  if (!found) fail("set_config_value accepted a key config_pairs lacks", input, key);
  Config again = start;
  const std::string again_error = set_config_value(again, key, canonical);
  if (!again_error.empty())
    fail("the canonical value is refused", input, key + "=" + canonical + " -> " + again_error);
  if (!same_config(again, c) || to_text(again) != to_text(c))
    fail("the canonical value sets another config", input, key + "=" + canonical);
  // Whole configs that also pass validation must round-trip through the text as well.
  if (validate_config(c).empty()) {
    check_round_trip(c, Config(), input);
    check_round_trip(c, base_config(), input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (const Config& start : {Config(), base_config()}) {
    fuzz_parse(start, input);
    for (const ConfigKey& key : config_keys()) fuzz_set(start, key.name, input, input);
    const size_t equals = input.find('=');
    if (equals != std::string::npos)
      fuzz_set(start, input.substr(0, equals), input.substr(equals + 1), input);
  }
  return 0;
}
