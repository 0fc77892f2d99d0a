// Exploding gradients in training, and clipping: the page's preset. A tanh RNN at scale 2 trained
// with plain SGD (lr 0.1, no momentum) on the adding problem at T = 10: without clipping the
// gradient norm grows by orders of magnitude until the loss leaves float32's range and the run
// stops, saying where and what to try; with clip=1 the same run stays finite and learns.
#include <doctest/doctest.h>

#include <cmath>

#include "training/train.h"

using namespace gs;

namespace {

Config exploding_preset(double clip) {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh&scale=2&optimizer=sgd&lr=0.1&momentum=0&task=adding&"
                       "length=10&hidden=32&batch=32&iters=600&seed=1") == "");
  config.clip = clip;
  return config;
}

double mean_loss(const Trainer& trainer, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += trainer.history[i].loss;
  return sum / (to - from);
}

}  // namespace

TEST_CASE("exploding: SGD without clipping stops at the iteration where the loss overflows") {
  const Config config = exploding_preset(0);
  Trainer trainer = make_trainer(CellKind::RnnTanh, config);
  train_iterations(trainer, config.iters);
  MESSAGE("diverged at iteration " << trainer.diverged_at << ": " << trainer.divergence);
  REQUIRE(trainer.diverged_at > 0);
  CHECK(trainer.diverged_at >= 10);  // measured 32 (float32): the norm grows for a while first
  CHECK(trainer.diverged_at <= 100);
  CHECK(trainer.history.size() == static_cast<size_t>(trainer.diverged_at));  // it stopped there
  CHECK(trainer.divergence == "the loss is not finite: the weights exploded; try clip=1");
  CHECK_FALSE(std::isfinite(trainer.history.back().loss));
  // the gradient norm exploded on the way: measured 19.5 at iteration 1, 7.6e19 at the end
  CHECK(trainer.history.back().grad_norm > 1e10 * trainer.history.front().grad_norm);
}

TEST_CASE("exploding: the same SGD run with clip=1 stays finite and its loss falls below chance") {
  const Config config = exploding_preset(1);
  Trainer trainer = make_trainer(CellKind::RnnTanh, config);
  train_iterations(trainer, config.iters);
  REQUIRE(trainer.diverged_at == 0);
  REQUIRE(trainer.history.size() == 600);
  int clipped = 0;
  for (const TrainRecord& r : trainer.history) {
    CHECK(std::isfinite(r.loss));
    CHECK(std::isfinite(r.grad_norm));
    CHECK_FALSE(r.skipped);
    clipped += r.clipped;
  }
  const double first = mean_loss(trainer, 0, 60), last = mean_loss(trainer, 540, 600);
  MESSAGE("clip=1: mean loss " << first << " over the first 60 iterations, " << last
                               << " over the last 60 (chance " << trainer.shape.chance_loss
                               << "); clipping acted on " << clipped);
  CHECK(clipped > 0);
  CHECK(last < 0.5 * first);
  CHECK(last < 0.8 * trainer.shape.chance_loss);  // measured 0.093 = 56% of chance
}
