// Truncated BPTT (truncation.h): at k >= T it is full BPTT; it is the exact gradient of the
// computation with a stop-gradient k steps before each loss (finite differences); on a tanh RNN
// with scale 1.5 the truncated gradient measurably leaves the full one's direction; and training
// with it is sliced like full training.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "problem.h"
#include "training/train.h"
#include "training/truncation.h"

using namespace gs;

namespace {

using gs_test::kAllCells;
using Case = gs_test::Problem;

// A small model at scale 1.5 and one minibatch of a task (copy: a loss at every step).
Case make_case(CellKind cell, TaskKind task, int length, int hidden, int batch, uint64_t seed) {
  Config config;
  config.scale = 1.5;
  config.forget_bias = 0.3;
  const TaskShape shape = task_shape(task, length);
  Rng rng(seed);
  Case c;
  c.model = make_model(cell, shape.input_size, hidden, shape.output_size, config, rng);
  c.batch = make_batch(task, length, batch, rng);
  c.h0 = Mat::Zero(c.model.hidden_size, batch);
  c.c0 = has_cell_state(cell) ? c.h0 : Mat();
  return c;
}

// Largest |a - b| over every tensor, relative to the largest |b|.
double relative_difference(const Params& a, const Params& b) {
  double diff = 0, scale = 0;
  a.visit([&](const char* name, const auto& x) {
    b.visit([&](const char* other, const auto& y) {
      if (std::string(name) != other || x.size() == 0) return;  // no W_hh: an empty tensor
      diff = std::max(diff, (x - y).cwiseAbs().maxCoeff());
      scale = std::max(scale, y.cwiseAbs().maxCoeff());
    });
  });
  return diff / scale;
}

// sum_s L_s with, for each scored step s, the state h_{s-k} (c_{s-k}) it starts from held at its
// value under `reference` (the unperturbed model): the "stopped" computation whose exact gradient
// truncation to k steps is. Each loss is normalized as in the whole sequence (B x scored steps).
double stopped_loss(const Model& model, const ForwardPass<double>& reference, const Case& c,
                    int k) {
  const int T = c.batch.length();
  const int scored = c.batch.scored_steps();
  double total = 0;
  for (int s = 1; s <= T; ++s) {
    if (c.batch.targets[s - 1].size() == 0) continue;
    const int start = std::max(0, s - k);  // the held state h_start
    Batch window;
    window.loss = c.batch.loss;
    for (int t = start; t < s; ++t) {
      window.inputs.push_back(c.batch.inputs[t]);
      window.targets.push_back(t == s - 1 ? c.batch.targets[t] : Mat());
    }
    const Mat h = reference.h_at(start);
    const Mat cell = has_cell_state(model.cell) ? Mat(reference.c_at(start)) : Mat();
    total += forward(model, window, h, cell).loss / scored;  // forward divided by B x 1
  }
  return total;
}

}  // namespace

TEST_CASE("truncation at k = T is full BPTT: bitwise in training, to rounding lag by lag") {
  for (CellKind cell : kAllCells) {
    INFO(std::string(cell_name(cell)));
    // one loss at the last step: the lag-by-lag pass does the same arithmetic as full BPTT
    const Case adding = make_case(cell, TaskKind::Adding, 12, 5, 3, 7);
    const auto fwd = forward(adding.model, adding.batch, adding.h0, adding.c0);
    const Params full = backward(adding.model, fwd).grads;
    for (int k : {12, 13, 1000}) {
      const Params lagged = truncated_backward(adding.model, fwd, k).grads;
      full.visit([&](const char* name, const auto& x) {
        lagged.visit([&](const char* other, const auto& y) {
          if (std::string(name) == other) CHECK(x == y);
        });
      });
    }
    // a loss at every step: the same sums in another order
    const Case copy = make_case(cell, TaskKind::Copy, 4, 5, 3, 8);
    const auto copy_fwd = forward(copy.model, copy.batch, copy.h0, copy.c0);
    const Params copy_full = backward(copy.model, copy_fwd).grads;
    const double difference =
        relative_difference(truncated_backward(copy.model, copy_fwd, 24).grads, copy_full);
    MESSAGE(std::string(cell_name(cell))
            << " copy, k = T = 24: relative difference " << difference);
    CHECK(difference < 1e-15);  // measured 1.1e-16 at worst
    CHECK(relative_difference(truncated_backward(copy.model, copy_fwd, 5).grads, copy_full) >
          1e-6);  // k = 5 does drop something
  }
  // training with truncate >= T runs full BPTT itself: the same run to the bit
  Config config;
  config.task = TaskKind::Copy;
  config.length = 5;
  config.hidden = 8;
  config.batch = 4;
  Config truncated = config;
  truncated.truncate = 25;  // copy: T + 20 steps
  for (CellKind cell : {CellKind::RnnTanh, CellKind::Lstm, CellKind::Gru}) {
    Trainer a = make_trainer(cell, config), b = make_trainer(cell, truncated);
    train_iterations(a, 5);
    train_iterations(b, 5);
    for (int i = 0; i < 5; ++i) CHECK(a.history[i].grad_norm == b.history[i].grad_norm);
    CHECK(trained_model(a).params.weight_hh == trained_model(b).params.weight_hh);
  }
}

