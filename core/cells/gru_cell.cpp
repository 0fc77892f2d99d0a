// GRU (Cho et al. 2014), as torch.nn.GRU; gates stacked r z n:
//
//   [gi_r gi_z gi_n] = W_ih x_t + b_ih        [gh_r gh_z gh_n] = W_hh h_{t-1} + b_hh
//   r = sigma(gi_r + gh_r)   z = sigma(gi_z + gh_z)
//   n = tanh(gi_n + r * gh_n)
//   h_t = (1 - z) * n + z * h_{t-1}
//
// Backward, with dh = dL/dh_t:
//   dh_{t-1} gets dh * z directly: the update gate's "keep" path, where the gradient is scaled
//   by z only (no squashing derivative), which is how the GRU holds on to it when z ~ 1;
//   dn = dh (1 - z)   dz = dh (h_{t-1} - n)   da_n = dn (1 - n^2)   dr = da_n gh_n
//   dgi = [dr r(1-r), dz z(1-z), da_n]        dgh = [dr r(1-r), dz z(1-z), da_n r]
//   dh_{t-1} += W_hh^T dgh   dW_ih += dgi x^T   dW_hh += dgh h_{t-1}^T
#include "cells/activations.h"
#include "cells/cell.h"

namespace gs {

template <class T>
void gru_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> hidden_n, MatRef<T> scratch,
                 ConstMatRef<T> h_prev, const ParamsT<T>& p) {
  const Eigen::Index H = h.rows();
  MatRef<T> gh = scratch;  // (3H, B) W_hh h_{t-1} + b_hh
  gh.noalias() = p.weight_hh * h_prev;
  gh.colwise() += p.bias_hh;
  gates.topRows(2 * H) = (gates.topRows(2 * H) + gh.topRows(2 * H)).array().logistic();  // r, z
  const auto r = gates.middleRows(0, H).array();
  const auto z = gates.middleRows(H, H).array();
  gates.bottomRows(H) = tanh_of(gates.bottomRows(H).array() + r * gh.bottomRows(H).array());  // n
  const auto n = gates.bottomRows(H).array();
  h = (1 - z) * n + z * h_prev.array();  // interpolate between candidate and previous state
  hidden_n = gh.bottomRows(H);           // W_hn h + b_hn, needed for dr
}

template <class T>
void gru_backward(MatRef<T> dgates, MatRef<T> dgates_in, MatRef<T> dh_prev, ConstMatRef<T> dh,
                  ConstMatRef<T> gates, ConstMatRef<T> hidden_n, ConstMatRef<T> h_prev,
                  const ParamsT<T>& p) {
  const Eigen::Index H = dh.rows();
  const auto r = gates.middleRows(0, H).array();
  const auto z = gates.middleRows(H, H).array();
  const auto n = gates.middleRows(2 * H, H).array();

  auto da_n = dgates_in.bottomRows(H).array();
  da_n = dh.array() * (1 - z) * (1 - n.square());                                  // through tanh
  dgates.topRows(H) = da_n * hidden_n.array() * r * (1 - r);                     // r multiplies gh_n
  dgates.middleRows(H, H) = dh.array() * (h_prev.array() - n) * z * (1 - z);     // through sigma
  dgates.bottomRows(H) = da_n * r;
  dgates_in.topRows(2 * H) = dgates.topRows(2 * H);  // r and z see x and h alike
  dh_prev = dh.array() * z;                            // the direct "keep" path
  dh_prev.noalias() += p.weight_hh.transpose() * dgates;  // and through every gate
}

template void gru_forward<float>(MatRef<float>, MatRef<float>, MatRef<float>, MatRef<float>,
                                 ConstMatRef<float>, const ParamsT<float>&);
template void gru_forward<double>(MatRef<double>, MatRef<double>, MatRef<double>, MatRef<double>,
                                  ConstMatRef<double>, const ParamsT<double>&);
template void gru_backward<float>(MatRef<float>, MatRef<float>, MatRef<float>, ConstMatRef<float>,
                                  ConstMatRef<float>, ConstMatRef<float>, ConstMatRef<float>,
                                  const ParamsT<float>&);
template void gru_backward<double>(MatRef<double>, MatRef<double>, MatRef<double>,
                                   ConstMatRef<double>, ConstMatRef<double>, ConstMatRef<double>,
                                   ConstMatRef<double>, const ParamsT<double>&);

}  // namespace gs
