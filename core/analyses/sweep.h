// As the sequence grows: for each cell and length T, how much of the gradient of a loss at step T
// reaches step 1, log10(||dL/dh_1|| / ||dL/dh_T||), averaged over seeds and their input sequences
// (`sequences`) with its spread.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bptt/decay.h"

namespace gs {

struct SweepPoint {
  CellKind cell = CellKind::RnnTanh;
  int length = 0;     // T as configured (copy: the delay)
  // Over the probes (seeds x sequences), in number_format.h's states (see summarize in
  // sweep.cpp): -inf where a probe's gradient reached exactly 0, NaN where its forward pass
  // overflowed.
  double mean = 0;    // mean of log10(||dL/dh_1|| / ||dL/dh_T||)
  double stddev = 0;  // sample standard deviation (0 for one probe)
  double min = 0, max = 0;
  std::vector<double> per_probe;  // seed-major: seed s, sequence q at s x sequences + q

  // The fields the compute worker's messages carry, in order (web/worker/wire.h).
  template <class F>
  void visit(F&& f) {
    f("cell", cell);
    f("length", length);
    f("mean", mean);
    f("stddev", stddev);
    f("min", min);
    f("max", max);
    f("per_probe", per_probe);
  }
};

struct Sweep {
  Config config;
  std::vector<SweepPoint> points;  // cell-major: config.cells x config.lengths, filled in order
  // progress: the probe being computed
  size_t next_point = 0;
  int next_probe = 0;  // of the point in progress: seed next_probe / sequences, sequence the rest
  Probe probe;
  bool probe_started = false;
  int64_t steps_total = 0, steps_done = 0;  // for a progress bar (wasm's long is 32-bit)
  // A model read from a file (own_model.h), probed at every length instead of drawn models;
  // config.cells is then its one cell.
  std::shared_ptr<const GivenModel> given;
};

Sweep begin_sweep(const Config& config, std::shared_ptr<const GivenModel> given = nullptr);
bool advance_sweep(Sweep& sweep, int budget);  // true when every point is done
Sweep run_sweep(const Config& config, std::shared_ptr<const GivenModel> given = nullptr);

// The quantity itself, from one decay curve: log10 ||dL/dh_1|| - log10 ||dL/dh_T||.
double first_to_last_log10_ratio(const DecayCurve& curve);

}  // namespace gs
