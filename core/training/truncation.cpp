#include "training/truncation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "training/train.h"

namespace gs {

bool truncation_drops(int k, const std::vector<char>& scored) {
  if (k <= 0) return false;
  for (int s = static_cast<int>(scored.size()); s > k; --s)
    if (scored[s - 1]) return true;
  return false;
}

namespace {

// Sizes the pass and the state, zeroes dgates (the steps' contributions are summed into it), and
// puts each loss's gradient dL_s/dh_s into dh's block s (the readout's gradient into pass.grads,
// last loss first, as full BPTT does).
template <class T>
void begin_windows(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                   TruncatedBackward<T>& state, int k) {
  begin_backward(model, fwd, pass);
  const int B = fwd.batch, H = model.hidden_size, G = gate_count(model.cell);
  const CellFamily family = cell_info(model.cell).family;
  const bool lstm = family == CellFamily::Lstm, gru = family == CellFamily::Gru;
  pass.dgates.setZero();
  if (gru) pass.dgates_in.setZero();
  state.k = k;
  state.lag = 0;
  state.next_loss = 0;
  state.steps_done = 0;
  state.losses.clear();
  const double normalizer = loss_normalizer(B, fwd.scored);
  for (int s = fwd.length; s >= 1; --s) {
    if (!fwd.scored[s - 1]) continue;
    state.losses.push_back(s);
    auto dh = pass.dh.middleCols(s * B, B);
    dh.setZero();
    add_loss_gradient<T>(model, fwd, pass, s, normalizer, dh);
    if (lstm) pass.dc.middleCols(s * B, B).setZero();
  }
  state.dh_prev.resize(H, B);
  state.dc_prev.resize(lstm ? H : 0, lstm ? B : 0);
  state.dgates.resize(G * H, B);
  state.dgates_in.resize(gru ? G * H : 0, gru ? B : 0);
}

// Lag by lag, each loss one step back, up to `budget` step-backwards: add(t, dgates, dgates_in)
// receives step t's contribution (dgates_in: GRU only, else empty), lag_done(lag) is called when
// a lag is complete (g_{lag+1} is then summed). Returns true when lag k-1 is done.
template <class T, class Add, class LagDone>
bool advance_windows(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                     TruncatedBackward<T>& state, int budget, Add&& add, LagDone&& lag_done) {
  const int B = fwd.batch;
  const CellFamily family = cell_info(model.cell).family;
  const bool lstm = family == CellFamily::Lstm, gru = family == CellFamily::Gru;
  auto none = state.dgates.leftCols(0);  // what this cell does not use
  const MatRef<T> dgates_in = gru ? MatRef<T>(state.dgates_in) : MatRef<T>(none);
  const MatRef<T> dc_prev = lstm ? MatRef<T>(state.dc_prev) : MatRef<T>(none);
  while (state.lag < state.k) {
    // losses are last first, so those still in reach of step s - lag >= 1 come first
    const bool lag_over =
        state.next_loss == state.losses.size() || state.losses[state.next_loss] - state.lag < 1;
    if (lag_over) {
      lag_done(state.lag);
      ++state.lag;
      state.next_loss = 0;
      if (state.losses.empty() || state.losses.front() - state.lag < 1) break;  // none in reach
      continue;
    }
    if (budget-- <= 0) return false;
    const int s = state.losses[state.next_loss++];
    const int t = s - state.lag;  // dh block s holds dL_s/dh_t (dc block s: dL_s/dc_t)
    auto dh = pass.dh.middleCols(s * B, B);
    auto dc = lstm ? pass.dc.middleCols(s * B, B) : none;
    step_backward<T>(model, fwd, t, state.dgates, dgates_in, state.dh_prev, dc_prev, dh, dc);
    add(t, state.dgates, state.dgates_in);
    dh = state.dh_prev;  // now dL_s/dh_{t-1}
    if (lstm) dc = state.dc_prev;
    ++state.steps_done;
  }
  state.lag = state.k;
  return true;
}

// Sums step t's contribution into the pass's per-step dgates (the weight gradients are formed
// from them in one product at the end, as in full BPTT).
template <class T>
auto into_pass(BackwardPass<T>& pass, int B) {
  return [&pass, B](int t, const MatT<T>& dgates, const MatT<T>& dgates_in) {
    pass.dgates.middleCols((t - 1) * B, B) += dgates;
    if (dgates_in.size()) pass.dgates_in.middleCols((t - 1) * B, B) += dgates_in;
  };
}

}  // namespace

template <class T>
void begin_training_backward(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass, TruncatedBackward<T>& state, int k) {
  if (truncation_drops(k, fwd.scored)) {
    begin_windows(model, fwd, pass, state, k);
  } else {
    state.k = 0;
    begin_backward(model, fwd, pass);
  }
}

template <class T>
bool training_backward_steps(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass, TruncatedBackward<T>& state, int& budget) {
  budget = std::max(budget, 1);
  if (state.k == 0) {
    const int before = pass.steps_left;
    const bool done = backward_steps(model, fwd, pass, budget);
    budget -= before - pass.steps_left;
    return done;
  }
  const int64_t before = state.steps_done;
  const bool done =
      advance_windows(model, fwd, pass, state, budget, into_pass(pass, fwd.batch), [](int) {});
  budget -= static_cast<int>(state.steps_done - before);
  if (done) finish_weight_gradients(model, fwd, pass);
  return done;
}

template <class T>
BackwardPass<T> truncated_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, int k) {
  BackwardPass<T> pass;
  TruncatedBackward<T> state;
  begin_windows(model, fwd, pass, state, k);
  advance_windows(model, fwd, pass, state, std::numeric_limits<int>::max(),
                  into_pass(pass, fwd.batch), [](int) {});
  finish_weight_gradients(model, fwd, pass);
  return pass;
}

