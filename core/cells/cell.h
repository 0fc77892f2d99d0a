// One time step of a recurrent cell, forward and backward, for every cell kind. Each kind's
// equations and code live in its own file (rnn_cell.cpp, lstm_cell.cpp, gru_cell.cpp,
// mingru_cell.cpp, minlstm_cell.cpp, lru_cell.cpp), forward
// and backward side by side. The arguments follow llm.c's order: outputs, then inputs, then the
// weights; every matrix is a column block of the sequence buffers of sequence.h (no copies).
//
// Shapes: H hidden units, B sequences of the batch as columns. The input projection
// W_ih x_t + b_ih is not done here: sequence.cpp computes it for many steps in one matrix
// product, and forward completes it in place. Backward returns dgates = dL/d(W_hh h_{t-1} + b_hh)
// for each gate block, from which sequence.cpp forms the weight gradients over many steps in one
// product too, and dL/dh_{t-1} (and dL/dc_{t-1}), the recursion that carries the gradient back.
#pragma once
#include "cells/cell_info.h"
#include "model/config.h"
#include "model/params.h"

namespace gs {

// Vanilla RNN. h: on entry W_ih x_t + b_ih + b_hh; on exit h_t = act(a_t). (H, B)
template <class T>
void rnn_forward(Activation act, MatRef<T> h, ConstMatRef<T> h_prev, const ParamsT<T>& p);
// dgates = dL/da_t (H, B) and dh_prev = W_hh^T dgates, from dh = dL/dh_t and h = h_t.
template <class T>
void rnn_backward(Activation act, MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh,
                  ConstMatRef<T> h, const ParamsT<T>& p);

// LSTM. gates (4H, B): on entry W_ih x_t + b_ih + b_hh; on exit i f g o after their
// nonlinearities. Writes h_t, c_t and tanh(c_t) (H, B).
template <class T>
void lstm_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> c, MatRef<T> tanh_c,
                  ConstMatRef<T> h_prev, ConstMatRef<T> c_prev, const ParamsT<T>& p);
template <class T>
void lstm_backward(MatRef<T> dgates, MatRef<T> dh_prev, MatRef<T> dc_prev, ConstMatRef<T> dh,
                   ConstMatRef<T> dc, ConstMatRef<T> gates, ConstMatRef<T> c_prev,
                   ConstMatRef<T> tanh_c, const ParamsT<T>& p);

// GRU. gates (3H, B): on entry W_ih x_t + b_ih; on exit r z n. Writes h_t and
// hidden_n = W_hn h_{t-1} + b_hn (H, B), which backward needs; scratch is (3H, B).
template <class T>
void gru_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> hidden_n, MatRef<T> scratch,
                 ConstMatRef<T> h_prev, const ParamsT<T>& p);
// The reset gate multiplies W_hn h + b_hn but not W_in x + b_in, so the gradient with respect to
// the input projection differs from dgates in the n block: dgates_in (3H, B) holds it.
template <class T>
void gru_backward(MatRef<T> dgates, MatRef<T> dgates_in, MatRef<T> dh_prev, ConstMatRef<T> dh,
                  ConstMatRef<T> gates, ConstMatRef<T> hidden_n, ConstMatRef<T> h_prev,
                  const ParamsT<T>& p);

// minGRU and minLSTM (Feng et al. 2024): the gates read x_t only, so there is no W_hh and the
// step Jacobian is diagonal. gates (2H or 3H, B): on entry W_ih x_t + b_ih; on exit h~ z (minGRU)
// or h~ f' i' (minLSTM). The caches backward needs: the candidate's pre-activation a_h (H, B) for
// the minGRU; a_h, f and i before their normalization (3H, B) for the minLSTM.
template <class T>
void mingru_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> candidate_in, ConstMatRef<T> h_prev);
template <class T>
void mingru_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> gates,
                     ConstMatRef<T> candidate_in, ConstMatRef<T> h_prev);
template <class T>
void minlstm_forward(MatRef<T> gates, MatRef<T> h, MatRef<T> raw, ConstMatRef<T> h_prev);
template <class T>
void minlstm_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> gates,
                      ConstMatRef<T> raw, ConstMatRef<T> h_prev);

// LRU (Orvieto et al. 2023): h is complex, [Re h; Im h] (2N rows). coefficients (N, 3) holds
// the columns Re lambda, Im lambda and gamma, computed once per pass from the parameters.
template <class T>
void lru_coefficients(const ParamsT<T>& params, MatT<T>& coefficients);
// h_t from h_{t-1} and u = (B_re + i B_im) x_t, the input projection (2N, B).
template <class T>
void lru_forward(MatRef<T> h, ConstMatRef<T> u, ConstMatRef<T> h_prev, ConstMatRef<T> coefficients);
// dgates = dh (dL/dh_t is what reaches the linear update) and dh_prev = conj(lambda) dh.
template <class T>
void lru_backward(MatRef<T> dgates, MatRef<T> dh_prev, ConstMatRef<T> dh, ConstMatRef<T> coefficients);
// Adds the gradients of weight_ih (B), nu_log, theta_log and gamma_log from a block of steps'
// columns: their dgates, h_{t-1}, u_t and x_t.
template <class T>
void lru_add_gradients(ParamsT<T>& grads, const ParamsT<T>& params, ConstMatRef<T> coefficients,
                       ConstMatRef<T> dgates, ConstMatRef<T> h_prev, ConstMatRef<T> u,
                       ConstMatRef<T> x);

}  // namespace gs
