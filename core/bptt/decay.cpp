#include "bptt/decay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace gs {

namespace {

const double kMinusInfinity = -std::numeric_limits<double>::infinity();

// ||v||, without the overflow or underflow of a plain sum of squares: the carried vector has unit
// norm before each step, so the plain norm is right unless a single step changed it by more than
// 1e150 either way; only then is the slower scaled norm needed.
template <class T>
double safe_norm(const MatT<T>& v) {
  const double norm = static_cast<double>(v.template cast<double>().norm());
  if (norm > 1e-150 && norm < 1e150) return norm;
  return static_cast<double>(v.template cast<double>().stableNorm());
}

double log10_or_minus_infinity(double norm, double log10_scale) {
  return norm > 0 ? std::log10(norm) + log10_scale : kMinusInfinity;
}

// Records step t (1-based) of the curve from the current scaled gradient.
template <class T>
void record(int t, DecayCurve& curve, const DecayPass<T>& pass) {
  curve.log10_grad_h[t - 1] = log10_or_minus_infinity(safe_norm(pass.dh), pass.log10_scale);
  if (pass.dc.size())
    curve.log10_grad_c[t - 1] = log10_or_minus_infinity(safe_norm(pass.dc), pass.log10_scale);
  if (pass.forget_path.size())
    curve.log10_forget_path[t - 1] =
        log10_or_minus_infinity(safe_norm(pass.forget_path), pass.log10_forget_scale);
  // log10 |dL/dh_t[j]| = log10 |carried[j]| + log10_scale; log(0) = -inf: exactly zero. The
  // LRU's unit j is complex, (Re, Im) in rows j and N + j: its size, the modulus of the two.
  const int rows = unit_rows(pass.dh.rows(), pass.complex);
  Eigen::Map<Eigen::ArrayXf> row(&curve.log10_unit_grad[static_cast<size_t>(t - 1) * rows], rows);
  if (!pass.complex) {
    row = (pass.dh.array().abs().template cast<double>().log() * (1 / std::log(10.0)) +
           pass.log10_scale)
              .template cast<float>();
    return;
  }
  for (int j = 0; j < rows; ++j)  // no allocation in the time loop
    row(j) = static_cast<float>(
        std::log10(std::hypot(static_cast<double>(pass.dh(j, 0)), static_cast<double>(pass.dh(rows + j, 0)))) +
        pass.log10_scale);
}

// Divides the carried gradient by its norm and books the factor, so it never under/overflows.
template <class T>
void renormalize(DecayPass<T>& pass) {
  const double norm = std::hypot(safe_norm(pass.dh), pass.dc.size() ? safe_norm(pass.dc) : 0.0);
  if (!(norm > 0) || !std::isfinite(norm)) return;  // exactly 0 stays 0 (dead ReLU)
  pass.dh /= static_cast<T>(norm);
  if (pass.dc.size()) pass.dc /= static_cast<T>(norm);
  pass.log10_scale += std::log10(norm);
}

// The LSTM's cell path by the forget gate alone, one step back from t: it begins as the cell
// gradient the first step made (f_T times all of dL/dc_T, in the same scale), and from then on is
// only multiplied by f_t, then renormalized on its own.
template <class T>
void step_forget_path(const ModelT<T>& model, const ForwardPass<T>& fwd, int t,
                      DecayPass<T>& pass) {
  if (!has_cell_state(model.cell)) return;
  const Eigen::Index H = model.hidden_size;
  if (t == fwd.length) {
    pass.forget_path = pass.dc;
    pass.log10_forget_scale = pass.log10_scale;
  } else {
    pass.forget_path.array() *= fwd.gates.block(H, t - 1, H, 1).array();  // f_t (batch 1)
  }
  const double norm = safe_norm(pass.forget_path);
  if (!(norm > 0) || !std::isfinite(norm)) return;
  pass.forget_path /= static_cast<T>(norm);
  pass.log10_forget_scale += std::log10(norm);
}

}  // namespace

