#include "analyses/bounds.h"

#include <cmath>

#include "analyses/probe_summary.h"
#include "cells/cell.h"

namespace gs {

template <class T>
Bounds bounds_of(const ModelT<T>& model, const ForwardPass<T>& fwd, int column) {
  Bounds b;
  const int H = model.hidden_size, T_ = fwd.length, B = fwd.batch;
  const CellKind cell = model.cell;
  if (keep_gate_block(cell) < 0 && !has_complex_state(cell)) {  // an RNN: Pascanu's bound
    b.sigma_max_whh = largest_singular_value(model.params.weight_hh.template cast<double>());
    b.gamma = activation_derivative_bound(cell);
    b.pascanu_bound = b.gamma * b.sigma_max_whh;
    return b;
  }
  b.sigma_max_whh = b.gamma = b.pascanu_bound = std::nan("");
  const int keep = keep_gate_block(cell) * H;  // f (LSTM, minLSTM's f') or z (GRU, minGRU)
  const bool complement = cell_info(cell).keep_is_complement;  // the minGRU keeps 1 - z
  b.log10_keep_gate.resize(T_);
  // the LRU keeps |lambda_j| of unit j, the same at every step
  const double lru_keep = has_complex_state(cell) ? lru_moduli(fwd).log10().mean() : 0.0;
  for (int t = 1; t <= T_; ++t) {
    if (has_complex_state(cell)) {
      b.log10_keep_gate[t - 1] = lru_keep;
      continue;
    }
    const Eigen::ArrayXd gate =
        fwd.gates.col((t - 1) * B + column).segment(keep, H).template cast<double>().array();
    b.log10_keep_gate[t - 1] = (complement ? 1 - gate : gate).log10().mean();
  }
  b.log10_keep_path.assign(T_, 0.0);
  for (int t = T_ - 1; t >= 1; --t)  // prod over s = t+1..T
    b.log10_keep_path[t - 1] = b.log10_keep_path[t] + b.log10_keep_gate[t];
  b.keep_path_log10_per_step = T_ > 1 ? b.log10_keep_path[0] / (T_ - 1) : 0.0;
  return b;
}

Bounds probe_bounds(const Probe& probe) {
  return with_lane(probe, [&](const auto& lane) { return bounds_of(lane.model, lane.fwd); });
}

template Bounds bounds_of<float>(const ModelT<float>&, const ForwardPass<float>&, int);
template Bounds bounds_of<double>(const ModelT<double>&, const ForwardPass<double>&, int);

}  // namespace gs
