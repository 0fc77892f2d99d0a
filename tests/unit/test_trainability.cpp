// The trainability map (trainability.h): each point is exactly sweep's number for its scale and
// length, and the edge of chaos of a linear orthogonal RNN is at scale 1.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "analyses/sweep.h"
#include "analyses/trainability.h"

using namespace gs;

TEST_CASE("every point of the map is sweep's log10 ratio for its scale and length, and its own top exponent") {
  Config config;
  config.cells = {CellKind::RnnTanh, CellKind::Lstm, CellKind::MinGru, CellKind::Lru};
  config.lengths = {10, 40};
  config.hidden = 8;
  const TrainabilityMap map = run_trainability(config, {0.5, 2.5});
  REQUIRE(map.points.size() == 12);  // the minGRU has nothing for the scale to act on
  CHECK(map.steps_done == map.steps_total);
  for (const TrainabilityPoint& p : map.points) {
    Config one = config;
    one.scale = p.scale;
    one.length = p.length;
    const Probe probe = run_probe(p.cell, one, config.seed);
    INFO(std::string(cell_name(p.cell)) << " scale " << p.scale << " length " << p.length);
    CHECK(p.log10_ratio == first_to_last_log10_ratio(probe.curve));  // the same computation
    SpectrumOptions top_one;
    top_one.max_full_state = 0;
    top_one.top = 1;
    top_one.max_sampled_steps = 0;
    CHECK(p.lyapunov_max == probe_spectrum(probe, top_one).lyapunov[0]);
  }
}

TEST_CASE("edge of chaos: rnn-identity with W_hh = s Q has top exponent ln s and crosses 0 at s = 1") {
  Config config;
  config.cells = {CellKind::RnnIdentity};
  config.init = InitKind::Orthogonal;
  config.lengths = {20, 100};
  config.precision = Precision::F64;
  const std::vector<double> scales = scale_grid(0.8, 1.2, 5);
  CHECK(scales == std::vector<double>{0.8, 0.9, 1.0, 1.1, 1.2});
  const std::vector<double> ratios = scale_grid(0.25, 16, 7, /*geometric=*/true);
  for (int i = 0; i < 7; ++i) CHECK(ratios[i] == doctest::Approx(0.25 * std::pow(2.0, i)).epsilon(1e-14));
  CHECK(ratios.back() == 16);
  const TrainabilityMap map = run_trainability(config, scales);
  for (const TrainabilityPoint& p : map.points) {
    CHECK(p.lyapunov_max == doctest::Approx(std::log(p.scale)).epsilon(1e-12));
    // A linear orthogonal RNN: the gradient falls by exactly s per step back.
    CHECK(p.log10_ratio == doctest::Approx((p.length - 1) * std::log10(p.scale)).epsilon(1e-9));
  }
  CHECK(edge_of_chaos(map, CellKind::RnnIdentity, 100) == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(std::isnan(edge_of_chaos(run_trainability(config, {0.5, 0.7}), CellKind::RnnIdentity, 100)));
}

TEST_CASE("the LRU's rows scale its memory: exponent ln max|lambda| / scale, never the edge") {
  // |lambda_j|^(1/s): each unit's ln|lambda_j| divided by s, so the top exponent is the scale-1
  // model's divided by s, below 0 at every scale
  Config config;
  REQUIRE(parse_config(config, "cell=lru&hidden=6&lengths=30&precision=f64") == "");
  const TrainabilityMap map = run_trainability(config, {0.5, 1, 4});
  REQUIRE(map.points.size() == 3);
  const double at_one = map.points[1].lyapunov_max;
  CHECK(at_one < 0);
  for (const TrainabilityPoint& p : map.points)
    CHECK(p.lyapunov_max == doctest::Approx(at_one / p.scale).epsilon(1e-12));
  CHECK(std::isnan(edge_of_chaos(map, CellKind::Lru, 30)));
}

TEST_CASE("a loaded LRU's map is the drawn one's: its scale moves nu_log alone, as drawing does") {
  Config config;
  REQUIRE(parse_config(config, "cell=lru&hidden=5&lengths=20,60&precision=f64") == "");
  Rng rng(model_seed(config.seed));
  const TaskShape shape = task_shape(config.task, 20);
  auto given = std::make_shared<GivenModel>();
  given->model = make_model(CellKind::Lru, shape.input_size, config.hidden, shape.output_size, config, rng);
  const TrainabilityMap drawn = run_trainability(config, {0.5, 3});
  const TrainabilityMap loaded = run_trainability(config, {0.5, 3}, given);
  REQUIRE(drawn.points.size() == 4);
  REQUIRE(loaded.points.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(loaded.points[i].log10_ratio == doctest::Approx(drawn.points[i].log10_ratio).epsilon(1e-12));
    CHECK(loaded.points[i].lyapunov_max == doctest::Approx(drawn.points[i].lyapunov_max).epsilon(1e-12));
  }
}
