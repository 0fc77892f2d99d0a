// Overflow is a fact to show, not a zero: a forward pass that leaves the precision's range, the
// sweep's statistics over seeds that overflowed or reached exactly zero, a training run that
// diverges, and a global norm that must not overflow where the gradients do not.
#include <doctest/doctest.h>

#include <cmath>

#include "io/number_format.h"
#include "training/optimizer.h"
#include "analyses/sweep.h"
#include "training/train.h"

using namespace gs;

namespace {

Config exploding(Precision precision) {
  Config config;
  config.scale = 100;
  config.length = 300;
  config.precision = precision;
  return config;
}

}  // namespace

TEST_CASE("a forward pass that overflows makes every value of the curve overflow, with its step") {
  for (Precision precision : {Precision::F32, Precision::F64}) {
    const Probe probe = run_probe(CellKind::RnnRelu, exploding(precision), 1);
    const DecayCurve& curve = probe.curve;
    INFO(precision_name(precision) << ": overflow at step " << curve.overflow_step);
    // h grows ~10^1.7 per step: past 3.4e38 within about 25 steps, past 1.8e308 within 200
    CHECK(curve.overflow_step > 1);
    CHECK(curve.overflow_step < (precision == Precision::F32 ? 40 : 250));
    CHECK(curve.log10_growth_per_step > 1);
    for (double v : curve.log10_grad_h) REQUIRE(log10_kind(v) == NumberKind::Overflow);
    CHECK(format_log10(curve.log10_grad_h[0]) == "overflow");
    const std::string text = overflow_explanation(curve, precision);
    CHECK(text.find("the forward pass overflowed at step " +
                    std::to_string(curve.overflow_step) + ":") == 0);
    CHECK(text.find(precision == Precision::F32 ? "precision=f64" : "float64's") !=
          std::string::npos);
  }
  // In range, no mark: the default tanh RNN at the same length.
  Config fine = exploding(Precision::F32);
  fine.scale = 1;
  const Probe tanh = run_probe(CellKind::RnnTanh, fine, 1);
  CHECK(tanh.curve.overflow_step == 0);
  CHECK(overflow_explanation(tanh.curve, Precision::F32).empty());
}

TEST_CASE("a state out of range at step 1 is said to be a number out of range, not growth") {
  // an LRU whose input gain exp(gamma_log) = e^100 is past float32's range at once
  Config config;
  REQUIRE(parse_config(config, "cell=lru&hidden=3&length=20") == "");
  Rng rng(5);
  GivenModel given;
  given.model = make_model(CellKind::Lru, 2, 3, 1, config, rng);
  given.model.params.gamma_log.setConstant(100);
  const Probe probe = run_probe(given, config, 1);
  CHECK(probe.curve.overflow_step == 1);
  CHECK(overflow_explanation(probe.curve, Precision::F32)
            .find("the forward pass overflowed at step 1, within its first steps: ") == 0);
}

TEST_CASE("sweep statistics keep the three states: overflow, exactly zero, a number") {
  Config config = exploding(Precision::F32);
  config.cells = {CellKind::RnnRelu};
  config.lengths = {10, 100};
  config.seeds = 3;
  const Sweep sweep = run_sweep(config);
  const SweepPoint &short_one = sweep.points[0], &long_one = sweep.points[1];
  CHECK(std::isfinite(short_one.mean));  // 10 steps do not overflow
  CHECK(std::isfinite(short_one.stddev));
  for (double v : {long_one.mean, long_one.stddev, long_one.min, long_one.max})
    CHECK(format_log10(v) == "overflow");  // not a standard deviation of 0

  // Dead units: scale 0 gives an exactly zero gradient behind the first step for every seed.
  Config dead;
  dead.cells = {CellKind::RnnRelu};
  dead.scale = 0;
  dead.lengths = {20};
  dead.seeds = 2;
  const SweepPoint zero = run_sweep(dead).points[0];
  CHECK(format_log10(zero.mean) == "");
  CHECK(format_log10(zero.stddev) == "");  // no spread to speak of either: not 0
}

TEST_CASE("training that diverges stops, says when and why, and suggests a remedy") {
  Config config;
  config.optimizer = OptimizerKind::Sgd;
  config.lr = 10;
  config.clip = 0;
  config.iters = 100;
  config.seed = 1;
  Trainer trainer = make_trainer(CellKind::RnnRelu, config);
  train_iterations(trainer, config.iters);
  REQUIRE(trainer.diverged_at > 0);
  CHECK(static_cast<int>(trainer.history.size()) == trainer.diverged_at);  // it stopped there
  CHECK_FALSE(std::isfinite(trainer.history.back().loss));
  CHECK(trainer.history.back().skipped);
  CHECK_FALSE(trainer.history.back().clipped);  // nothing finite to scale
  CHECK(trainer.divergence == "the loss is not finite: the weights exploded; try clip=1");
  CHECK_FALSE(advance_training(trainer, 1000));  // a diverged run does no more work

  // A forward pass that overflows stops the run at once, and says where.
  Trainer overflowing = make_trainer(CellKind::RnnRelu, exploding(Precision::F32));
  train_iterations(overflowing, 50);
  CHECK(overflowing.diverged_at == 1);
  CHECK(overflowing.divergence.find("the forward pass overflowed at step ") == 0);
  CHECK(overflowing.divergence.find("precision=f64") != std::string::npos);
}

TEST_CASE("the global norm is scaled: clipping acts on finite gradients far above 1e154") {
  Params grads;
  grads.weight_ih = Mat::Constant(3, 2, 3e200);
  grads.weight_hh = Mat::Constant(3, 3, -4e200);
  grads.bias_ih = Vec::Zero(3);
  grads.bias_hh = Vec::Zero(3);
  grads.weight_out = Mat::Zero(1, 3);
  grads.bias_out = Vec::Zero(1);
  const double expected = std::sqrt(6 * 9.0 + 9 * 16.0) * 1e200;  // sqrt(sum of squares)
  const double norm = clip_by_global_norm(grads, 1.0);
  CHECK(norm == doctest::Approx(expected).epsilon(1e-14));
  CHECK(global_norm(grads) == doctest::Approx(1.0).epsilon(1e-14));  // clipped to 1
  // And below 1e-154, where the squares underflow to zero.
  grads.visit([](const char*, auto& t) { t *= 1e-170; });
  CHECK(global_norm(grads) == doctest::Approx(1e-170).epsilon(1e-12));
}
