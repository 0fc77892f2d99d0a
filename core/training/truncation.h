// Truncated backpropagation through time: with truncate = k, the gradient of each loss flows back
// at most k steps.
//
// The math. A loss L_s at step s (1-based: it reads h_s through the readout) depends on the
// recurrent parameters theta through every step t = 1..s that made h_t from h_{t-1}. Full BPTT
// sums all of them:
//
//   dL/dtheta = sum_s sum_{t=1}^{s} (dL_s/dh_t) (d h_t / d theta)|_{h_{t-1} fixed},
//   dL_s/dh_t = dL_s/dh_s J_s J_{s-1} ... J_{t+1},    J_u = dh_u/dh_{u-1}.
//
// Truncated to k steps, each loss keeps the k steps that end at it, t = s-k+1 .. s (fewer when
// s < k); the contributions of the steps before s-k+1 are dropped:
//
//   g_k = sum_s sum_{t=max(1, s-k+1)}^{s} (dL_s/dh_t) (d h_t / d theta)|_{h_{t-1} fixed}
//
// plus the readout's gradient, which comes from step s alone and is never truncated. This is the
// exact gradient of sum_s L_s where, for each loss separately, the state h_{s-k} (and c_{s-k},
// LSTM) it starts from is held constant: a stop-gradient k steps before every loss. With losses
// at many steps (copy memory) every loss has its own window, so the gradient reaching h_t is
// sum_{s=t}^{t+k-1} dL_s/dh_t: a loss at s contributes to h_t only while s - t < k. Schemes that
// carry the summed gradient of a block of losses back a fixed number of steps (Williams & Peng's
// BPTT(h; h'), or one backward pass stopped k steps before the end) agree with this when there
// is one loss, and differ when there are many.
//
// The cost: every loss is carried back separately, up to k steps, so a pass costs (scored steps)
// x min(k, s) step-backwards instead of T: the same as full BPTT for one loss at the last step
// (adding, remember-first; there it is exactly full BPTT stopped after k steps), up to k times
// more with a loss at every step (copy). k >= s for every scored s drops nothing: training then
// runs the ordinary full pass, so truncate >= T is bitwise full BPTT.
//
// The computation runs lag by lag: at lag l every loss s with s - l >= 1 takes one step back, its
// gradient going from h_{s-l} to h_{s-l-1}. After lag k-1 the gradient is g_k, so one pass over
// every lag gives g_k for k = 1..T (the cosine curve below) at the cost of g_T.
#pragma once
#include <cstdint>
#include <vector>

#include "bptt/sequence.h"
#include "training/tasks.h"

namespace gs {

// Whether truncating to k steps drops any contribution: k > 0 and some scored step s > k.
bool truncation_drops(int k, const std::vector<char>& scored);

// The state of a truncated backward pass. Loss s's gradient in flight is kept in the
// BackwardPass's dh (and dc) column block s (those buffers do not hold dL/dh_t then).
template <class T>
struct TruncatedBackward {
  int k = 0;                // steps each loss's gradient flows back; 0: the full pass is used
  std::vector<int> losses;  // the scored steps s (1-based), last first
  int lag = 0;              // the lag in progress: loss s's gradient is at h_{s-lag}
  size_t next_loss = 0;     // the next loss of this lag (index into losses)
  int64_t steps_done = 0;   // step-backwards so far
  MatT<T> dh_prev, dc_prev, dgates, dgates_in;  // one step's scratch: (H, B), (G H, B)
};

// Backward for training: full BPTT (sequence.h) when `k` drops nothing, else truncated; sliced
// like backward_steps. training_backward_steps spends up to `budget` step-backwards (at least
// one), decreases it by what it did, and returns true when pass.grads holds the gradient.
template <class T>
void begin_training_backward(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass, TruncatedBackward<T>& state, int k);
template <class T>
bool training_backward_steps(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass, TruncatedBackward<T>& state, int& budget);

// The truncated gradient in one go (k >= 1), always through the lag-by-lag computation (also
// when k drops nothing: then it equals full BPTT up to the order of the sums).
template <class T>
BackwardPass<T> truncated_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, int k);

// How close truncation comes to the full gradient: for one minibatch, the cosine similarity
// between the truncated gradient g_k and the full one, for k = 1..T (T: the task's steps), over
// the recurrent layer's parameters (W_ih, W_hh, b_ih, b_hh; the readout's gradient is the same
// in both and would only pull the cosine towards 1). The model and the minibatch are the ones
// training starts from (make_trainer's weights and its first minibatch) for (cell, config).
template <class T>
struct TruncationLane {
  ModelT<T> model;
  ForwardPass<T> fwd;
  BackwardPass<T> pass;
  TruncatedBackward<T> state;
  ParamsT<T> full;     // the full BPTT gradient
  ParamsT<T> partial;  // the recurrent layer's g_k so far
};

struct TruncationProbe {
  CellKind cell = CellKind::RnnTanh;
  Precision precision = Precision::F32;
  Batch batch;
  // cosine[k-1] for k = 1..T as the lags complete; NaN where a gradient is beyond the
  // precision's range, -inf where g_k or the full gradient is exactly zero (no direction).
  std::vector<double> cosine;
  int steps = 0;  // T
  enum class Phase { Forward, FullBackward, Lags } phase = Phase::Forward;
  bool done = false;
  TruncationLane<double> f64;  // only the lane of `precision` is used
  TruncationLane<float> f32;
};

TruncationProbe begin_truncation_probe(CellKind cell, const Config& config);
// The same from a given starting model (your own, own_model_for_training's): training's first
// minibatch with its weights.
TruncationProbe begin_truncation_probe(const Model& start, const Config& config);
// Advances by up to `budget` steps of work (the forward pass, the full backward pass, then the
// lags' step-backwards); returns true when every k is done.
bool advance_truncation_probe(TruncationProbe& probe, int budget);
TruncationProbe run_truncation_probe(CellKind cell, const Config& config);
TruncationProbe run_truncation_probe(const Model& start, const Config& config);

}  // namespace gs
