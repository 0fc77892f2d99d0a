// The browser's sliced computation (web/compute.cpp, plain C++ over core) gives exactly the
// numbers of the one-shot core calls that the CLI prints, whatever the slicing.
#include <doctest/doctest.h>

#include "compute.h"

using namespace gs;

namespace {

double fake_clock_ms = 0;
double fake_now() { return fake_clock_ms += 0.01; }  // every call: 10 microseconds later

void run_until_done(Compute& compute, bool train) {
  for (int frame = 0; frame < 1000000; ++frame) {
    compute_advance(compute, 1.0, fake_now);  // about 100 slices per "frame"
    const bool trained = !train || training_iterations(compute) >= compute.config.iters;
    if (decay_done(compute) && compute.sweep_done && trained) return;
  }
  FAIL("the computation did not finish");
}

}  // namespace

TEST_CASE("sliced decay curves and sweep equal the one-shot core results") {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,lstm,gru&length=150&hidden=12&seeds=2&seed=4&"
                       "lengths=10,40,160&task=copy") == "");
  Compute compute;
  compute_sync(compute, config);
  run_until_done(compute, false);
  REQUIRE(compute.decay.size() == 3);
  for (const DecayJob& job : compute.decay) {
    REQUIRE(job.curves.size() == 2);
    for (int s = 0; s < 2; ++s)
      CHECK(job.curves[s] == run_probe(job.cell, config, config.seed + s).curve.log10_grad_h);
  }
  const Sweep whole = run_sweep(config);
  REQUIRE(compute.sweep.points.size() == whole.points.size());
  for (size_t i = 0; i < whole.points.size(); ++i)
    CHECK(compute.sweep.points[i].per_seed == whole.points[i].per_seed);
}

TEST_CASE("training in the page equals training in one go, and only training keys restart it") {
  Config config;
  REQUIRE(parse_config(config, "cell=gru,rnn-relu&length=20&hidden=8&iters=6&batch=4") == "");
  Compute compute;
  compute_sync(compute, config);
  training_play(compute, true);
  run_until_done(compute, true);
  CHECK_FALSE(compute.playing);  // stops at iters
  for (const TrainJob& job : compute.train) {
    Trainer reference = make_trainer(job.trainer.cell, config);
    train_iterations(reference, 6);
    REQUIRE(job.trainer.history.size() == 6);
    for (int i = 0; i < 6; ++i) CHECK(job.trainer.history[i].loss == reference.history[i].loss);
  }

  const long generation = compute.decay_generation;
  Config faster = config;
  faster.lr = 0.05;
  compute_sync(compute, faster);  // a new learning rate restarts training, not the curves
  CHECK(compute.decay_generation == generation);
  CHECK(training_iterations(compute) == 0);
  Config longer = faster;
  longer.length = 30;
  compute_sync(compute, longer);
  CHECK(compute.decay_generation == generation + 1);
}

TEST_CASE("step runs exactly one iteration per cell, and a config too large to train says why") {
  Config config;
  REQUIRE(parse_config(config, "cell=lstm,gru&length=2&hidden=4&batch=2") == "");  // short:
  // a slice holds many steps, and a step must still stop after one iteration
  Compute compute;
  compute_sync(compute, config);
  training_step(compute);
  run_until_done(compute, false);
  for (int i = 0; i < 50; ++i) compute_advance(compute, 1.0, fake_now);
  for (const TrainJob& job : compute.train) CHECK(job.trainer.history.size() == 1);

  REQUIRE(parse_config(config, "length=20000&hidden=200&batch=64") == "");
  compute_sync(compute, config);
  CHECK(compute.train_error ==
        "length=20000, hidden=200 and batch=64 with 2 cells are too large to train: cells x "
        "length x hidden x batch must be <= 4000000");
  training_play(compute, true);
  CHECK_FALSE(compute.playing);
}
