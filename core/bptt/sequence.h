// Forward over a whole sequence and exact backpropagation through time (BPTT), with a linear
// readout and a loss at the scored steps. Both passes can run in slices of steps (the browser's
// worker advances them between messages); the whole-sequence calls are loops over slices.
//
// Every step's values live in a few large buffers, step t in the column block
// [t B, (t+1) B), allocated once per pass (and reused when a trainer runs the next minibatch of
// the same shape): nothing is allocated inside the time loop. What can be computed for many
// steps at once is: the input projection W_ih x_t of every step (begin_forward), and the weight
// gradients dW = dgates X^T as one product over all T B columns instead of T outer products
// (when backward finishes). Only the recurrence itself, h_t from h_{t-1}, is step by step, and
// the numbers do not depend on how the passes are sliced.
#pragma once
#include <vector>

#include "cells/cell.h"
#include "model/model.h"

namespace gs {

enum class LossKind {
  Mse,          // sum over outputs of (y - target)^2, mean over batch and scored steps
  CrossEntropy  // softmax cross-entropy against one-hot targets, mean over batch and scored steps
};

// A batch of sequences, as the tasks make them: inputs[t] is (I, B); targets[t] is (O, B) at
// scored steps and empty (0 x 0) where step t carries no loss. t = 0 .. T-1 here; the docs count
// steps 1 .. T.
struct Batch {
  std::vector<Mat> inputs;
  std::vector<Mat> targets;
  LossKind loss = LossKind::Mse;
  int length() const { return static_cast<int>(inputs.size()); }
  int batch_size() const { return inputs.empty() ? 0 : static_cast<int>(inputs[0].cols()); }
  int scored_steps() const;
};

template <class T>
struct ForwardPass {
  int length = 0, batch = 0;  // T, B
  LossKind loss_kind = LossKind::Mse;
  MatT<T> x;                  // (I, T B)   the inputs, in this precision
  MatT<T> targets;            // (O, T B)   targets at the scored steps
  std::vector<char> scored;   // T          whether step t carries a loss
  MatT<T> gates;              // (G H, T B) gated cells: gate values after their nonlinearities;
                              //            LRU: u_t = (B_re + i B_im) x_t
  MatT<T> h;                  // (H, (T+1) B) h_0 .. h_T (RNN: also what act' is computed from)
  MatT<T> c;                  // (H, (T+1) B) LSTM: c_0 .. c_T
  MatT<T> aux;                // (H, T B)   LSTM: tanh(c_t); GRU: W_hn h_{t-1} + b_hn;
                              //            minGRU: a_h; minLSTM (3H): a_h, f, i (cell.h)
  MatT<T> scratch;            // (3H, B)    GRU: W_hh h_{t-1} + b_hh of the step in progress;
                              // (N, 3)     LRU: lambda and gamma (lru_coefficients)
  MatT<T> y;                  // (O, T B)   readout at the scored steps
  double loss = 0;            // accumulated over the steps done so far
  int steps_done = 0;
  // The first step (1-based) whose h_t left the range of T (inf or NaN: a ReLU or identity RNN
  // whose state grows without bound), 0 while every state is finite. Past it nothing computed
  // from the states is a number.
  int overflow_step = 0;

  // Column blocks: h_t and c_t for t = 0..T; the rest for the step that makes h_{t+1}.
  auto h_at(int t) { return h.middleCols(t * batch, batch); }
  auto h_at(int t) const { return h.middleCols(t * batch, batch); }
  auto c_at(int t) const { return c.middleCols(t * batch, batch); }
  auto y_at(int t) const { return y.middleCols(t * batch, batch); }
};

template <class T>
struct BackwardPass {
  ParamsT<T> grads;   // dL/dtheta
  MatT<T> dh;         // (H, (T+1) B) total dL/dh_t, t = 0..T (dh_0 = dL/dh0)
  MatT<T> dc;         // (H, (T+1) B) LSTM: dL/dc_t
  MatT<T> dgates;     // (G H, T B) dL/d(W_hh h_{t-1} + b_hh) at every step (no W_hh: of W_ih x_t + b_ih)
  MatT<T> dgates_in;  // (G H, T B) GRU only: dL/d(W_ih x_t + b_ih) (else the same as dgates)
  MatT<T> dy;         // (O, B) scratch: dL/dy_t
  int batch = 0;       // B
  int steps_left = 0;  // backward runs t = T .. 1; steps_left = t of the next step to do

