// minGRU (Feng et al. 2024, "Were RNNs All We Needed?"), as lucidrains/minGRU-pytorch computes
// it step by step; its one weight is to_hidden_and_gate (2H x I), rows stacked h z:
//
//   [a_h a_z] = W_ih x_t + b_ih          nothing reads h_{t-1}: the gates see the input only
//   h~ = g(a_h) (min_gate.h)   z = sigma(a_z)
//   h_t = (1 - z) * h_{t-1} + z * h~
//
// Backward, with dh = dL/dh_t:
//   dh_{t-1} = dh (1 - z)                the whole recursion: a diagonal step Jacobian, 1 - z,
//                                        so the gradient keeps what the gate leaves, no more
//   da_h = dh z g'(a_h)    da_z = dh (h~ - h_{t-1}) z (1 - z)
//   dW_ih += da x^T   db_ih += sum_batch da
#include "cells/cell.h"
#include "cells/min_gate.h"

namespace gs {

template <class T>
void mingru_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> candidate_in, ConstMatRef<T> h_prev) {
  const Eigen::Index H = h.rows();
  candidate_in = gates.topRows(H);
  gates.topRows(H) = min_candidate(candidate_in.array());          // h~
  gates.bottomRows(H) = gates.bottomRows(H).array().logistic();    // z
  const auto candidate = gates.topRows(H).array();
  const auto z = gates.bottomRows(H).array();
  h = (1 - z) * h_prev.array() + z * candidate;
}

template <class T>
void mingru_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> gates,
                     ConstMatRef<T> candidate_in, ConstMatRef<T> h_prev) {
  const Eigen::Index H = dh.rows();
  const auto candidate = gates.topRows(H).array();
  const auto z = gates.bottomRows(H).array();
  dgates.topRows(H) = dh.array() * z * min_candidate_derivative(candidate_in.array());
  dgates.bottomRows(H) = dh.array() * (candidate - h_prev.array()) * z * (1 - z);
  dh_prev = dh.array() * (1 - z);
}

template void mingru_forward<float>(MatRef<float>, MatRef<float>, MatRef<float>, ConstMatRef<float>);
template void mingru_forward<double>(MatRef<double>, MatRef<double>, MatRef<double>,
                                     ConstMatRef<double>);
template void mingru_backward<float>(MatRef<float>, MatRef<float>, ConstMatRef<float>,
                                     ConstMatRef<float>, ConstMatRef<float>, ConstMatRef<float>);
template void mingru_backward<double>(MatRef<double>, MatRef<double>, ConstMatRef<double>,
                                      ConstMatRef<double>, ConstMatRef<double>, ConstMatRef<double>);

}  // namespace gs
