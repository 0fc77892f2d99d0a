// The configuration vocabulary: round trip, and the exact one-line errors users see.
#include <doctest/doctest.h>

#include "model/config.h"

using namespace gs;

TEST_CASE("to_text and parse_config round-trip every key") {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=gru,rnn-relu&hidden=7&length=33&seed=9&seeds=3&init=orthogonal&"
                       "scale=1.25&radius=0.9&forget_bias=-2&task=copy&batch=5&optimizer=sgd&"
                       "lr=0.003&momentum=0.5&clip=0&iters=12&lengths=5,50&chrono=40&"
                       "truncate=7&solve_threshold=0.25") == "");
  Config again;
  REQUIRE(parse_config(again, to_text(config)) == "");
  CHECK(to_text(again) == to_text(config));
  CHECK(again.cells == std::vector<CellKind>{CellKind::Gru, CellKind::RnnRelu});
  CHECK(again.scale == 1.25);
  CHECK(again.lengths == std::vector<int>{5, 50});
  CHECK(again.chrono == 40);
  CHECK(again.truncate == 7);
  CHECK(again.solve_threshold == 0.25);
}

TEST_CASE("chrono, truncate and solve_threshold: defaults off, ranges with one-line errors") {
  Config config;
  CHECK(config.chrono == 0);
  CHECK(config.truncate == 0);
  CHECK(config.solve_threshold == 0.1);
  CHECK(parse_config(config, "chrono=1") ==
        "chrono=1 is invalid: expected 0 (off) or an integer in [2, 1000000]");
  CHECK(parse_config(config, "chrono=-3") ==
        "chrono=-3 is invalid: expected 0 (off) or an integer in [2, 1000000]");
  CHECK(parse_config(config, "truncate=-1") ==
        "truncate=-1 is invalid: expected an integer in [0, 1000000]");
  CHECK(parse_config(config, "solve_threshold=0") ==
        "solve_threshold=0 is invalid: expected a number in (0, 1]");
  CHECK(parse_config(config, "solve_threshold=1.5") ==
        "solve_threshold=1.5 is invalid: expected a number in (0, 1]");
  CHECK(parse_config(config, "chrono=2&truncate=1000000&solve_threshold=1") == "");
}

TEST_CASE("parse_config accepts a URL hash and spaces, and is all-or-nothing") {
  Config config;
  CHECK(parse_config(config, "#cell=lstm&hidden=64") == "");
  CHECK(config.hidden == 64);
  CHECK(parse_config(config, "hidden=8 length=20\nseed=3") == "");
  CHECK(config.length == 20);
  const std::string before = to_text(config);
  CHECK(parse_config(config, "hidden=16&length=0") != "");
  CHECK(to_text(config) == before);  // hidden=16 was not applied either
}

TEST_CASE("errors name the key, the value and what is allowed") {
  Config config;
  CHECK(parse_config(config, "hidden=0") ==
        "hidden=0 is invalid: expected an integer in [1, 1024]");
  CHECK(parse_config(config, "hidden=12x") ==
        "hidden=12x is invalid: expected an integer in [1, 1024]");
  CHECK(parse_config(config, "cell=rnn-tanh,lstmm") ==
        "cell=rnn-tanh,lstmm is invalid: expected a comma list of rnn-tanh, rnn-relu, "
        "rnn-sigmoid, rnn-identity, lstm, gru, mingru, minlstm, lru");
  CHECK(parse_config(config, "lr=0") == "lr=0 is invalid: expected a number in (0, 10]");
  CHECK(parse_config(config, "scale=nan") == "scale=nan is invalid: expected a number in [0, 100]");
  CHECK(parse_config(config, "init=he") ==
        "init=he is invalid: expected one of uniform, xavier, orthogonal, identity");
  CHECK(parse_config(config, "hiden=3").rfind("unknown key 'hiden' (known keys: cell, hidden", 0) ==
        0);
  CHECK(parse_config(config, "hidden") == "'hidden' is not a key=value pair (no spaces around '=')");
  CHECK(parse_config(config, "task=adding&length=1") ==
        "length=1 is invalid for task=adding: expected length >= 2 (one marker in each half)");
  CHECK(parse_config(config, "hidden=1024&length=100000") ==
        "length=100000 with hidden=1024 is too large: length x (hidden + 10) must be <= 5000000 "
        "(BPTT keeps every step)");
}

TEST_CASE("radius needs an eigendecomposition per block: hidden is capped for it") {
  Config config;
  CHECK(parse_config(config, "radius=0.9&hidden=256") == "");
  CHECK(parse_config(config, "radius=0.9&hidden=257") ==
        "radius=0.9 with hidden=257 is too costly: radius needs hidden <= 256 (an "
        "eigendecomposition of each H x H block; use scale for larger H)");
}

TEST_CASE("sweep lengths must increase, and the kept curves and the trainers are capped in total") {
  Config config;
  CHECK(parse_config(config, "lengths=100,10") ==
        "lengths=100,10 is invalid: expected increasing lengths, e.g. 10,100,1000");
  CHECK(parse_config(config, "lengths=10,10") ==
        "lengths=10,10 is invalid: expected increasing lengths, e.g. 10,100,1000");
  CHECK(parse_config(config, "cell=rnn-tanh,lstm,gru&seeds=64&length=20000&hidden=8") ==
        "seeds=64 and sequences=1 with length=20000 and 3 cells is too large: cells x seeds x "
        "sequences x length must be <= "
        "2000000 (every curve is kept for the plots)");
  REQUIRE(parse_config(config, "cell=lstm,gru&length=1000&hidden=64&batch=32") == "");
  CHECK(validate_for_training(config) ==
        "length=1000, hidden=64 and batch=32 with 2 cells are too large to train: cells x (length "
        "x batch + 2 x hidden) x (hidden + 10) must be <= 4000000 (BPTT keeps every step of every "
        "sequence, and the weights 4 times)");
}

TEST_CASE("config_pairs follows config_keys, one pair per key") {
  const auto pairs = config_pairs(Config());
  REQUIRE(pairs.size() == config_keys().size());
  for (size_t i = 0; i < pairs.size(); ++i) CHECK(pairs[i].first == config_keys()[i].name);
}
