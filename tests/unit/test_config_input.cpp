// What the configuration accepts from a user (issue 11): every accepted value reads back the
// same through its canonical text, error messages quote user text in bounded, printable form,
// and the memory limits hold exactly at their edges.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/config.h"
#include "config_samples.h"

using namespace gs;

namespace {

// A base config with every key changed from its default (made from the table of keys).
const std::string& other_base_text() {
  static std::string error;
  static const std::string text = gs_samples::every_key_changed_text(error);
  REQUIRE(error == "");
  return text;
}

// parse_config(to_text(c)) succeeds and gives c back, over the default base and another one.
void check_round_trip(const Config& c) {
  const std::string text = to_text(c);
  for (const std::string& base_text : {std::string(), other_base_text()}) {
    Config again;
    REQUIRE(parse_config(again, base_text) == "");
    INFO(text);
    REQUIRE(parse_config(again, text) == "");
    CHECK(same_config(again, c));  // every field, doubles to the bit (-0 and 0 differ)
    CHECK(to_text(again) == text);
  }
}

// Sets key=value over `base` as parse_config does (set_config_value, then validate_config; no
// splitting, so values with spaces are tried too). Accepted: the result round-trips. Refused:
// `base` is unchanged and a refused value is named with its key. Returns whether accepted.
bool try_value(const Config& base, const std::string& key, const std::string& value) {
  Config c = base;
  const std::string before = to_text(c);
  std::string error = set_config_value(c, key, value);
  INFO(key << "=" << excerpt(value) << " over " << before);
  if (!error.empty()) {
    CHECK(to_text(c) == before);
    CHECK(error.rfind(key + "=", 0) == 0);
    return false;
  }
  if (!validate_config(c).empty()) return false;
  check_round_trip(c);
  return true;
}

std::string g17(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

std::string shortest(double x) {
  char buffer[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
    if (std::strtod(buffer, nullptr) == x) break;
  }
  return buffer;
}

struct Range {
  std::string key;
  double lo, hi;
  bool integer;
};

// Every numeric key with its range, from the table of keys.
std::vector<Range> numeric_ranges() {
  std::vector<Range> ranges;
  for (const ConfigKey& key : config_keys())
    if (key.type == KeyType::Int || key.type == KeyType::Uint64 || key.type == KeyType::Real)
      ranges.push_back({key.name, key.range.min, key.range.max, key.type != KeyType::Real});
  return ranges;
}

// Text every number key is tried with: edges of every syntax and of double's range.
const char* kNumberTexts[] = {
    "0",
    "-0",
    "+0",
    "0.0",
    "-0.0",
    "00",
    "1",
    "+1",
    "01",
    ".5",
    "5.",
    "1e2",
    "1E2",
    "1e+2",
    "1e-2",
    "-1",
    "2",
    "64",
    "65",
    "1024",
    "1025",
    "4096",
    "100000",
    "100001",
    "1000000",
    "1000001",
    "100.0000000000001",
    "0.999",
    "0.9990000000000001",
    "9.999999999999998",
    "10.000000000000002",
    "20",
    "-20",
    "-20.000000000000004",
    "1e9",
    "1000000001",
    "1e-320",
    "4.9406564584124654e-324",
    "5e-324",
    "2.2250738585072014e-308",
    "2.2250738585072009e-308",
    "1e-310",
    "-1e-310",
    "1e-400",
    "-1e-400",
    "0e-400",
    "1e400",
    "-1e400",
    "1.7976931348623157e308",
    "0x1p-1074",
    "0x10",
    "0X1P3",
    "0x",
    "nan",
    "NaN",
    "-nan",
    "nan(0x1)",
    "inf",
    "-inf",
    "Infinity",
    "infinity",
    "1e",
    "e5",
    "1e+",
    ".",
    "-",
    "+",
    "",
    " 1",
    "1 ",
    "\v1",
    "\f1",
    "1\v",
    "1,5",
    "0b1",
    "1_000",
    "1'000",
    "\xd9\xa1",
    "9007199254740992",
    "9007199254740993",
    "99999999999999999999",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "1e15",
    "123456789012345678",
    "0.1000000000000000055511151231257827",
    "3.0000000000000004",
};

}  // namespace

TEST_CASE("every accepted number reads back the same: edges, subnormals, hex, huge, nan, inf") {
  Config other;
  REQUIRE(parse_config(other, other_base_text()) == "");
  int accepted = 0, refused = 0;
  for (const Config& base : {Config(), other})
    for (const Range& range : numeric_ranges()) {
      std::vector<std::string> texts(std::begin(kNumberTexts), std::end(kNumberTexts));
      const double inf = std::numeric_limits<double>::infinity();
      for (double edge : {range.lo, range.hi}) {
        texts.push_back(g17(edge));
        texts.push_back(g17(std::nextafter(edge, inf)));
        texts.push_back(g17(std::nextafter(edge, -inf)));
        if (range.integer) {
          texts.push_back(std::to_string(static_cast<long long>(edge) - 1));
          texts.push_back(std::to_string(static_cast<long long>(edge) + 1));
        }
      }
      for (const std::string& text : texts)
        (try_value(base, range.key, text) ? accepted : refused)++;
    }
  CHECK(accepted > 100);
  CHECK(refused > 1000);
}

TEST_CASE("random numbers in and out of every key's range read back the same") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0, 1);
  Config other;
  REQUIRE(parse_config(other, other_base_text()) == "");
  int accepted = 0;
  for (const Range& range : numeric_ranges())
    for (int i = 0; i < 300; ++i) {
      const double in_range = range.lo + (range.hi - range.lo) * unit(rng);
      const double magnitude = std::pow(10.0, -320 + 330 * unit(rng));  // 1e-320 .. 1e10
      uint64_t bits = rng();
      double any;
      std::memcpy(&any, &bits, sizeof any);  // any double at all, NaN and inf included
      std::vector<std::string> texts = {g17(in_range), shortest(in_range), g17(magnitude),
                                        shortest(-magnitude), g17(any)};
      if (range.integer) texts.push_back(std::to_string(static_cast<long long>(in_range)));
      for (const std::string& text : texts)
        accepted += try_value(i % 2 ? other : Config(), range.key, text);
    }
  CHECK(accepted > 1000);
}

