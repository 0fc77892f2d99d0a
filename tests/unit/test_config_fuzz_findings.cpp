// What the config fuzzer (tests/fuzz/config_fuzz.cpp, `make fuzz`) found, kept as properties
// rather than exact messages: every accepted number comes back through to_text, and an error
// is one line of bounded length whatever the value holds.
#include <doctest/doctest.h>

#include <string>

#include "model/config.h"

using namespace gs;

TEST_CASE("subnormal numbers are accepted and come back through to_text") {
  // to_text writes the smallest subnormal as 5e-324, which glibc's strtod flags with ERANGE.
  for (const char* text : {"lr=5e-324", "momentum=1e-310", "clip=2.5e-320", "scale=4.9e-324",
                           "forget_bias=-4e-320"}) {
    CAPTURE(text);
    Config config;
    REQUIRE(parse_config(config, text) == "");
    Config again;
    REQUIRE(parse_config(again, to_text(config)) == "");
    CHECK(to_text(again) == to_text(config));
  }
  Config config;
  CHECK(parse_config(config, "lr=5e-324") == "");
  CHECK(config.lr == 0x1p-1074);
  // Hexadecimal is not the vocabulary's (to_text never writes it): refused, not misread.
  CHECK(parse_config(config, "lr=0x1p-1074") == "lr=0x1p-1074 is invalid: expected a number in (0, 10]");
  // Still refused: what would be stored as 0 or as infinity.
  CHECK(parse_config(config, "lr=1e-400") != "");
  CHECK(parse_config(config, "momentum=1e-400") != "");
  CHECK(parse_config(config, "clip=1e400") != "");
  CHECK(config.lr == 0x1p-1074);
}

TEST_CASE("an error quotes a value on one line and at bounded length") {
  Config config;
  const std::string errors[] = {
      set_config_value(config, "length", "5\rhidden=2"),
      set_config_value(config, "cell", "lstm\ngru"),
      set_config_value(config, "hidden\n", "3"),
      set_config_value(config, "cell", std::string(10000, 'x')),
      set_config_value(config, std::string(10000, 'k'), "1"),
      parse_config(config, std::string(10000, 'k')),
      parse_config(config, "hidden=" + std::string(10000, '9')),
  };
  for (const std::string& error : errors) {
    CAPTURE(error);
    CHECK(error != "");
    CHECK(error.find('\n') == std::string::npos);
    CHECK(error.find('\r') == std::string::npos);
    CHECK(error.size() <= 640);
  }
  CHECK(errors[0].rfind("length=5", 0) == 0);  // still names the key and the value's start
}