  auto dh_at(int t) const { return dh.middleCols(t * batch, batch); }
  auto dc_at(int t) const { return dc.middleCols(t * batch, batch); }
};

// The LRU's |lambda_j|, j = 1..N, from the pass's coefficients (scratch): what every step keeps
// of unit j, Re and Im rows alike (bounds, the probe summary and saturation read it).
template <class T>
Eigen::ArrayXd lru_moduli(const ForwardPass<T>& fwd) {
  return fwd.scratch.leftCols(2).template cast<double>().rowwise().norm().array();
}

// Forward: begin_forward sizes the buffers, forward_steps advances up to `budget` steps and
// returns true when the sequence is done. forward() does it all.
template <class T>
void begin_forward(const ModelT<T>& model, const Batch& batch, const Mat& h0, const Mat& c0,
                   ForwardPass<T>& pass);
template <class T>
bool forward_steps(const ModelT<T>& model, ForwardPass<T>& pass, int budget);
template <class T>
ForwardPass<T> forward(const ModelT<T>& model, const Batch& batch, const Mat& h0, const Mat& c0);

// Backward through the loss, the readout and every step, same slicing.
template <class T>
void begin_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass);
template <class T>
bool backward_steps(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                    int budget);
template <class T>
BackwardPass<T> backward(const ModelT<T>& model, const ForwardPass<T>& fwd);

// Back through step t (1-based: from h_t to h_{t-1}), for any cell: from dh = dL/dh_t (and
// dc = dL/dc_t, LSTM) writes dgates (and dgates_in, GRU), dL/dh_{t-1} (and dL/dc_{t-1}). The one
// dispatch on the cell kind for backward; the decay curves use it with their own buffers.
template <class T>
void step_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, int t, MatRef<T> dgates,
                   MatRef<T> dgates_in, MatRef<T> dh_prev, MatRef<T> dc_prev, ConstMatRef<T> dh,
                   ConstMatRef<T> dc);

// The two ends of backward, for other orders of the steps (truncation.h): the loss at scored
// step t (1-based) through the readout, which adds dL/dW_out and dL/db_out to pass.grads and
// W_out^T dL/dy_t to dh (pass.dy is its scratch; `normalizer` is loss_normalizer's); and, once
// every step's dgates (and dgates_in) are in place, the weight gradients of all steps in one
// product each.
template <class T>
void add_loss_gradient(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                       int t, double normalizer, MatRef<T> dh);
template <class T>
void finish_weight_gradients(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass);
// What finish_weight_gradients does, for the steps whose columns of the pass begin at
// first_column, with their dgates (and dgates_in, GRU; else ignored): adds to grads.
template <class T>
void add_weight_gradients(const ModelT<T>& model, const ForwardPass<T>& fwd, int first_column,
                          ConstMatRef<T> dgates, ConstMatRef<T> dgates_in, ParamsT<T>& grads);

// The readout at one step: y = weight_out h + bias_out, plus the LRU's skip D x (cells without
// them have the tensors empty).
template <class T>
void readout(const ParamsT<T>& p, ConstMatRef<T> h, ConstMatRef<T> x, MatRef<T> y);

// The loss at one step and, if dy is given, dL/dy (both divided by `normalizer`: the batch
// size times the number of scored steps, loss_normalizer). No allocation.
double loss_normalizer(int batch, const std::vector<char>& scored);
template <class T>
double step_loss(LossKind loss, ConstMatRef<T> y, ConstMatRef<T> target, double normalizer,
                 MatT<T>* dy);

}  // namespace gs