TEST_CASE("random whole configurations round-trip") {
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = gs_samples::random_config_text(rng);  // every key of the table
    Config c;
    if (parse_config(c, text) != "") continue;  // over a memory limit: refused as a whole
    ++accepted;
    check_round_trip(c);
  }
  CHECK(accepted > 500);
}

TEST_CASE("the parsing decisions: plain decimals only, subnormals kept, -0 is 0") {
  Config config;
  CHECK(parse_config(config, "lr=0x1p-1074") ==
        "lr=0x1p-1074 is invalid: expected a number in (0, 10]");
  CHECK(parse_config(config, "scale=0x10") ==
        "scale=0x10 is invalid: expected a number in [0, 100]");
  CHECK(parse_config(config, "scale=inf") == "scale=inf is invalid: expected a number in [0, 100]");
  CHECK(parse_config(config, "scale=1e400") ==
        "scale=1e400 is invalid: expected a number in [0, 100]");
  CHECK(parse_config(config, "scale=1e-400") ==  // underflows to 0: not what was asked for
        "scale=1e-400 is invalid: expected a number in [0, 100]");
  CHECK(parse_config(config, "hidden=\v5") ==
        "hidden=\\x0b5 is invalid: expected an integer in [1, 1024]");
  CHECK(parse_config(config, "seed=9007199254740993") ==
        "seed=9007199254740993 is invalid: expected an integer in [0, 9007199254740992]");
  CHECK(parse_config(config, "iters=99999999999999999999") ==
        "iters=99999999999999999999 is invalid: expected an integer in [1, 1000000]");
  REQUIRE(parse_config(config, "lr=5e-324&scale=-0&forget_bias=-0.0&hidden=+08") == "");
  CHECK(config.lr == std::numeric_limits<double>::denorm_min());
  CHECK_FALSE(std::signbit(config.scale));
  CHECK_FALSE(std::signbit(config.forget_bias));
  CHECK(config.hidden == 8);
  CHECK(to_text(config).find("&scale=0&") != std::string::npos);
  CHECK(to_text(config).find("&lr=5e-324&") != std::string::npos);
  check_round_trip(config);
}