template <class T>
void begin_decay(const ModelT<T>& model, const ForwardPass<T>& fwd, const MatT<T>& seed_grad_h,
                 DecayCurve& curve, DecayPass<T>& pass) {
  const int T_ = fwd.length, H = model.hidden_size, G = gate_count(model.cell);
  const bool lstm = has_cell_state(model.cell);
  curve.log10_grad_h.assign(T_, kMinusInfinity);
  curve.log10_grad_c.assign(lstm ? T_ : 0, kMinusInfinity);
  curve.log10_forget_path.assign(lstm ? T_ : 0, kMinusInfinity);
  pass.complex = has_complex_state(model.cell);
  curve.log10_unit_grad.assign(static_cast<size_t>(T_) * unit_rows(H, pass.complex), 0.0f);
  pass.dh = seed_grad_h;
  pass.dc = lstm ? MatT<T>::Zero(H, 1) : MatT<T>();  // the loss reads only h_T
  pass.forget_path = MatT<T>();                        // begins with the first step back
  pass.dh_prev.resize(H, 1);
  pass.dc_prev.resize(lstm ? H : 0, 1);
  pass.dgates.resize(G * H, 1);
  pass.dgates_in.resize(cell_info(model.cell).family == CellFamily::Gru ? G * H : 0, 1);
  pass.log10_scale = 0;
  pass.steps_left = T_;
  renormalize(pass);
}

template <class T>
bool decay_steps(const ModelT<T>& model, const ForwardPass<T>& fwd, DecayCurve& curve,
                 DecayPass<T>& pass, int budget) {
  for (; budget > 0 && pass.steps_left > 0; --budget) {
    const int t = pass.steps_left;
    record(t, curve, pass);  // dL/dh_t
    step_backward<T>(model, fwd, t, pass.dgates, pass.dgates_in, pass.dh_prev, pass.dc_prev,
                     pass.dh, pass.dc);  // to dL/dh_{t-1}
    pass.dh.swap(pass.dh_prev);
    pass.dc.swap(pass.dc_prev);
    renormalize(pass);
    step_forget_path(model, fwd, t, pass);
    --pass.steps_left;
  }
  return pass.steps_left == 0;
}

template void begin_decay<float>(const ModelT<float>&, const ForwardPass<float>&,
                                 const MatT<float>&, DecayCurve&, DecayPass<float>&);
template void begin_decay<double>(const ModelT<double>&, const ForwardPass<double>&,
                                  const MatT<double>&, DecayCurve&, DecayPass<double>&);
template bool decay_steps<float>(const ModelT<float>&, const ForwardPass<float>&, DecayCurve&,
                                 DecayPass<float>&, int);
template bool decay_steps<double>(const ModelT<double>&, const ForwardPass<double>&, DecayCurve&,
                                  DecayPass<double>&, int);

// --- the probe -------------------------------------------------------------------------------

namespace {

// Rounds every value to float and back, so that the double copy equals what float32 computes.
void round_to_float(Mat& m) { m = m.cast<float>().cast<double>(); }

// Rounds what the probe computes with to float32 if it runs in it (so that the double copies
// hold exactly its values), and starts the forward pass.
void start_probe(Probe& probe) {
  if (probe.precision == Precision::F32) {
    probe.model = model_cast<double>(model_cast<float>(probe.model));
    for (Mat& x : probe.sample.inputs) round_to_float(x);
    for (Mat& y : probe.sample.targets) round_to_float(y);
    round_to_float(probe.h0);
    round_to_float(probe.c0);
    round_to_float(probe.given_seed);
  }
  with_lane(probe, [&](auto& lane) {
    using T = typename decltype(lane.fwd.x)::Scalar;
    lane.model = model_cast<T>(probe.model);
    begin_forward(lane.model, probe.sample, probe.h0, probe.c0, lane.fwd);
  });
}

}  // namespace

