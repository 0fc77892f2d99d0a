// minLSTM (Feng et al. 2024), as lucidrains/minGRU-pytorch's minLSTM computes it step by step;
// its one weight is to_hidden_and_f_i_gate (3H x I), rows stacked h f i:
//
//   [a_h a_f a_i] = W_ih x_t + b_ih      the gates see the input only
//   h~ = g(a_h) (min_gate.h)   f = sigma(a_f)   i = sigma(a_i)
//   f' = f / (f + i)   i' = i / (f + i)   (so f' + i' = 1: the state stays on h~'s scale;
//                                          where f + i underflows, in log space)
//   h_t = f' * h_{t-1} + i' * h~
//
// Backward, with dh = dL/dh_t and s = f + i:
//   dh_{t-1} = dh f'                     a diagonal step Jacobian, f'
//   df' = dh h_{t-1}   di' = dh h~       and through the normalization
//   df = (i / s^2)(df' - di')   di = (f / s^2)(di' - df'),   i / s^2 = f' i' / f, f / s^2 = f' i' / i
//   da_h = dh i' g'(a_h)   da_f = df f (1 - f) = dh (h_{t-1} - h~) f' i' (1 - f)
//                          da_i = di i (1 - i) = dh (h~ - h_{t-1}) f' i' (1 - i)
#include "cells/cell.h"
#include "cells/min_gate.h"

namespace gs {

template <class T>
void minlstm_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> raw, ConstMatRef<T> h_prev) {
  const Eigen::Index H = h.rows();
  raw.topRows(H) = gates.topRows(H);                                  // a_h
  raw.bottomRows(2 * H) = gates.bottomRows(2 * H).array().logistic();  // f, i
  const auto f = raw.middleRows(H, H).array();
  const auto i = raw.bottomRows(H).array();
  if (((f + i) > T(0)).all()) {
    gates.middleRows(H, H) = f / (f + i);  // f'
    gates.bottomRows(H) = i / (f + i);     // i'
  } else {
    // f + i underflowed to 0 somewhere (a_f and a_i below about -87 in float): the same numbers
    // in log space, f' = sigma(d) and i' = sigma(-d) with d = log f - log i =
    // softplus(-a_i) - softplus(-a_f) (log sigma(a) = -softplus(-a)). In place, nothing
    // allocated: d over a_f, then i' from d, then f' from d. Rare: the common step pays one check.
    const auto softplus = [](const auto& x) { return x.max(T(0)) + (-x.abs()).exp().log1p(); };
    auto d = gates.middleRows(H, H).array();
    d = softplus(-gates.bottomRows(H).array()) - softplus(-d);
    gates.bottomRows(H) = (-d).logistic();  // i'
    d = d.logistic();                       // f'
  }
  gates.topRows(H) = min_candidate(raw.topRows(H).array());  // h~
  h = gates.middleRows(H, H).array() * h_prev.array() +
      gates.bottomRows(H).array() * gates.topRows(H).array();
}

template <class T>
void minlstm_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> gates,
                      ConstMatRef<T> raw, ConstMatRef<T> h_prev) {
  const Eigen::Index H = dh.rows();
  const auto candidate = gates.topRows(H).array();
  const auto f_norm = gates.middleRows(H, H).array(), i_norm = gates.bottomRows(H).array();
  const auto f = raw.middleRows(H, H).array(), i = raw.bottomRows(H).array();
  const auto shared = dh.array() * (h_prev.array() - candidate) * f_norm * i_norm;
  dgates.topRows(H) = dh.array() * i_norm * min_candidate_derivative(raw.topRows(H).array());
  dgates.middleRows(H, H) = shared * (1 - f);
  dgates.bottomRows(H) = -shared * (1 - i);
  dh_prev = dh.array() * f_norm;
}

template void minlstm_forward<float>(MatRef<float>, MatRef<float>, MatRef<float>, ConstMatRef<float>);
template void minlstm_forward<double>(MatRef<double>, MatRef<double>, MatRef<double>,
                                      ConstMatRef<double>);
template void minlstm_backward<float>(MatRef<float>, MatRef<float>, ConstMatRef<float>,
                                      ConstMatRef<float>, ConstMatRef<float>, ConstMatRef<float>);
template void minlstm_backward<double>(MatRef<double>, MatRef<double>, ConstMatRef<double>,
                                       ConstMatRef<double>, ConstMatRef<double>, ConstMatRef<double>);

}  // namespace gs
