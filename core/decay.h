// The decay curve: how much of the gradient of a loss at the last step reaches each earlier
// hidden state, log10 ||dL/dh_t|| for t = 1..T.
//
// Such curves fall below float64's range (1e-308) within a few hundred steps of a tanh RNN. Once
// the forward pass is fixed, BPTT is linear in the upstream gradient, so the backward vector is
// renormalized to unit length at every step while log10 of the factor taken out is accumulated:
// the curve is exact in log10 at any depth (10,000 steps of a tanh RNN reach about -1500).
#pragma once
#include <vector>

#include "sequence.h"
#include "tasks.h"

namespace gs {

struct DecayCurve {
  std::vector<double> log10_grad_h;  // T: log10 ||dL/dh_t||, t = 1..T (first step first)
  std::vector<double> log10_grad_c;  // T: log10 ||dL/dc_t|| (LSTM only)
  // (T x H) row-major: log10 |dL/dh_t[j]|, for the time x unit heatmap; -inf where exactly 0.
  std::vector<float> log10_unit_grad;
};

// The running state of the renormalized backward pass (sliced like sequence.h's passes).
struct DecayPass {
  Mat dh, dc;  // (H, 1) the current gradient, divided by 10^log10_scale
  double log10_scale = 0;
  int steps_left = 0;  // next h_t to record is t = steps_left
};

void begin_decay(const Model& model, const ForwardPass& fwd, const Mat& seed_grad_h,
                 DecayCurve& curve, DecayPass& pass);
bool decay_steps(const Model& model, const ForwardPass& fwd, DecayCurve& curve, DecayPass& pass,
                 int budget);

// One probe: a model and one task sequence (batch 1) drawn from (cell, config, seed), its forward
// pass from h0 = c0 = 0, and the gradient of the task loss at the final step. The same seed gives
// the same numbers natively and in the browser.
struct Probe {
  Model model;
  Batch sample;
  Mat h0, c0;       // (H, 1) zeros
  Mat seed_grad_h;  // (H, 1) dL/dh_T given directly by the loss at step T
  ForwardPass fwd;
  DecayCurve curve;
  DecayPass pass;
  bool forward_done = false, done = false;
};

// Draws the model and the sample; the passes are then advanced by advance_probe.
Probe begin_probe(CellKind cell, const Config& config, uint64_t seed);
// Advances forward then backward by up to `budget` steps in total; returns true when done.
bool advance_probe(Probe& probe, int budget);
Probe run_probe(CellKind cell, const Config& config, uint64_t seed);
// Frees up to `budget` steps of the probe's BPTT caches, last first; true when none are left.
// Freeing a long sequence's caches at once can take longer than a browser frame.
bool release_probe(Probe& probe, int budget);

// Steps done so far, forward and backward, out of 2 T.
int probe_steps_done(const Probe& probe);

}  // namespace gs
