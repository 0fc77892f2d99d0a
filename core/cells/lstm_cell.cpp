// LSTM (Hochreiter & Schmidhuber 1997, with forget gate), as torch.nn.LSTM; gates stacked i f g o:
//
//   [a_i a_f a_g a_o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
//   i = sigma(a_i)  f = sigma(a_f)  g = tanh(a_g)  o = sigma(a_o)
//   c_t = f * c_{t-1} + i * g
//   h_t = o * tanh(c_t)
//
// Backward, with dh = dL/dh_t and dc = dL/dc_t arriving from step t+1:
//   dc_t    = dc + dh * o * (1 - tanh(c_t)^2)     all the gradient that reaches c_t
//   dc_{t-1} = dc_t * f                            the additive path: no squashing derivative,
//                                                 only the forget gate, so it can carry the
//                                                 gradient over many steps when f ~ 1
//   da_i = dc_t g i(1-i)   da_f = dc_t c_{t-1} f(1-f)   da_g = dc_t i (1-g^2)
//   da_o = dh tanh(c_t) o(1-o)
//   dh_{t-1} = W_hh^T da   dW_ih += da x^T   dW_hh += da h_{t-1}^T   db += sum_batch da
#include "cells/activations.h"
#include "cells/cell.h"

namespace gs {

template <class T>
void lstm_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> c, MatRef<T> tanh_c,
                  ConstMatRef<T> h_prev, ConstMatRef<T> c_prev, const ParamsT<T>& p) {
  const Eigen::Index H = h.rows();
  gates.noalias() += p.weight_hh * h_prev;                                    // pre-activations
  gates.topRows(2 * H) = gates.topRows(2 * H).array().logistic();             // i, f
  gates.middleRows(2 * H, H) = tanh_of(gates.middleRows(2 * H, H).array());    // g
  gates.bottomRows(H) = gates.bottomRows(H).array().logistic();               // o
  const auto i = gates.middleRows(0, H).array();
  const auto f = gates.middleRows(H, H).array();
  const auto g = gates.middleRows(2 * H, H).array();
  const auto o = gates.middleRows(3 * H, H).array();
  c = f * c_prev.array() + i * g;  // c = f c_prev + i g
  tanh_c = tanh_of(c.array());
  h = o * tanh_c.array();  // h = o tanh(c)
}

template <class T>
void lstm_backward(MatRef<T> dgates, MatRef<T> dh_prev, MatRef<T> dc_prev, ConstMatRef<T> dh,
                   ConstMatRef<T> dc, ConstMatRef<T> gates, ConstMatRef<T> c_prev,
                   ConstMatRef<T> tanh_c, const ParamsT<T>& p) {
  const Eigen::Index H = dh.rows();
  const auto i = gates.middleRows(0, H).array();
  const auto f = gates.middleRows(H, H).array();
  const auto g = gates.middleRows(2 * H, H).array();
  const auto o = gates.middleRows(3 * H, H).array();
  const auto tc = tanh_c.array();

  dc_prev = dc.array() + dh.array() * o * (1 - tc.square());  // dc_t: all that reaches c_t
  const auto dc_t = dc_prev.array();
  dgates.middleRows(0, H) = dc_t * g * i * (1 - i);                     // input gate
  dgates.middleRows(H, H) = dc_t * c_prev.array() * f * (1 - f);        // forget gate
  dgates.middleRows(2 * H, H) = dc_t * i * (1 - g.square());            // candidate
  dgates.middleRows(3 * H, H) = dh.array() * tc * o * (1 - o);          // output gate
  dc_prev.array() *= f;                                                  // the additive path
  dh_prev.noalias() = p.weight_hh.transpose() * dgates;
}

template void lstm_forward<float>(MatRef<float>, MatRef<float>, MatRef<float>, MatRef<float>,
                                  ConstMatRef<float>, ConstMatRef<float>, const ParamsT<float>&);
template void lstm_forward<double>(MatRef<double>, MatRef<double>, MatRef<double>,
                                   MatRef<double>, ConstMatRef<double>, ConstMatRef<double>,
                                   const ParamsT<double>&);
template void lstm_backward<float>(MatRef<float>, MatRef<float>, MatRef<float>, ConstMatRef<float>,
                                   ConstMatRef<float>, ConstMatRef<float>, ConstMatRef<float>,
                                   ConstMatRef<float>, const ParamsT<float>&);
template void lstm_backward<double>(MatRef<double>, MatRef<double>, MatRef<double>,
                                    ConstMatRef<double>, ConstMatRef<double>, ConstMatRef<double>,
                                    ConstMatRef<double>, ConstMatRef<double>,
                                    const ParamsT<double>&);

}  // namespace gs