// --- the cosine curve ------------------------------------------------------------------------

namespace {

// Calls f(a, b) on the recurrent layer's tensors of two parameter sets (the LRU's lambda and
// gamma among them; empty for the other cells).
template <class T, class F>
void for_recurrent(const ParamsT<T>& a, const ParamsT<T>& b, F&& f) {
  f(a.weight_ih, b.weight_ih);
  f(a.weight_hh, b.weight_hh);
  f(a.bias_ih, b.bias_ih);
  f(a.bias_hh, b.bias_hh);
  f(a.nu_log, b.nu_log);
  f(a.theta_log, b.theta_log);
  f(a.gamma_log, b.gamma_log);
}

// The scaled norm (params.h's global_norm, recurrent layer only).
template <class T>
double recurrent_norm(const ParamsT<T>& p) {
  double norm = 0;
  for_recurrent(p, p, [&](const auto& x, const auto&) {
    norm = std::hypot(norm, static_cast<double>(x.template cast<double>().stableNorm()));
  });
  return norm;
}

// cos(a, b) over the recurrent layer, in double, each side divided by its norm first (so no
// product overflows); -inf if either is exactly zero, NaN if either is not finite.
template <class T>
double recurrent_cosine(const ParamsT<T>& a, const ParamsT<T>& b) {
  const double na = recurrent_norm(a), nb = recurrent_norm(b);
  if (!std::isfinite(na) || !std::isfinite(nb)) return std::nan("");
  if (na == 0 || nb == 0) return -std::numeric_limits<double>::infinity();
  double dot = 0;
  for_recurrent(a, b, [&](const auto& x, const auto& y) {
    dot +=
        ((x.template cast<double>() / na).array() * (y.template cast<double>() / nb).array()).sum();
  });
  return dot;
}

template <class F>
decltype(auto) with_lane(TruncationProbe& probe, F&& f) {
  return probe.precision == Precision::F32 ? f(probe.f32) : f(probe.f64);
}

// The weights and the first minibatch `trainer` starts from.
TruncationProbe probe_from(Trainer& trainer, CellKind cell, const Config& config) {
  TruncationProbe probe;
  probe.cell = cell;
  probe.precision = config.precision;
  const Model model = trained_model(trainer);
  probe.batch = make_batch(config.task, config.length, config.batch, trainer.data_rng);
  probe.steps = probe.batch.length();
  with_lane(probe, [&](auto& lane) {
    using T = typename decltype(lane.fwd.x)::Scalar;
    lane.model = model_cast<T>(model);
  });
  return probe;
}

}  // namespace

