#include "sequence.h"

#include <algorithm>
#include <cmath>

namespace gs {

int Batch::scored_steps() const {
  int count = 0;
  for (const Mat& target : targets) count += target.size() > 0;
  return count;
}

// --- loss at one step ------------------------------------------------------------------------

real step_loss(LossKind loss, const Mat& y, const Mat& target, real normalizer, Mat* dy) {
  if (loss == LossKind::Mse) {
    const Mat diff = y - target;
    if (dy) *dy = (2 / normalizer) * diff;  // d/dy of sum (y - t)^2
    return diff.squaredNorm() / normalizer;
  }
  // Softmax cross-entropy, stabilized by subtracting each column's max.
  const Eigen::RowVectorXd column_max = y.colwise().maxCoeff();
  const Mat shifted = y.rowwise() - column_max;
  const Mat exp = shifted.array().exp();
  const Eigen::RowVectorXd log_sum = exp.colwise().sum().array().log();
  const Mat log_softmax = shifted.rowwise() - log_sum;
  if (dy) *dy = (log_softmax.array().exp().matrix() - target) / normalizer;  // softmax - onehot
  return -(target.array() * log_softmax.array()).sum() / normalizer;
}

namespace {

real loss_normalizer(const Batch& batch) {
  return static_cast<real>(batch.batch_size()) * std::max(1, batch.scored_steps());
}

}  // namespace

// --- forward ---------------------------------------------------------------------------------

void begin_forward(const Model& model, const Batch& batch, const Mat& h0, const Mat& c0,
                   ForwardPass& pass) {
  const int T = batch.length();
  pass.steps.assign(T, StepCache());
  pass.h.assign(T + 1, Mat());
  pass.c.assign(has_cell_state(model.cell) ? T + 1 : 0, Mat());
  pass.y.assign(T, Mat());
  pass.h[0] = h0;
  if (has_cell_state(model.cell)) pass.c[0] = c0;
  pass.loss = 0;
  pass.steps_done = 0;
}

bool forward_steps(const Model& model, const Batch& batch, ForwardPass& pass, int budget) {
  const bool lstm = has_cell_state(model.cell);
  const real normalizer = loss_normalizer(batch);
  const Mat no_state;
  for (; budget > 0 && pass.steps_done < batch.length(); --budget) {
    const int t = pass.steps_done;  // step t+1 in the 1-based count of the docs
    Mat unused_c;
    cell_forward(model.cell, model.params, batch.inputs[t], pass.h[t], lstm ? pass.c[t] : no_state,
                 pass.steps[t], pass.h[t + 1], lstm ? pass.c[t + 1] : unused_c);
    if (batch.targets[t].size() > 0) {
      Mat& y = pass.y[t];
      y.noalias() = model.params.weight_out * pass.h[t + 1];  // readout
      y.colwise() += model.params.bias_out;
      pass.loss += step_loss(batch.loss, y, batch.targets[t], normalizer, nullptr);
    }
    ++pass.steps_done;
  }
  return pass.steps_done == batch.length();
}

ForwardPass forward(const Model& model, const Batch& batch, const Mat& h0, const Mat& c0) {
  ForwardPass pass;
  begin_forward(model, batch, h0, c0, pass);
  forward_steps(model, batch, pass, batch.length());
  return pass;
}

// --- backward through time -------------------------------------------------------------------

void begin_backward(const Model& model, const Batch& batch, BackwardPass& pass) {
  const int T = batch.length(), H = model.hidden_size, B = batch.batch_size();
  pass.grads = zeros_like(model.params);
  pass.dh.assign(T + 1, Mat());
  pass.dc.assign(has_cell_state(model.cell) ? T + 1 : 0, Mat());
  pass.dh_next = Mat::Zero(H, B);  // nothing flows into h_T from a step T+1
  pass.dc_next = has_cell_state(model.cell) ? Mat::Zero(H, B) : Mat();
  pass.steps_left = T;
}

bool backward_steps(const Model& model, const Batch& batch, const ForwardPass& fwd,
                    BackwardPass& pass, int budget) {
  const bool lstm = has_cell_state(model.cell);
  const real normalizer = loss_normalizer(batch);
  Params& grads = pass.grads;
  for (; budget > 0 && pass.steps_left > 0; --budget) {
    const int t = pass.steps_left;  // h_t is fwd.h[t], produced by fwd.steps[t - 1]
    Mat& dh = pass.dh[t];
    dh = pass.dh_next;                      // from step t+1
    if (batch.targets[t - 1].size() > 0) {  // plus the loss at step t, through the readout
      Mat dy;
      step_loss(batch.loss, fwd.y[t - 1], batch.targets[t - 1], normalizer, &dy);
      grads.weight_out.noalias() += dy * fwd.h[t].transpose();
      grads.bias_out += dy.rowwise().sum();
      dh.noalias() += model.params.weight_out.transpose() * dy;
    }
    if (lstm) pass.dc[t] = pass.dc_next;
    Mat dh_prev, dc_prev;
    cell_backward(model.cell, model.params, fwd.steps[t - 1], dh, lstm ? pass.dc[t] : dh, &grads,
                  dh_prev, dc_prev, nullptr);
    pass.dh_next = std::move(dh_prev);
    if (lstm) pass.dc_next = std::move(dc_prev);
    if (--pass.steps_left == 0) {  // the gradient w.r.t. the initial state
      pass.dh[0] = pass.dh_next;
      if (lstm) pass.dc[0] = pass.dc_next;
    }
  }
  return pass.steps_left == 0;
}

BackwardPass backward(const Model& model, const Batch& batch, const ForwardPass& fwd) {
  BackwardPass pass;
  begin_backward(model, batch, pass);
  backward_steps(model, batch, fwd, pass, batch.length());
  return pass;
}

}  // namespace gs
