#include "sweep.h"

#include <algorithm>
#include <cmath>

namespace gs {

double first_to_last_log10_ratio(const DecayCurve& curve) {
  return curve.log10_grad_h.front() - curve.log10_grad_h.back();
}

namespace {

// Mean, spread and range over seeds. A seed whose gradient reached exactly 0 has ratio -inf:
// then the mean is -inf too, and the spread is taken over the finite seeds only.
void summarize(SweepPoint& point) {
  const std::vector<double>& v = point.per_seed;
  double sum = 0, finite_sum = 0;
  int finite = 0;
  for (double x : v) {
    sum += x;
    if (std::isfinite(x)) finite_sum += x, ++finite;
  }
  point.mean = sum / v.size();
  const double finite_mean = finite ? finite_sum / finite : 0.0;
  double squares = 0;
  for (double x : v)
    if (std::isfinite(x)) squares += (x - finite_mean) * (x - finite_mean);
  point.stddev = finite > 1 ? std::sqrt(squares / (finite - 1)) : 0.0;
  point.min = *std::min_element(v.begin(), v.end());
  point.max = *std::max_element(v.begin(), v.end());
}

}  // namespace

Sweep begin_sweep(const Config& config) {
  Sweep sweep;
  sweep.config = config;
  for (CellKind cell : config.cells)
    for (int length : config.lengths) {
      SweepPoint point;
      point.cell = cell;
      point.length = length;
      sweep.points.push_back(point);
      // forward + backward over the task's whole sequence, per seed
      sweep.steps_total += int64_t{2} * task_shape(config.task, length).steps * config.seeds;
    }
  return sweep;
}

bool advance_sweep(Sweep& sweep, int budget) {
  while (budget > 0 && sweep.next_point < sweep.points.size()) {
    SweepPoint& point = sweep.points[sweep.next_point];
    if (!sweep.probe_started) {
      Config config = sweep.config;
      config.length = point.length;
      sweep.probe = begin_probe(point.cell, config, sweep.config.seed + sweep.next_seed);
      sweep.probe_started = true;
    }
    const int steps_before = probe_steps_done(sweep.probe);
    const bool done = advance_probe(sweep.probe, budget);
    const int steps_taken = probe_steps_done(sweep.probe) - steps_before;
    budget -= std::max(1, steps_taken);
    sweep.steps_done += steps_taken;
    if (!done) continue;
    point.per_seed.push_back(first_to_last_log10_ratio(sweep.probe.curve));
    sweep.probe = Probe();  // its caches are not needed any more
    sweep.probe_started = false;
    if (++sweep.next_seed == sweep.config.seeds) {
      summarize(point);
      sweep.next_seed = 0;
      ++sweep.next_point;
    }
  }
  return sweep.next_point == sweep.points.size();
}

Sweep run_sweep(const Config& config) {
  Sweep sweep = begin_sweep(config);
  while (!advance_sweep(sweep, 1 << 30)) {
  }
  return sweep;
}

}  // namespace gs
