// The long-range tasks (core/training/tasks.h): each batch has the shape its task promises, and the
// chance levels are the closed forms in tasks.h.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "model/rng.h"
#include "training/tasks.h"

using namespace gs;

TEST_CASE("tasks: shapes, markers and what each sequence asks for") {
  Rng rng(1);
  const Batch adding = make_batch(TaskKind::Adding, 30, 64, rng);
  CHECK(adding.scored_steps() == 1);
  for (int b = 0; b < 64; ++b) {
    double markers = 0;
    for (const Mat& x : adding.inputs) markers += x(1, b);
    CHECK(markers == 2);
  }
  const Batch copy = make_batch(TaskKind::Copy, 30, 4, rng);
  CHECK(copy.length() == 50);
  CHECK(copy.scored_steps() == 50);
  // the last 10 targets are the first 10 inputs
  for (int k = 0; k < 10; ++k)
    CHECK(copy.targets[40 + k].block(0, 0, 9, 4) == copy.inputs[k].block(0, 0, 9, 4));
}

namespace {

// Each of `n` classes is drawn with probability 1/n: every count within 4 standard errors.
void check_uniform(const std::vector<long>& counts) {
  long total = 0;
  for (long c : counts) total += c;
  const double p = 1.0 / counts.size(), se = std::sqrt(total * p * (1 - p));
  for (long c : counts) CHECK(std::abs(c - total * p) < 4 * se);
}

}  // namespace

TEST_CASE("tasks: chance is the loss of the best predictor that remembers nothing, measured") {
  const int kSequences = 20000;
  for (int length : {30, 100}) {
    CAPTURE(length);
    Rng rng(7);
    // adding: the sum of two U(0,1) has mean 1, so the best constant is 1, and its MSE is the
    // sum's variance, 1/6; measured within 4 standard errors of the sample
    const Batch adding = make_batch(TaskKind::Adding, length, kSequences, rng);
    double sum = 0, sum_sq = 0, sum_sq_sq = 0;
    for (int b = 0; b < kSequences; ++b) {
      const double s = adding.targets.back()(0, b), e = (s - 1) * (s - 1);
      sum += s, sum_sq += e, sum_sq_sq += e * e;
    }
    const double mse = sum_sq / kSequences;
    const double se = std::sqrt((sum_sq_sq / kSequences - mse * mse) / kSequences);
    CHECK(std::abs(sum / kSequences - 1) < 0.01);
    CHECK(std::abs(mse - task_shape(TaskKind::Adding, length).chance_loss) < 4 * se);
    CHECK(task_shape(TaskKind::Adding, length).chance_loss == 1.0 / 6.0);

    // copy: blanks are certain everywhere but the last 10 steps, whose symbols are uniform over
    // 8, so the best guess there costs ln 8 each: 10 ln 8 over the T + 20 scored steps
    const Batch copy = make_batch(TaskKind::Copy, length, kSequences / 10, rng);
    const int steps = length + 20;
    REQUIRE(copy.length() == steps);
    std::vector<long> symbols(8, 0);
    for (int t = 0; t < steps; ++t)
      for (int b = 0; b < copy.batch_size(); ++b) {
        Eigen::Index target;
        copy.targets[t].col(b).maxCoeff(&target);
        if (t < steps - 10) {
          CHECK(target == 0);  // blank
        } else {
          REQUIRE(target >= 1);
          REQUIRE(target <= 8);
          ++symbols[target - 1];
        }
      }
    check_uniform(symbols);
    CHECK(task_shape(TaskKind::Copy, length).chance_loss ==
          doctest::Approx(10 * std::log(8.0) / steps).epsilon(1e-15));

    // remember-first: the label is uniform over 4, and nothing after step 1 tells it: ln 4
    const Batch first = make_batch(TaskKind::RememberFirst, length, kSequences, rng);
    std::vector<long> labels(4, 0);
    for (int b = 0; b < kSequences; ++b) {
      Eigen::Index label;
      first.targets.back().col(b).maxCoeff(&label);
      ++labels[label];
      CHECK(first.inputs[0](label, b) == 1);
    }
    check_uniform(labels);
    CHECK(task_shape(TaskKind::RememberFirst, length).chance_loss ==
          doctest::Approx(std::log(4.0)).epsilon(1e-15));
  }
}
