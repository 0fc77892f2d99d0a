// The decay curve: how much of the gradient of a loss at the last step reaches each earlier
// hidden state, log10 ||dL/dh_t|| for t = 1..T.
//
// Such curves fall below float64's range (1e-308) within a few hundred steps of a tanh RNN. Once
// the forward pass is fixed, BPTT is linear in the upstream gradient, so the backward vector is
// renormalized to unit length at every step while log10 of the factor taken out is accumulated:
// the curve is exact in log10 at any depth (10,000 steps of a tanh RNN reach about -1500), in
// float32 as in float64.
#pragma once
#include <string>
#include <vector>

#include "bptt/sequence.h"
#include "training/tasks.h"

namespace gs {

// Values follow number_format.h: -inf where the gradient is exactly 0, NaN where it is beyond the
// precision's range (the forward pass overflowed: then every value is NaN).
struct DecayCurve {
  std::vector<double> log10_grad_h;  // T: log10 ||dL/dh_t||, t = 1..T (first step first)
  std::vector<double> log10_grad_c;  // T: log10 ||dL/dc_t|| (LSTM only)
  // T (LSTM only): the cell path by the forget gate alone, log10 ||(f_{t+1} ... f_{T-1}) dc||
  // with dc = f_T * (all of dL/dc_T): equal to log10_grad_c at t = T-1, then carried back by the
  // forget gates only, without what reaches each c_t from h_t. -inf at t = T (not begun).
  std::vector<double> log10_forget_path;
  // The step (1-based) at which the forward pass left the precision's range, 0 if it did not;
  // then the loss and every gradient are beyond it too. The growth of log10 ||h_t|| per step over
  // the steps before says how fast it got there.
  int overflow_step = 0;
  double log10_growth_per_step = 0;
  // (T x H) row-major: log10 |dL/dh_t[j]|, for the time x unit heatmap; -inf where exactly 0.
  // The LRU's units are complex: (T x N), log10 of |dL/dh_t[j]| = |(dL/dRe h_j, dL/dIm h_j)|.
  std::vector<float> log10_unit_grad;
};

// The rows of log10_unit_grad for a state of `state_rows` reals: the LRU's complex units are two
// rows each.
inline int unit_rows(Eigen::Index state_rows, bool complex_state) {
  return static_cast<int>(complex_state ? state_rows / 2 : state_rows);
}

// The running state of the renormalized backward pass (sliced like sequence.h's passes).
template <class T>
struct DecayPass {
  MatT<T> dh, dc;            // (H, 1) the current gradient, divided by 10^log10_scale
  MatT<T> forget_path;       // (H, 1) LSTM: the cell path by f alone, / 10^log10_forget_scale
  double log10_forget_scale = 0;
  MatT<T> dh_prev, dc_prev;  // (H, 1) the next one, while a step is computed
  MatT<T> dgates, dgates_in;  // (G H, 1) scratch
  double log10_scale = 0;
  int steps_left = 0;  // next h_t to record is t = steps_left
  bool complex = false;  // the LRU: its units' sizes go to the heatmap (DecayCurve)
};

template <class T>
void begin_decay(const ModelT<T>& model, const ForwardPass<T>& fwd, const MatT<T>& seed_grad_h,
                 DecayCurve& curve, DecayPass<T>& pass);
template <class T>
bool decay_steps(const ModelT<T>& model, const ForwardPass<T>& fwd, DecayCurve& curve,
                 DecayPass<T>& pass, int budget);

// A probe's computation in one precision.
template <class T>
struct ProbeLane {
  ModelT<T> model;
  ForwardPass<T> fwd;
  DecayPass<T> pass;
};

// One probe: a model and one task sequence (batch 1) drawn from (cell, config, seed), its forward
// pass from h0 = c0 = 0, and the gradient of the task loss at the final step. The same seed gives
// the same numbers natively and in the browser. It runs in config.precision; `model` and
// `sample` hold exactly the values it computes with (in float32: rounded, then widened exactly).
struct Probe {
  Precision precision = Precision::F32;
  Model model;
  Batch sample;
  Mat h0, c0;       // (H, 1) zeros
  Mat seed_grad_h;  // (H, 1) dL/dh_T given directly by the loss at step T
  Mat given_seed;   // (H, 1) a GivenModel's seed gradient, used instead of the loss; or empty
  DecayCurve curve;
  ProbeLane<double> f64;  // only the lane of `precision` is used
  ProbeLane<float> f32;
  bool forward_done = false, done = false;
};

// Calls f(lane) with the probe's lane in its precision.
template <class F>
decltype(auto) with_lane(Probe& probe, F&& f) {
  return probe.precision == Precision::F32 ? f(probe.f32) : f(probe.f64);
}
template <class F>
decltype(auto) with_lane(const Probe& probe, F&& f) {
  return probe.precision == Precision::F32 ? f(probe.f32) : f(probe.f64);
}

// Draws the model (from `seed`) and the sample (input sequence `sequence` of that seed); the
// passes are then advanced by advance_probe.
Probe begin_probe(CellKind cell, const Config& config, uint64_t seed, int sequence = 0);

// A model the probe does not draw: one read from a file (own_model.h makes it), with where its
// inputs come from and what the backward pass starts from.
struct GivenModel {
  Model model;  // in double (a float32 probe rounds it); a readout only where the loss uses it
  enum class Inputs {
    Task,    // the task's sequence `sequence` of the seed (the model's input size is the task's)
    Given,   // `inputs`: a probe of length L takes its first L steps
    Normal,  // standard normal, config.length steps, from the seed's sequence stream
  } inputs_from = Inputs::Task;
  std::vector<Mat> inputs;  // Given: (I, 1) per step
  // Given: a probe takes the task's steps of `length` (an export's whole sequence, e.g. copy's
  // length + 20), not `length` steps.
  bool task_steps = false;
  Mat h0, c0;               // (H, 1), or empty: zeros
  // (H, 1) dL/dh_T to start the backward pass from; empty: the task loss at the last step
  // through the model's readout (then inputs_from is Task).
  Mat seed_grad_h;
};
// The probe of a given model: as begin_probe, but the model is `given`'s and the sample as its
// inputs_from says (length config.length; Task: the task's steps).
Probe begin_probe(const GivenModel& given, const Config& config, uint64_t seed, int sequence = 0);
// The steps of a probe of `length` (for progress counts): the task's, or with a given model
// whose inputs are not the task's, `length`.
int probe_length(const GivenModel* given, TaskKind task, int length);
// Advances forward then backward by up to `budget` steps in total; returns true when done.
bool advance_probe(Probe& probe, int budget);
Probe run_probe(CellKind cell, const Config& config, uint64_t seed, int sequence = 0);
Probe run_probe(const GivenModel& given, const Config& config, uint64_t seed, int sequence = 0);
// advance_probe for a job that shares a step budget (the sweep, the trainability map): takes the
// steps done from `budget` (at least 1, so that a loop over probes always ends) and adds them to
// `steps_done`, its progress count. Returns true when the probe is done.
bool advance_probe_within(Probe& probe, int& budget, int64_t& steps_done);
// Frees the probe's BPTT caches (the curve stays).
void release_probe(Probe& probe);

// Steps done so far, forward and backward, out of 2 T.
int probe_steps_done(const Probe& probe);

// What happened when a probe's forward pass overflowed, in one sentence for people, e.g. "the
// forward pass overflowed at step 19: ||h_t|| grew by about 10^2.0 per step, past float32's
// largest number (3.4e38; float64 reaches 1.8e308: precision=f64)". "" if it did not.
std::string overflow_explanation(const DecayCurve& curve, Precision precision);

}  // namespace gs
