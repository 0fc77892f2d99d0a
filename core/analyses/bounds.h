// What theory predicts for the decay, to set beside the measured curve (decay.h) and the
// Lyapunov exponents (spectrum.h):
//
// - Vanilla RNNs, Pascanu, Mikolov & Bengio 2013: J_t = diag(act'(a_t)) W_hh and act' <= gamma
//   (tanh 1, sigmoid 1/4, relu 1, identity 1), so ||J_t|| <= gamma sigma_max(W_hh). When that
//   bound is below 1, no step back can grow the gradient: vanishing is guaranteed, at least as
//   fast as log10(bound) per step. Above 1 it guarantees nothing (it is necessary, not
//   sufficient, for exploding).
// - LSTM: the cell path dL/dc_{t-1} = f_t * dL/dc_t + ... multiplies by the forget gate alone;
//   GRU: the keep path dL/dh_{t-1} = z_t * dL/dh_t + ... by the update gate alone. Along that
//   path the gradient from step T reaches step t multiplied by prod_{s=t+1..T} of the gate,
//   unit by unit: the cell's own decay curve where the other paths have died out.
#pragma once
#include <vector>

#include "bptt/decay.h"

namespace gs {

struct Bounds {
  // Vanilla RNNs only (NaN for LSTM and GRU).
  double sigma_max_whh = 0;  // largest singular value of W_hh
  double gamma = 0;          // bound on act'
  double pascanu_bound = 0;  // gamma sigma_max(W_hh): a bound on ||J_t||; < 1: must vanish
  // LSTM (forget gate f) and GRU (update gate z); empty for the RNNs. Per step t = 1..T:
  std::vector<double> log10_keep_gate;  // mean over units of log10 gate_t
  std::vector<double> log10_keep_path;  // mean over units of log10 prod_{s=t+1..T} gate_s (0 at T)
  // The path's slope in decay's convention (probe_summary.h's log10_per_step):
  // log10_keep_path[t=1] / (T - 1), log10 per step back (-inf if a gate was exactly 0).
  double keep_path_log10_per_step = 0;
};

template <class T>
Bounds bounds_of(const ModelT<T>& model, const ForwardPass<T>& fwd, int column = 0);
Bounds probe_bounds(const Probe& probe);

}  // namespace gs
