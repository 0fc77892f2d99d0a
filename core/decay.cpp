#include "decay.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gs {

namespace {

const double kMinusInfinity = -std::numeric_limits<double>::infinity();

// stableNorm: a plain norm squares the entries and underflows below 1e-154.
double log10_norm(const Mat& v, double log10_scale) {
  const real norm = v.stableNorm();
  return norm > 0 ? std::log10(norm) + log10_scale : kMinusInfinity;
}

// Records step t (1-based) of the curve from the current scaled gradient.
void record(const Model& model, int t, DecayCurve& curve, const DecayPass& pass) {
  curve.log10_grad_h[t - 1] = log10_norm(pass.dh, pass.log10_scale);
  if (has_cell_state(model.cell)) curve.log10_grad_c[t - 1] = log10_norm(pass.dc, pass.log10_scale);
  const int H = model.hidden_size;
  float* row = &curve.log10_unit_grad[static_cast<size_t>(t - 1) * H];
  for (int j = 0; j < H; ++j) {
    const real magnitude = std::abs(pass.dh(j, 0));
    row[j] = magnitude > 0 ? static_cast<float>(std::log10(magnitude) + pass.log10_scale)
                           : -std::numeric_limits<float>::infinity();
  }
}

// Divides the carried gradient by its norm and books the factor, so it never under/overflows.
void renormalize(DecayPass& pass) {
  const real norm = std::hypot(pass.dh.stableNorm(), pass.dc.size() ? pass.dc.stableNorm() : 0.0);
  if (!(norm > 0) || !std::isfinite(norm)) return;  // exactly 0 stays 0 (dead ReLU)
  pass.dh /= norm;
  if (pass.dc.size()) pass.dc /= norm;
  pass.log10_scale += std::log10(norm);
}

}  // namespace

void begin_decay(const Model& model, const ForwardPass& fwd, const Mat& seed_grad_h,
                 DecayCurve& curve, DecayPass& pass) {
  const int T = static_cast<int>(fwd.steps.size()), H = model.hidden_size;
  curve.log10_grad_h.assign(T, kMinusInfinity);
  curve.log10_grad_c.assign(has_cell_state(model.cell) ? T : 0, kMinusInfinity);
  curve.log10_unit_grad.assign(static_cast<size_t>(T) * H, 0.0f);
  pass.dh = seed_grad_h;
  pass.dc = has_cell_state(model.cell) ? Mat::Zero(H, 1) : Mat();  // the loss reads only h_T
  pass.log10_scale = 0;
  pass.steps_left = T;
  renormalize(pass);
}

bool decay_steps(const Model& model, const ForwardPass& fwd, DecayCurve& curve, DecayPass& pass,
                 int budget) {
  const bool lstm = has_cell_state(model.cell);
  Mat dh_prev, dc_prev;
  for (; budget > 0 && pass.steps_left > 0; --budget) {
    const int t = pass.steps_left;
    record(model, t, curve, pass);  // dL/dh_t
    cell_backward(model.cell, model.params, fwd.steps[t - 1], pass.dh, lstm ? pass.dc : pass.dh,
                  nullptr, dh_prev, dc_prev, nullptr);  // to dL/dh_{t-1}
    pass.dh.swap(dh_prev);
    if (lstm) pass.dc.swap(dc_prev);
    renormalize(pass);
    --pass.steps_left;
  }
  return pass.steps_left == 0;
}

Probe begin_probe(CellKind cell, const Config& config, uint64_t seed) {
  Probe probe;
  const TaskShape shape = task_shape(config.task, config.length);
  Rng model_rng(model_seed(seed)), data_rng(data_seed(seed));
  probe.model =
      make_model(cell, shape.input_size, config.hidden, shape.output_size, config, model_rng);
  probe.sample = make_batch(config.task, config.length, 1, data_rng);
  probe.h0 = Mat::Zero(config.hidden, 1);
  probe.c0 = has_cell_state(cell) ? Mat::Zero(config.hidden, 1) : Mat();
  begin_forward(probe.model, probe.sample, probe.h0, probe.c0, probe.fwd);
  return probe;
}

bool advance_probe(Probe& probe, int budget) {
  const int T = probe.sample.length();
  if (!probe.forward_done) {
    const int before = probe.fwd.steps_done;
    probe.forward_done = forward_steps(probe.model, probe.sample, probe.fwd, budget);
    budget -= probe.fwd.steps_done - before;
    if (!probe.forward_done) return false;
    // The probe's loss: the task loss at the final step only, through the readout.
    const Params& p = probe.model.params;
    const Mat y = p.weight_out * probe.fwd.h[T] + p.bias_out;
    const Mat& target = probe.sample.targets[T - 1];
    Mat dy;
    step_loss(probe.sample.loss, y, target, 1.0, &dy);
    probe.seed_grad_h = p.weight_out.transpose() * dy;
    begin_decay(probe.model, probe.fwd, probe.seed_grad_h, probe.curve, probe.pass);
  }
  if (budget > 0 && !probe.done)
    probe.done = decay_steps(probe.model, probe.fwd, probe.curve, probe.pass, budget);
  return probe.done;
}

bool release_probe(Probe& probe, int budget) {
  ForwardPass& fwd = probe.fwd;
  const size_t keep =
      fwd.steps.size() > static_cast<size_t>(budget) ? fwd.steps.size() - budget : 0;
  fwd.steps.resize(keep);
  fwd.h.resize(std::min(fwd.h.size(), keep));
  fwd.c.resize(std::min(fwd.c.size(), keep));
  fwd.y.resize(std::min(fwd.y.size(), keep));
  return fwd.steps.empty();
}

int probe_steps_done(const Probe& probe) {
  const int backward_done = probe.forward_done ? probe.sample.length() - probe.pass.steps_left : 0;
  return probe.fwd.steps_done + backward_done;
}

Probe run_probe(CellKind cell, const Config& config, uint64_t seed) {
  Probe probe = begin_probe(cell, config, seed);
  while (!advance_probe(probe, 1 << 30)) {
  }
  return probe;
}

}  // namespace gs
