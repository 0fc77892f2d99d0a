#include "analyses/sweep.h"

#include <algorithm>
#include <cmath>

namespace gs {

double first_to_last_log10_ratio(const DecayCurve& curve) {
  return curve.log10_grad_h.front() - curve.log10_grad_h.back();
}

namespace {

// Mean, spread and range over seeds, in number_format.h's three states. A seed whose gradient
// reached exactly 0 has ratio -inf, one whose forward pass overflowed NaN. If any seed overflowed
// the point has no numbers (every field NaN: overflow); else if any reached 0, the mean and the
// minimum are -inf and the spread is too (it is not a number either); else the usual statistics
// (the spread is the sample standard deviation, 0 for one seed).
void summarize(SweepPoint& point) {
  const std::vector<double>& v = point.per_probe;
  point.min = *std::min_element(v.begin(), v.end());
  point.max = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  point.mean = sum / v.size();  // NaN if any is NaN, -inf if any is -inf
  if (!std::isfinite(point.mean)) {
    const bool overflow = std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
    if (overflow) point.min = point.max = point.mean = std::nan("");
    point.stddev = point.mean;
    return;
  }
  double squares = 0;
  for (double x : v) squares += (x - point.mean) * (x - point.mean);
  point.stddev = v.size() > 1 ? std::sqrt(squares / (v.size() - 1)) : 0.0;
}

}  // namespace

Sweep begin_sweep(const Config& config, std::shared_ptr<const GivenModel> given) {
  Sweep sweep;
  sweep.config = config;
  sweep.given = std::move(given);
  for (CellKind cell : config.cells)
    for (int length : config.lengths) {
      SweepPoint point;
      point.cell = cell;
      point.length = length;
      sweep.points.push_back(point);
      // forward + backward over the task's whole sequence, per seed
      sweep.steps_total += int64_t{2} * probe_length(sweep.given.get(), config.task, length) *
                           config.seeds * config.sequences;
    }
  return sweep;
}

bool advance_sweep(Sweep& sweep, int budget) {
  while (budget > 0 && sweep.next_point < sweep.points.size()) {
    SweepPoint& point = sweep.points[sweep.next_point];
    if (!sweep.probe_started) {
      Config config = sweep.config;
      config.length = point.length;
      const int sequences = sweep.config.sequences;
      const uint64_t seed = sweep.config.seed + sweep.next_probe / sequences;
      const int sequence = sweep.next_probe % sequences;
      sweep.probe = sweep.given ? begin_probe(*sweep.given, config, seed, sequence)
                                : begin_probe(point.cell, config, seed, sequence);
      sweep.probe_started = true;
    }
    if (!advance_probe_within(sweep.probe, budget, sweep.steps_done)) continue;
    point.per_probe.push_back(first_to_last_log10_ratio(sweep.probe.curve));
    sweep.probe = Probe();  // its caches are not needed any more
    sweep.probe_started = false;
    if (++sweep.next_probe == sweep.config.seeds * sweep.config.sequences) {
      summarize(point);
      sweep.next_probe = 0;
      ++sweep.next_point;
    }
  }
  return sweep.next_point == sweep.points.size();
}

Sweep run_sweep(const Config& config, std::shared_ptr<const GivenModel> given) {
  Sweep sweep = begin_sweep(config, std::move(given));
  while (!advance_sweep(sweep, 1 << 30)) {
  }
  return sweep;
}

}  // namespace gs