TruncationProbe begin_truncation_probe(CellKind cell, const Config& config) {
  Trainer trainer = make_trainer(cell, config);
  return probe_from(trainer, cell, config);
}

TruncationProbe begin_truncation_probe(const Model& start, const Config& config) {
  Trainer trainer = make_trainer(start, config);
  return probe_from(trainer, start.cell, config);
}

bool advance_truncation_probe(TruncationProbe& probe, int budget) {
  if (probe.done) return true;
  return with_lane(probe, [&](auto& lane) {
    using T = typename decltype(lane.fwd.x)::Scalar;
    const int B = probe.batch.batch_size();
    using Phase = TruncationProbe::Phase;
    if (probe.phase == Phase::Forward) {
      if (lane.fwd.length == 0) {
        const Mat h0 = Mat::Zero(lane.model.hidden_size, B);
        begin_forward(lane.model, probe.batch, h0, has_cell_state(probe.cell) ? h0 : Mat(),
                      lane.fwd);
      }
      const int before = lane.fwd.steps_done;
      const bool done = forward_steps(lane.model, lane.fwd, std::max(budget, 1));
      budget -= lane.fwd.steps_done - before;
      if (!done) return false;
      begin_backward(lane.model, lane.fwd, lane.pass);
      probe.phase = Phase::FullBackward;
    }
    if (probe.phase == Phase::FullBackward) {
      const int before = lane.pass.steps_left;
      const bool done = backward_steps(lane.model, lane.fwd, lane.pass, std::max(budget, 1));
      budget -= before - lane.pass.steps_left;
      if (!done) return false;
      lane.full = lane.pass.grads;
      begin_windows(lane.model, lane.fwd, lane.pass, lane.state, probe.steps);
      lane.partial = zeros_like(lane.full);
      probe.phase = Phase::Lags;
    }
    ParamsT<T>& g = lane.partial;
    const ForwardPass<T>& fwd = lane.fwd;
    auto add = [&](int t, const MatT<T>& dgates, const MatT<T>& dgates_in) {
      add_weight_gradients<T>(lane.model, fwd, (t - 1) * B, dgates, dgates_in, g);
    };
    auto lag_done = [&](int) { probe.cosine.push_back(recurrent_cosine(g, lane.full)); };
    probe.done =
        advance_windows(lane.model, fwd, lane.pass, lane.state, std::max(budget, 1), add, lag_done);
    if (probe.done) {
      // lags past the first step of every loss add nothing: g_k is g_T from there on
      while (static_cast<int>(probe.cosine.size()) < probe.steps)
        probe.cosine.push_back(recurrent_cosine(g, lane.full));
      lane = TruncationLane<T>();  // the buffers are not needed any more
    }
    return probe.done;
  });
}

TruncationProbe run_truncation_probe(CellKind cell, const Config& config) {
  TruncationProbe probe = begin_truncation_probe(cell, config);
  while (!advance_truncation_probe(probe, std::numeric_limits<int>::max())) {
  }
  return probe;
}

TruncationProbe run_truncation_probe(const Model& start, const Config& config) {
  TruncationProbe probe = begin_truncation_probe(start, config);
  while (!advance_truncation_probe(probe, std::numeric_limits<int>::max())) {
  }
  return probe;
}

#define GS_INSTANTIATE(T)                                                                  \
  template void begin_training_backward<T>(const ModelT<T>&, const ForwardPass<T>&,        \
                                           BackwardPass<T>&, TruncatedBackward<T>&, int);  \
  template bool training_backward_steps<T>(const ModelT<T>&, const ForwardPass<T>&,        \
                                           BackwardPass<T>&, TruncatedBackward<T>&, int&); \
  template BackwardPass<T> truncated_backward<T>(const ModelT<T>&, const ForwardPass<T>&, int);
GS_INSTANTIATE(float)
GS_INSTANTIATE(double)
#undef GS_INSTANTIATE

}  // namespace gs
