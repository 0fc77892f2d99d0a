// The numbers behind a plain-language explanation of one decay curve: what each step back
// multiplies the gradient by, and why (Pascanu, Mikolov & Bengio 2013).
#pragma once
#include "bptt/decay.h"

namespace gs {

struct ProbeAnalysis {
  // Measured from the curve: the mean log10 change per step back (negative: vanishing) and the
  // factor 10^slope it stands for, over the steps where the gradient is not exactly zero.
  double log10_per_step = 0;
  double factor_per_step = 0;
  double log10_first_to_last = 0;  // log10 ||dL/dh_1|| - log10 ||dL/dh_T|| (-inf if it hit 0)
  int steps_to_zero = -1;          // steps back until the gradient is exactly 0 (dead ReLUs,
                                   // scale=0); -1 if it never is
  // The forward pass left the precision's range at this step (0: it did not); then the measured
  // numbers above are NaN, and log10 ||h_t|| grew by this much per step before it.
  int overflow_step = 0;
  double log10_growth_per_step = 0;

  // Vanilla RNN: J_t = diag(act'(a_t)) W_hh, so ||J_t|| <= gamma * sigma_max(W_hh).
  double sigma_max_whh = 0;             // largest singular value of W_hh (RNN) or of its candidate
                                        // block (LSTM g, GRU n); NaN for a cell without W_hh
  double gamma = 0;                     // bound on act': tanh 1, sigmoid 1/4, relu 1, identity 1
  double mean_derivative = 0;           // mean act'(a_t) over steps and units (RNN; LSTM/GRU: 0)
  double fraction_zero_derivative = 0;  // relu: units off (act' = 0), averaged over steps

  // Gates: the mean of what the keep gate keeps over steps and units: the forget gate f (LSTM),
  // the update gate z (GRU), 1 - z (minGRU), f' (minLSTM), |lambda| (LRU); the keep path multiplies the gradient
  // by it, elementwise, at every step (for the minimal cells it is the whole step).
  double mean_gate = 0;
  double max_gate = 0;  // the largest of those factors, over steps and units (LRU: max |lambda|);
                        // NaN for the RNNs, which keep nothing by a gate

  // The fields the compute worker's messages carry, in order (web/worker/wire.h).
  template <class F>
  void visit(F&& f) {
    f("log10_per_step", log10_per_step);
    f("factor_per_step", factor_per_step);
    f("log10_first_to_last", log10_first_to_last);
    f("steps_to_zero", steps_to_zero);
    f("overflow_step", overflow_step);
    f("log10_growth_per_step", log10_growth_per_step);
    f("sigma_max_whh", sigma_max_whh);
    f("gamma", gamma);
    f("mean_derivative", mean_derivative);
    f("fraction_zero_derivative", fraction_zero_derivative);
    f("mean_gate", mean_gate);
    f("max_gate", max_gate);
  }
};

ProbeAnalysis analyze_probe(const Probe& probe);

// The largest singular value of m (from the eigenvalues of m^T m; 0 for an empty m).
double largest_singular_value(const Mat& m);

}  // namespace gs