TEST_CASE("error messages quote at most 80 bytes of user text, non-printable bytes escaped") {
  const std::string junk(1000000, 'x'), head(80, 'x');
  Config config;
  const std::string before = to_text(config);
  CHECK(parse_config(config, "hidden=" + junk) ==
        "hidden=" + head + "... (1000000 bytes) is invalid: expected an integer in [1, 1024]");
  CHECK(parse_config(config, junk + "=1")
            .rfind("unknown key '" + head + "... (1000000 bytes)' (known keys: cell, hidden,", 0) ==
        0);
  CHECK(parse_config(config, junk) ==
        "'" + head + "... (1000000 bytes)' is not a key=value pair (no spaces around '=')");
  CHECK(parse_config(config, "cell=lstm\x01\x1b[2J\x7f\x80\xff\\") ==
        "cell=lstm\\x01\\x1b[2J\\x7f\\x80\\xff\\\\ is invalid: expected a comma list of "
        "rnn-tanh, rnn-relu, rnn-sigmoid, rnn-identity, lstm, gru, mingru, minlstm, lru");
  CHECK(parse_config(config,
                     "hid\x1b"
                     "den=3")
            .rfind("unknown key 'hid\\x1bden' (known keys:", 0) == 0);
  CHECK(parse_config(config, "lengths=10,\x01") ==
        "lengths=10,\\x01 is invalid: expected a comma list of integers in [1, 100000]");
  CHECK(to_text(config) == before);
  CHECK(excerpt("a\rb\nc\td\\e") == "a\\rb\\nc\\td\\\\e");
  CHECK(excerpt(std::string(80, 'y')) == std::string(80, 'y'));
  CHECK(excerpt(std::string(81, 'y')) == std::string(80, 'y') + "... (81 bytes)");
}

