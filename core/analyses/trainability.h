// The trainability map (after Chen, Pennington & Schoenholz 2018): over a grid of recurrent
// scale (the `scale` key: W_hh times it; the LRU's memory times it, |lambda|^(1/scale), whose
// exponent ln max|lambda| stays below 0 at every scale) and sequence length, per cell, how much of the gradient
// of a loss at step T reaches step 1 (sweep.h's quantity, log10(||dL/dh_1|| / ||dL/dh_T||)) and
// the largest Lyapunov exponent of the same forward pass (spectrum.h). Where the exponent crosses
// 0 is the edge of chaos: below it the gradient vanishes at about lambda_1 / ln 10 per step in
// log10, above it the dynamics are chaotic (and gradients explode).
//
// Every grid point is its own probe (begin_probe with that scale and length: the weights are the
// same draw times the scale, the sequence is the task's sequence of that length), so each number
// is exactly what `sweep` (and `decay --scale s --length T`) gives for it; a shorter length's
// gradient cannot be read off the longest sequence, whose inputs and target differ. The
// exponent rides along on each probe's own forward pass: one Jacobian-vector product and a
// normalization per step (spectrum.h's QR with one column), about the cost of a forward step, so
// a point costs about three passes over its sequence. One seed (config.seed).
#pragma once
#include <memory>
#include <vector>

#include "bptt/decay.h"
#include "bptt/spectrum.h"

namespace gs {

struct TrainabilityPoint {
  CellKind cell = CellKind::RnnTanh;
  double scale = 0;
  int length = 0;
  double log10_ratio = 0;   // log10(||dL/dh_1|| / ||dL/dh_T||): -inf exactly 0, NaN overflow
  double lyapunov_max = 0;  // largest Lyapunov exponent, nats per step (NaN: overflow)
};

struct TrainabilityMap {
  Config config;
  std::vector<double> scales;
  std::vector<TrainabilityPoint> points;  // cell-major, then scale, then length (config.lengths)
  // progress
  size_t next_point = 0;
  Probe probe;
  SpectrumJob lyapunov;
  int stage = 0;  // 0: nothing started, 1: forward and backward, 2: the exponent
  int64_t steps_total = 0, steps_done = 0;
  // A model read from a file (own_model.h): each point's probe is it with W_hh times the scale
  // (an LRU: nu_log - ln scale; config.cells is then its one cell).
  std::shared_ptr<const GivenModel> given;
};

// n scales from lo to hi, both included (n = 1: lo), evenly spaced, or with `geometric` (lo > 0)
// at a constant ratio: the edges of chaos of the default cells lie near 2 (tanh RNN), 4 (LSTM)
// and 10 (GRU), so 0.25..16 at a constant ratio shows them all.
std::vector<double> scale_grid(double lo, double hi, int n, bool geometric = false);

TrainabilityMap begin_trainability(const Config& config, const std::vector<double>& scales,
                                   std::shared_ptr<const GivenModel> given = nullptr);
bool advance_trainability(TrainabilityMap& map, int budget);  // true when every point is done
TrainabilityMap run_trainability(const Config& config, const std::vector<double>& scales,
                                 std::shared_ptr<const GivenModel> given = nullptr);

// The scale at which the largest exponent of `cell` at `length` first crosses 0 going up the
// scales (linear interpolation between the two grid points around it); NaN if it does not cross
// between two points that have numbers.
double edge_of_chaos(const TrainabilityMap& map, CellKind cell, int length);

}  // namespace gs
