// Forward over a whole sequence and exact backpropagation through time (BPTT), with a linear
// readout and a loss at the scored steps. Both passes can run in slices of steps (the browser
// advances them a few hundred steps per frame); the whole-sequence calls are loops over slices.
#pragma once
#include <vector>

#include "cell.h"
#include "model.h"

namespace gs {

enum class LossKind {
  Mse,          // sum over outputs of (y - target)^2, mean over batch and scored steps
  CrossEntropy  // softmax cross-entropy against one-hot targets, mean over batch and scored steps
};

// A batch of sequences: inputs[t] is (I, B); targets[t] is (O, B) at scored steps and empty
// (0 x 0) where step t carries no loss. t = 0 .. T-1 here; the docs count steps 1 .. T.
struct Batch {
  std::vector<Mat> inputs;
  std::vector<Mat> targets;
  LossKind loss = LossKind::Mse;
  int length() const { return static_cast<int>(inputs.size()); }
  int batch_size() const { return inputs.empty() ? 0 : static_cast<int>(inputs[0].cols()); }
  int scored_steps() const;
};

struct ForwardPass {
  std::vector<StepCache> steps;  // T
  std::vector<Mat> h;            // T+1: h[0] = h0, h[t] after step t
  std::vector<Mat> c;            // T+1 (LSTM only)
  std::vector<Mat> y;            // T: readout at scored steps, empty elsewhere
  real loss = 0;                 // accumulated over the steps done so far
  int steps_done = 0;
};

struct BackwardPass {
  Params grads;          // dL/dtheta, accumulated
  std::vector<Mat> dh;   // T+1: dh[t] = total dL/dh_t (dh[0] = dL/dh0)
  std::vector<Mat> dc;   // T+1: LSTM dL/dc_t
  Mat dh_next, dc_next;  // the recursion's carry: gradient arriving at h_t from step t+1
  int steps_left = 0;    // backward runs t = T .. 1; steps_left = t of the next step to do
};

// Forward: begin_forward allocates, forward_steps advances up to `budget` steps and returns true
// when the sequence is done. forward() does it all.
void begin_forward(const Model& model, const Batch& batch, const Mat& h0, const Mat& c0,
                   ForwardPass& pass);
bool forward_steps(const Model& model, const Batch& batch, ForwardPass& pass, int budget);
ForwardPass forward(const Model& model, const Batch& batch, const Mat& h0, const Mat& c0);

// Backward through the loss, the readout and every step, same slicing.
void begin_backward(const Model& model, const Batch& batch, BackwardPass& pass);
bool backward_steps(const Model& model, const Batch& batch, const ForwardPass& fwd,
                    BackwardPass& pass, int budget);
BackwardPass backward(const Model& model, const Batch& batch, const ForwardPass& fwd);

// dL/dy for the readout output at one scored step (already divided by batch and scored steps),
// and the loss contribution of that step.
real step_loss(LossKind loss, const Mat& y, const Mat& target, real normalizer, Mat* dy);

}  // namespace gs
