#include "bptt/lag_split.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gs {

double log10_sum(const double* values, int count) {
  double top = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < count; ++i) {
    if (std::isnan(values[i])) return values[i];
    top = std::max(top, values[i]);
  }
  if (!std::isfinite(top)) return top;  // none, or every term exactly 0
  double sum = 0;
  for (int i = 0; i < count; ++i) sum += std::pow(10.0, values[i] - top);
  return top + std::log10(sum);
}

double LagSplit::log10_share_above(int lag) const {
  const int T = steps(), count = std::max(0, T - lag - 1);  // lags k = lag+1 .. T-1: t = 1..T-lag-1
  return log10_sum(log10_term.data(), count) - log10_total;
}

template <class T>
LagSplit lag_split(const ModelT<T>& model, const ForwardPass<T>& fwd, const MatT<T>& seed_grad_h) {
  LagSplit out;
  const int T_ = fwd.length;
  if (fwd.overflow_step > 0) {
    out.overflow_step = fwd.overflow_step;
    out.log10_term.assign(T_, std::nan(""));
    out.log10_total = std::nan("");
    return out;
  }
  out.log10_term.resize(T_);
  DecayCurve curve;  // decay.h's pass carries the gradient; its curve is not needed here
  DecayPass<T> pass;
  begin_decay(model, fwd, seed_grad_h, curve, pass);
  for (int t = T_; t >= 1; --t) {
    // One step back: pass.dgates becomes dgates_t, computed from the carried gradient at the
    // scale 10^log10_scale it has before the step (decay_steps renormalizes only after it).
    const double log10_scale = pass.log10_scale;
    decay_steps(model, fwd, curve, pass, 1);
    // The term is the rank-one dgates_t v^T, v = h_{t-1} (W_hh) or x_t (a cell without W_hh,
    // whose split is of dL/dW_ih; the LRU's dL/dB_t is gamma dgates_t x_t^T, lru_cell.cpp): its
    // norm is the product of the two norms.
    Eigen::VectorXd g = pass.dgates.template cast<double>();
    if (has_complex_state(model.cell)) {
      const Eigen::Index N = fwd.scratch.rows();
      const Eigen::ArrayXd gamma = fwd.scratch.col(2).template cast<double>();
      g.head(N).array() *= gamma;
      g.tail(N).array() *= gamma;
    }
    const double dgates = g.norm();
    const auto v = has_recurrent_weights(model.cell) ? fwd.h_at(t - 1)
                                                     : fwd.x.middleCols((t - 1) * fwd.batch, fwd.batch);
    const double v_norm = static_cast<double>(v.template cast<double>().norm());
    out.log10_term[t - 1] = dgates > 0 && v_norm > 0
                                ? std::log10(dgates) + log10_scale + std::log10(v_norm)
                                : -std::numeric_limits<double>::infinity();
  }
  out.log10_total = log10_sum(out.log10_term.data(), T_);
  return out;
}

LagSplit probe_lag_split(const Probe& probe) {
  return with_lane(probe, [&](const auto& lane) {
    using T = typename std::decay_t<decltype(lane.fwd.x)>::Scalar;
    return lag_split(lane.model, lane.fwd, MatT<T>(probe.seed_grad_h.cast<T>()));
  });
}

template LagSplit lag_split<float>(const ModelT<float>&, const ForwardPass<float>&,
                                   const MatT<float>&);
template LagSplit lag_split<double>(const ModelT<double>&, const ForwardPass<double>&,
                                    const MatT<double>&);

}  // namespace gs