Probe begin_probe(CellKind cell, const Config& config, uint64_t seed, int sequence) {
  Probe probe;
  probe.precision = config.precision;
  const TaskShape shape = task_shape(config.task, config.length);
  Rng model_rng(model_seed(seed)), data_rng(sequence_seed(seed, sequence));
  probe.model =
      make_model(cell, shape.input_size, config.hidden, shape.output_size, config, model_rng);
  probe.sample = make_batch(config.task, config.length, 1, data_rng);
  probe.h0 = Mat::Zero(probe.model.hidden_size, 1);
  probe.c0 = has_cell_state(cell) ? Mat::Zero(config.hidden, 1) : Mat();
  start_probe(probe);
  return probe;
}

Probe begin_probe(const GivenModel& given, const Config& config, uint64_t seed, int sequence) {
  Probe probe;
  probe.precision = config.precision;
  probe.model = given.model;
  const int H = given.model.hidden_size, I = given.model.input_size;
  Rng data_rng(sequence_seed(seed, sequence));
  switch (given.inputs_from) {
    case GivenModel::Inputs::Task:
      probe.sample = make_batch(config.task, config.length, 1, data_rng);
      break;
    case GivenModel::Inputs::Given: {
      const size_t steps = std::min(
          given.inputs.size(),
          static_cast<size_t>(probe_length(&given, config.task, config.length)));
      probe.sample.inputs.assign(given.inputs.begin(), given.inputs.begin() + steps);
      break;
    }
    case GivenModel::Inputs::Normal:
      for (int t = 0; t < config.length; ++t) {
        Mat x(I, 1);
        for (int i = 0; i < I; ++i) x(i, 0) = data_rng.normal();
        probe.sample.inputs.push_back(x);
      }
      break;
  }
  probe.given_seed = given.seed_grad_h;
  if (probe.given_seed.size()) {  // no loss: no step is scored
    probe.sample.targets.assign(probe.sample.inputs.size(), Mat());
    probe.sample.loss = LossKind::Mse;
  }
  probe.h0 = given.h0.size() ? given.h0 : Mat::Zero(H, 1);
  probe.c0 = !has_cell_state(given.model.cell) ? Mat()
             : given.c0.size()                 ? given.c0
                                               : Mat::Zero(H, 1);
  start_probe(probe);
  return probe;
}

int probe_length(const GivenModel* given, TaskKind task, int length) {
  if (given && given->inputs_from != GivenModel::Inputs::Task && !given->task_steps) return length;
  return task_shape(task, length).steps;
}

namespace {

// The forward pass left the range of T at step fwd.overflow_step: the loss and every gradient are
// beyond it as well. The curve says so (NaN everywhere, number_format.h's "overflow") and how fast
// the state grew: log10 ||h_t|| per step over (up to) the last 10 finite steps.
template <class T>
void mark_overflow(CellKind cell, const ForwardPass<T>& fwd, DecayCurve& curve) {
  const int s = fwd.overflow_step, last = s - 1, first = std::max(1, last - 10);
  curve.overflow_step = s;
  curve.log10_grad_h.assign(fwd.length, std::nan(""));
  curve.log10_grad_c.assign(fwd.c.size() ? fwd.length : 0, std::nan(""));
  curve.log10_forget_path.assign(fwd.c.size() ? fwd.length : 0, std::nan(""));
  curve.log10_unit_grad.assign(
      static_cast<size_t>(fwd.length) * unit_rows(fwd.h.rows(), has_complex_state(cell)), std::nanf(""));
  const auto log10_norm = [&](int t) {
    return std::log10(static_cast<double>(fwd.h_at(t).template cast<double>().stableNorm()));
  };
  curve.log10_growth_per_step =
      last > first ? (log10_norm(last) - log10_norm(first)) / (last - first) : 0.0;
}

}  // namespace

