// Vanilla (Elman) RNN, as torch.nn.RNN (tanh, relu) plus sigmoid and identity for teaching:
//
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
//   h_t = act(a_t)
//
// Backward, with dh = dL/dh_t:
//   da      = dh * act'(a_t)          act' written from h_t: tanh' = 1 - h^2, sigmoid' = h (1 - h),
//                                     relu' = [h > 0], identity' = 1
//   dW_ih  += da x_t^T     db_ih += sum_batch da          (sequence.cpp, over many steps at once)
//   dW_hh  += da h_{t-1}^T db_hh += sum_batch da
//   dh_{t-1} = W_hh^T da   (the Jacobian J_t^T = W_hh^T diag(act'(a_t)) whose product vanishes)
#include "cells/activations.h"
#include "cells/cell.h"

namespace gs {

template <class T>
void rnn_forward(Activation act, MatRef<T> h, ConstMatRef<T> h_prev, const ParamsT<T>& p) {
  h.noalias() += p.weight_hh * h_prev;  // a = (W_ih x + b_ih + b_hh) + W_hh h_{t-1}
  switch (act) {
    case Activation::Tanh: h = tanh_of(h.array()); break;
    case Activation::Relu: h = h.array().max(T(0)); break;
    case Activation::Sigmoid: h = h.array().logistic(); break;
    case Activation::Identity:
    case Activation::None: break;
  }
}

template <class T>
void rnn_backward(Activation act, MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh,
                  ConstMatRef<T> h, const ParamsT<T>& p) {
  switch (act) {  // back through act
    case Activation::Tanh: dgates = dh.array() * (1 - h.array().square()); break;
    case Activation::Relu: dgates = (h.array() > 0).select(dh.array(), T(0)); break;
    case Activation::Sigmoid: dgates = dh.array() * h.array() * (1 - h.array()); break;
    case Activation::Identity:
    case Activation::None: dgates = dh; break;
  }
  dh_prev.noalias() = p.weight_hh.transpose() * dgates;  // back through W_hh
}

template void rnn_forward<float>(Activation, MatRef<float>, ConstMatRef<float>,
                                 const ParamsT<float>&);
template void rnn_forward<double>(Activation, MatRef<double>, ConstMatRef<double>,
                                  const ParamsT<double>&);
template void rnn_backward<float>(Activation, MatRef<float>, MatRef<float>, ConstMatRef<float>,
                                  ConstMatRef<float>, const ParamsT<float>&);
template void rnn_backward<double>(Activation, MatRef<double>, MatRef<double>, ConstMatRef<double>,
                                   ConstMatRef<double>, const ParamsT<double>&);

}  // namespace gs