TEST_CASE("quoted text keeps valid UTF-8 and escapes what could break a line or a terminal") {
  CHECK(shown_text("perch\xc3\xa9/Universit\xc3\xa0 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "perch\xc3\xa9/Universit\xc3\xa0 \xe2\x82\xac \xf0\x9f\x98\x80");
  // invalid UTF-8: a lone continuation byte, a cut sequence, an overlong '/', a surrogate
  CHECK(shown_text("a\x80"
                   "b\xc3") == "a\\x80b\\xc3");
  CHECK(shown_text("\xc0\xaf\xed\xa0\x80") == "\\xc0\\xaf\\xed\\xa0\\x80");
  // C1 controls (U+0085 next line, U+009B CSI), the line separator, a bidi override
  CHECK(shown_text("x\xc2\x85y\xc2\x9b\xe2\x80\xa8\xe2\x80\xae") ==
        "x\\xc2\\x85y\\xc2\\x9b\\xe2\\x80\\xa8\\xe2\\x80\\xae");
  CHECK(shown_text("\x1b[2J\x7f\r\n\t\\") == "\\x1b[2J\\x7f\\r\\n\\t\\\\");
  // an excerpt is cut before a character that would cross its 80 bytes
  CHECK(excerpt(std::string(79, 'y') + "\xc3\xa9") == std::string(79, 'y') + "... (81 bytes)");
  CHECK(excerpt(std::string(78, 'y') + "\xc3\xa9") == std::string(78, 'y') + "\xc3\xa9");
  // a path is whole up to PATH_MAX (4096 bytes), however deep
  const std::string deep = "/home/studente/Universit\xc3\xa0/" + std::string(4000, 'd') + "/m.st";
  CHECK(path_text(deep) == deep);
  CHECK(path_text(std::string(4097, 'p')) == std::string(4096, 'p') + "... (4097 bytes)");
}

TEST_CASE("memory limits: one sequence's BPTT, exactly at the edge") {
  Config config;
  // steps x (hidden + 10) <= 5000000
  CHECK(parse_config(config, "hidden=40&length=100000") == "");
  CHECK(parse_config(config, "hidden=41&length=100000") ==
        "length=100000 with hidden=41 is too large: length x (hidden + 10) must be <= 5000000 "
        "(BPTT keeps every step)");
  CHECK(parse_config(config, "task=copy&hidden=40&length=99980") == "");  // 100000 steps
  CHECK(parse_config(config, "task=copy&hidden=40&length=99981") ==
        "length=99981 with hidden=40 is too large: (length + 20) x (hidden + 10) must be <= "
        "5000000 (BPTT keeps every step)");
  CHECK(parse_config(config, "task=adding&length=10&hidden=1024&lengths=10,4835") == "");
  CHECK(parse_config(config, "hidden=1024&lengths=10,4836") ==
        "lengths=10,4836 with hidden=1024 is too large: length x (hidden + 10) must be <= "
        "5000000 for every length (BPTT keeps every step)");
}

TEST_CASE("memory limits: a minibatch pass for every cell, exactly at the edge") {
  Config config;
  // cells x (steps x batch + 2 hidden) x (hidden + 10) <= 4000000
  REQUIRE(parse_config(config, "cell=rnn-tanh&hidden=30&length=99940&batch=1") == "");
  CHECK(validate_for_training(config) == "");  // 1 x (99940 + 60) x 40 = 4000000
  REQUIRE(parse_config(config, "length=99941") == "");
  CHECK(validate_for_training(config) ==
        "length=99941, hidden=30 and batch=1 are too large to train one cell: (length x batch + "
        "2 x hidden) x (hidden + 10) must be <= 4000000 (BPTT keeps every step of every "
        "sequence, and the weights 4 times)");
  // The shape that used to die of std::bad_alloc in `gradscope bench`:
  REQUIRE(parse_config(config, "cell=rnn-tanh,lstm,gru&batch=4096&hidden=40&length=100000") == "");
  CHECK(validate_for_training(config) ==
        "length=100000, hidden=40 and batch=4096 with 3 cells are too large to train: cells x "
        "(length x batch + 2 x hidden) x (hidden + 10) must be <= 4000000 (BPTT keeps every step "
        "of every sequence, and the weights 4 times)");
  // The weights count: one LSTM at hidden 1024 trains 1820 steps x sequences at most.
  REQUIRE(parse_config(config, "cell=lstm&hidden=1024&length=1820&batch=1") == "");
  CHECK(validate_for_training(config) == "");
  REQUIRE(parse_config(config, "length=1821") == "");
  CHECK(validate_for_training(config) != "");
  // copy counts its 20 extra steps; the shapes of `make bench` and the page's defaults fit.
  REQUIRE(parse_config(config, "cell=gru&task=copy&hidden=30&length=99920&batch=1") == "");
  CHECK(validate_for_training(config) == "");
  REQUIRE(parse_config(config, "length=99921") == "");
  CHECK(validate_for_training(config).find("((length + 20) x batch") != std::string::npos);
  Config page;
  CHECK(validate_for_training(page) == "");
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,lstm,gru&hidden=128&length=200&batch=32&task=adding") == "");
  CHECK(validate_for_training(config) == "");
}

TEST_CASE("limits_help names every limit with its number") {
  const std::string probe = limits_help(false), training = limits_help(true);
  CHECK(probe.find("steps x (hidden + 10) <= 5000000") != std::string::npos);
  CHECK(probe.find("cells x seeds x sequences x length <= 2000000") != std::string::npos);
  CHECK(probe.find("hidden <= 256 if radius > 0") != std::string::npos);
  CHECK(probe.find("batch") == std::string::npos);
  CHECK(training.rfind(probe, 0) == 0);
  CHECK(training.find("cells x (steps x batch + 2 x hidden) x (hidden + 10) <= 4000000") !=
        std::string::npos);
}