TEST_CASE(
    "truncated gradients are the exact gradient of the loss stopped k steps before each loss") {
  const double eps = 1e-6;
  int checked = 0;
  for (CellKind cell : kAllCells)
    for (TaskKind task : {TaskKind::Copy, TaskKind::Adding})
      for (int k : {1, 3}) {
        INFO(std::string(cell_name(cell)) << " " << task_name(task) << " k=" << k);
        const int length = task == TaskKind::Copy ? 2 : 8;
        const Case c = make_case(cell, task, length, 3, 2, 11 + k);
        const auto reference = forward(c.model, c.batch, c.h0, c.c0);
        const Params analytic = truncated_backward(c.model, reference, k).grads;
        Model model = c.model;
        model.params.visit([&](const char* name, auto& tensor) {
          analytic.visit([&](const char* other, const auto& grad) {
            if (std::string(name) != other) return;
            for (Eigen::Index i = 0; i < tensor.size(); ++i) {
              const double saved = tensor.data()[i];
              tensor.data()[i] = saved + eps;
              const double up = stopped_loss(model, reference, c, k);
              tensor.data()[i] = saved - eps;
              const double down = stopped_loss(model, reference, c, k);
              tensor.data()[i] = saved;
              const double numeric = (up - down) / (2 * eps);
              INFO(name << "[" << i << "]");
              CHECK(std::abs(grad.data()[i] - numeric) <= 1e-7 + 1e-5 * std::abs(numeric));
              ++checked;
            }
          });
        });
      }
  MESSAGE(checked << " truncated gradient entries checked against finite differences");
}

TEST_CASE(
    "truncation: a tanh RNN at scale 1.5, T=20, k=5 keeps measurably less than the full "
    "direction") {
  Config config;
  config.cells = {CellKind::RnnTanh};
  config.scale = 1.5;
  config.length = 20;
  config.hidden = 16;
  config.precision = Precision::F64;
  config.seed = 1;  // the pinned case
  const TruncationProbe probe = run_truncation_probe(CellKind::RnnTanh, config);
  REQUIRE(probe.cosine.size() == 20);
  MESSAGE("cosine at k = 1, 5, 10, 19, 20: " << probe.cosine[0] << ", " << probe.cosine[4] << ", "
                                             << probe.cosine[9] << ", " << probe.cosine[18] << ", "
                                             << probe.cosine[19]);
  CHECK(probe.cosine[4] < 0.99);  // measured 0.98416
  CHECK(probe.cosine[0] < 0.7);   // measured 0.60181
  CHECK(probe.cosine[19] == doctest::Approx(1).epsilon(1e-12));
  // and in float32, the default, the same curve to float32's rounding
  config.precision = Precision::F32;
  const TruncationProbe f32 = run_truncation_probe(CellKind::RnnTanh, config);
  for (int k = 0; k < 20; ++k)
    CHECK(f32.cosine[k] == doctest::Approx(probe.cosine[k]).epsilon(1e-4));
}

TEST_CASE(
    "truncation: sliced training equals whole iterations, and the sliced curve the whole one") {
  Config config;
  config.task = TaskKind::Copy;
  config.length = 6;
  config.hidden = 8;
  config.batch = 4;
  config.truncate = 4;
  Trainer a = make_trainer(CellKind::Lstm, config), b = make_trainer(CellKind::Lstm, config);
  train_iterations(a, 4);
  while (b.history.size() < 4) advance_training(b, 5);
  for (int i = 0; i < 4; ++i) CHECK(a.history[i].grad_norm == b.history[i].grad_norm);
  CHECK(a.f32.model.params.weight_hh == b.f32.model.params.weight_hh);

  TruncationProbe whole = run_truncation_probe(CellKind::Gru, config);
  TruncationProbe sliced = begin_truncation_probe(CellKind::Gru, config);
  int calls = 0;
  while (!advance_truncation_probe(sliced, 7)) ++calls;
  CHECK(calls > 10);
  CHECK(sliced.cosine == whole.cosine);
}
