// Parameters of one recurrent layer plus its linear readout, in PyTorch's names and layout
// (torch.nn.RNN / LSTM / GRU, layer 0), so they can be exported and checked against PyTorch.
// G is the number of gate blocks stacked in the rows: 1 for RNN, 4 for LSTM (i f g o), 3 for GRU
// (r z n), 2 for minGRU (h z), 3 for minLSTM (h f i). A cell without W_hh (the last two, and the
// LRU) has weight_hh 0 x H and bias_hh empty. The same struct holds the gradients.
//
// The LRU (Orvieto et al. 2023) has N = H / 2 complex units (h is [Re h; Im h], H reals) and its
// own tensors, empty for every other cell: lambda_j = exp(-exp(nu_log_j) + i exp(theta_log_j)),
// the input's gain exp(gamma_log_j), weight_ih = [B_re; B_im] (H x I, no bias_ih),
// weight_out = [C_re, -C_im] (so that weight_out h = Re(C h)), no bias_out, and the skip
// y_t += D x_t. lru_cell.cpp has the equations; the files name the tensors as the LRU's
// reference code does (B_re, B_im, C_re, C_im, D).
#pragma once
#include <cmath>
#include <utility>

#include "model/scalar.h"

namespace gs {

template <class T>
struct ParamsT {
  MatT<T> weight_ih;   // (G*H, I)
  MatT<T> weight_hh;   // (G*H, H)
  VecT<T> bias_ih;     // (G*H)
  VecT<T> bias_hh;     // (G*H)
  MatT<T> weight_out;  // (O, H)  readout y_t = weight_out h_t + bias_out (+ skip x_t)
  VecT<T> bias_out;    // (O)
  VecT<T> nu_log;      // (N)     LRU only, like the three below
  VecT<T> theta_log;   // (N)
  VecT<T> gamma_log;   // (N)
  MatT<T> skip;        // (O, I)  D

  // Calls f(name, tensor) for every tensor, PyTorch name first; f takes `auto&`.
  template <class F>
  void visit(F&& f) {
    f("weight_ih_l0", weight_ih);
    f("weight_hh_l0", weight_hh);
    f("bias_ih_l0", bias_ih);
    f("bias_hh_l0", bias_hh);
    f("weight_out", weight_out);
    f("bias_out", bias_out);
    f("nu_log", nu_log);
    f("theta_log", theta_log);
    f("gamma_log", gamma_log);
    f("D", skip);
  }
  template <class F>
  void visit(F&& f) const {
    const_cast<ParamsT*>(this)->visit(
        [&](const char* name, auto& t) { f(name, std::as_const(t)); });
  }
};
using Params = ParamsT<double>;

// Zero tensors of the same shapes as `like`.
template <class T>
ParamsT<T> zeros_like(const ParamsT<T>& like) {
  ParamsT<T> zeros = like;
  zeros.visit([](const char*, auto& tensor) { tensor.setZero(); });
  return zeros;
}

// The same values in another precision (float -> double is exact).
template <class To, class From>
ParamsT<To> params_cast(const ParamsT<From>& from) {
  ParamsT<To> to;
  to.weight_ih = from.weight_ih.template cast<To>();
  to.weight_hh = from.weight_hh.template cast<To>();
  to.bias_ih = from.bias_ih.template cast<To>();
  to.bias_hh = from.bias_hh.template cast<To>();
  to.weight_out = from.weight_out.template cast<To>();
  to.bias_out = from.bias_out.template cast<To>();
  to.nu_log = from.nu_log.template cast<To>();
  to.theta_log = from.theta_log.template cast<To>();
  to.gamma_log = from.gamma_log.template cast<To>();
  to.skip = from.skip.template cast<To>();
  return to;
}

// Total number of scalars.
template <class T>
long count_scalars(const ParamsT<T>& params) {
  long count = 0;
  params.visit([&](const char*, const auto& tensor) { count += tensor.size(); });
  return count;
}

// The global L2 norm over every tensor, computed with scaling (as LAPACK's nrm2) so that it
// neither overflows for entries above 1e154 nor underflows below 1e-154: clipping must work on
// any finite gradient. Accumulated in double whatever T is.
template <class T>
double global_norm(const ParamsT<T>& params) {
  double norm = 0;
  params.visit([&](const char*, const auto& tensor) {
    norm = std::hypot(norm, static_cast<double>(tensor.template cast<double>().stableNorm()));
  });
  return norm;
}

}  // namespace gs