bool advance_probe(Probe& probe, int budget) {
  return with_lane(probe, [&](auto& lane) {
    using T = typename decltype(lane.fwd.x)::Scalar;
    if (!probe.forward_done) {
      const int before = lane.fwd.steps_done;
      probe.forward_done = forward_steps(lane.model, lane.fwd, budget);
      budget -= lane.fwd.steps_done - before;
      if (!probe.forward_done) return false;
      if (lane.fwd.overflow_step > 0) {  // nothing to carry back: every gradient is beyond range
        mark_overflow(probe.model.cell, lane.fwd, probe.curve);
        lane.pass.steps_left = 0;
        return probe.done = true;
      }
      // The probe's loss: the task loss at the final step only, through the readout; or the
      // given model's seed gradient.
      MatT<T> seed;
      if (probe.given_seed.size()) {
        seed = probe.given_seed.template cast<T>();
      } else {
        const int T_ = lane.fwd.length;
        const ParamsT<T>& p = lane.model.params;
        MatT<T> y(p.weight_out.rows(), 1);
        readout<T>(p, lane.fwd.h_at(T_), lane.fwd.x.middleCols(T_ - 1, 1), y);
        MatT<T> dy;
        step_loss<T>(lane.fwd.loss_kind, y, lane.fwd.targets.middleCols(T_ - 1, 1), 1.0, &dy);
        seed = p.weight_out.transpose() * dy;
      }
      probe.seed_grad_h = seed.template cast<double>();
      begin_decay(lane.model, lane.fwd, seed, probe.curve, lane.pass);
    }
    if (budget > 0 && !probe.done)
      probe.done = decay_steps(lane.model, lane.fwd, probe.curve, lane.pass, budget);
    return probe.done;
  });
}

void release_probe(Probe& probe) {
  probe.f64.fwd = ForwardPass<double>();
  probe.f32.fwd = ForwardPass<float>();
}

int probe_steps_done(const Probe& probe) {
  return with_lane(probe, [&](const auto& lane) {
    const int backward_done = probe.forward_done ? lane.fwd.length - lane.pass.steps_left : 0;
    return lane.fwd.steps_done + backward_done;
  });
}

std::string overflow_explanation(const DecayCurve& curve, Precision precision) {
  if (curve.overflow_step == 0) return "";
  char text[300];
  if (curve.overflow_step <= 2) {  // too soon to be growth over steps: a number out of range
    std::snprintf(text, sizeof text,
                  "the forward pass overflowed at step %d, within its first steps: an input, a "
                  "weight or a number made from them (an exponential of a parameter) is already "
                  "past %s",
                  curve.overflow_step,
                  precision == Precision::F32
                      ? "float32's largest number (3.4e38; float64 reaches 1.8e308: precision=f64)"
                      : "float64's largest number (1.8e308)");
    return text;
  }
  std::snprintf(text, sizeof text,
                "the forward pass overflowed at step %d: ||h_t|| grew by about 10^%.1f per step, "
                "past %s",
                curve.overflow_step, curve.log10_growth_per_step,
                precision == Precision::F32
                    ? "float32's largest number (3.4e38; float64 reaches 1.8e308: precision=f64)"
                    : "float64's largest number (1.8e308)");
  return text;
}

bool advance_probe_within(Probe& probe, int& budget, int64_t& steps_done) {
  const int before = probe_steps_done(probe);
  const bool done = advance_probe(probe, budget);
  const int taken = probe_steps_done(probe) - before;
  budget -= std::max(1, taken);
  steps_done += taken;
  return done;
}

namespace {

Probe finish_probe(Probe probe) {
  while (!advance_probe(probe, 1 << 30)) {
  }
  return probe;
}

}  // namespace

Probe run_probe(CellKind cell, const Config& config, uint64_t seed, int sequence) {
  return finish_probe(begin_probe(cell, config, seed, sequence));
}

Probe run_probe(const GivenModel& given, const Config& config, uint64_t seed, int sequence) {
  return finish_probe(begin_probe(given, config, seed, sequence));
}

}  // namespace gs
