// The long-range tasks (core/tasks.h): each batch has the shape its task promises, and the
// chance levels are the closed forms in tasks.h.
#include <doctest/doctest.h>

#include <cmath>

#include "rng.h"
#include "tasks.h"

using namespace gs;

TEST_CASE("tasks: chance levels and shapes") {
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
  CHECK(task_shape(TaskKind::RememberFirst, 100).chance_loss == doctest::Approx(std::log(4.0)));
}
