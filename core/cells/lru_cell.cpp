// The Linear Recurrent Unit (Orvieto et al. 2023, "Resurrecting Recurrent Neural Networks for
// Long Sequences"), as its minimal reference code computes it step by step. N complex units; the
// state h_t = a_t + i b_t is kept as H = 2N reals, [a; b]:
//
//   lambda = exp(-exp(nu_log) + i exp(theta_log)) = p + i q   (|lambda| = exp(-exp(nu_log)) < 1)
//   gamma = exp(gamma_log)                                    (the input's normalization)
//   u_t = (B_re + i B_im) x_t = r_t + i s_t                   (sequence.cpp: weight_ih x_t)
//   h_t = lambda h_{t-1} + gamma u_t, that is
//     a_t = p a_{t-1} - q b_{t-1} + gamma r_t
//     b_t = q a_{t-1} + p b_{t-1} + gamma s_t
//   y_t = Re((C_re + i C_im) h_t) + D x_t                     (sequence.cpp's readout)
//
// Nothing but lambda reads h_{t-1}, and lambda does not depend on t or on the input: each step
// back multiplies unit j's gradient by conj(lambda_j), so after k steps its size is |lambda_j|^k
// exactly. That is the whole of the LRU's answer to vanishing: the ring r_min <= |lambda| <= r_max
// the model is drawn on (model.cpp) sets how far back the gradient reaches.
//
// Backward, with (da, db) = dL/dh_t (the LRU's dgates: what reaches the step's linear update):
//   da_{t-1} = p da + q db          db_{t-1} = -q da + p db       (conj(lambda) (da + i db))
//   dp += da a_{t-1} + db b_{t-1}   dq += db a_{t-1} - da b_{t-1}
//   dgamma += da r_t + db s_t       dL/du_t = gamma (da, db), so dB = dL/du_t x_t^T
//   and through the parameterization: dnu_log = -exp(nu_log) (p dp + q dq),
//   dtheta_log = exp(theta_log) (p dq - q dp), dgamma_log = gamma dgamma.
#include "cells/cell.h"

namespace gs {

template <class T>
void lru_coefficients(const ParamsT<T>& params, MatT<T>& coefficients) {
  const Eigen::Index N = params.nu_log.size();
  coefficients.resize(N, 3);
  const auto modulus = (-params.nu_log.array().exp()).exp();
  const auto phase = params.theta_log.array().exp();
  coefficients.col(0) = modulus * phase.cos();
  coefficients.col(1) = modulus * phase.sin();
  coefficients.col(2) = params.gamma_log.array().exp();
}

template <class T>
void lru_forward(MatRef<T> h, ConstMatRef<T> u, ConstMatRef<T> h_prev, ConstMatRef<T> coefficients) {
  const Eigen::Index N = coefficients.rows();
  const auto p = coefficients.col(0).array(), q = coefficients.col(1).array();
  const auto gamma = coefficients.col(2).array();
  for (Eigen::Index col = 0; col < h.cols(); ++col) {
    const auto a_prev = h_prev.col(col).head(N).array(), b_prev = h_prev.col(col).tail(N).array();
    h.col(col).head(N) = p * a_prev - q * b_prev + gamma * u.col(col).head(N).array();
    h.col(col).tail(N) = q * a_prev + p * b_prev + gamma * u.col(col).tail(N).array();
  }
}

template <class T>
void lru_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> coefficients) {
  const Eigen::Index N = coefficients.rows();
  const auto p = coefficients.col(0).array(), q = coefficients.col(1).array();
  dgates = dh;
  for (Eigen::Index col = 0; col < dh.cols(); ++col) {
    const auto da = dh.col(col).head(N).array(), db = dh.col(col).tail(N).array();
    dh_prev.col(col).head(N) = p * da + q * db;
    dh_prev.col(col).tail(N) = p * db - q * da;
  }
}

template <class T>
void lru_add_gradients(ParamsT<T>& grads, const ParamsT<T>& params, ConstMatRef<T> coefficients,
                       ConstMatRef<T> dgates, ConstMatRef<T> h_prev, ConstMatRef<T> u,
                       ConstMatRef<T> x) {
  const Eigen::Index N = coefficients.rows();
  const auto p = coefficients.col(0).array(), q = coefficients.col(1).array();
  const auto gamma = coefficients.col(2).array();
  const auto da = dgates.topRows(N).array(), db = dgates.bottomRows(N).array();
  const auto a_prev = h_prev.topRows(N).array(), b_prev = h_prev.bottomRows(N).array();
  const VecT<T> dp = (da * a_prev + db * b_prev).rowwise().sum().matrix();
  const VecT<T> dq = (db * a_prev - da * b_prev).rowwise().sum().matrix();
  const VecT<T> dgamma =
      (da * u.topRows(N).array() + db * u.bottomRows(N).array()).rowwise().sum().matrix();
  MatT<T> du(2 * N, dgates.cols());  // dL/du_t = gamma dL/dh_t
  du.topRows(N) = (da.colwise() * gamma).matrix();
  du.bottomRows(N) = (db.colwise() * gamma).matrix();
  grads.weight_ih.noalias() += du * x.transpose();
  grads.nu_log.array() -= params.nu_log.array().exp() * (p * dp.array() + q * dq.array());
  grads.theta_log.array() += params.theta_log.array().exp() * (p * dq.array() - q * dp.array());
  grads.gamma_log.array() += gamma * dgamma.array();
}

#define GS_INSTANTIATE(T)                                                                        \
  template void lru_coefficients<T>(const ParamsT<T>&, MatT<T>&);                                \
  template void lru_forward<T>(MatRef<T>, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>);       \
  template void lru_backward<T>(MatRef<T>, MatRef<T>, ConstMatRef<T>, ConstMatRef<T>);           \
  template void lru_add_gradients<T>(ParamsT<T>&, const ParamsT<T>&, ConstMatRef<T>,             \
                                     ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>,             \
                                     ConstMatRef<T>);
GS_INSTANTIATE(float)
GS_INSTANTIATE(double)
#undef GS_INSTANTIATE

}  // namespace gs
