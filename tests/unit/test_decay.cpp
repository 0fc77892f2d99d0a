// Decay curves against closed forms, at depths far below float64's range.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "bptt/decay.h"

using namespace gs;

namespace {

// A forward pass of `model` over T steps of Gaussian inputs (batch 1) from h0 = c0 = 0.
ForwardPass<double> run(const Model& model, int T, uint64_t seed) {
  Rng rng(seed);
  Batch batch;
  for (int t = 0; t < T; ++t) {
    Mat x(model.input_size, 1);
    for (int k = 0; k < x.size(); ++k) x.data()[k] = rng.normal();
    batch.inputs.push_back(x);
    batch.targets.emplace_back();
  }
  const Mat zeros = Mat::Zero(model.hidden_size, 1);
  return forward<double>(model, batch, zeros, has_cell_state(model.cell) ? zeros : Mat());
}

DecayCurve curve_of(const Model& model, const ForwardPass<double>& fwd, const Mat& seed) {
  DecayCurve curve;
  DecayPass<double> pass;
  begin_decay(model, fwd, seed, curve, pass);
  decay_steps(model, fwd, curve, pass, fwd.length);
  return curve;
}

// The worst |log10 error| of a curve that should be ||seed|| keep^k at k steps back.
double worst_geometric_error(const DecayCurve& curve, const Mat& seed, double keep) {
  const int T = static_cast<int>(curve.log10_grad_h.size());
  double worst = 0;
  for (int k = 0; k < T; ++k)
    worst = std::max(worst, std::abs(curve.log10_grad_h[T - 1 - k] -
                                     (std::log10(seed.norm()) + k * std::log10(keep))));
  return worst;
}

Model model_of(CellKind cell, int I, int H, uint64_t seed) {
  Rng rng(seed);
  return make_model(cell, I, H, 1, Config(), rng);
}

}  // namespace

TEST_CASE("linear RNN with W_hh = a I falls exactly k log10(a) per step, past float64's range") {
  const int T = 5000, H = 6;
  const real a = 0.5;  // 0.5^5000 = 1e-1505: zero in float64 without renormalization
  Model model = model_of(CellKind::RnnIdentity, 2, H, 3);
  model.params.weight_hh = a * Mat::Identity(H, H);
  const ForwardPass<double> fwd = run(model, T, 4);
  const Mat seed = Mat::Constant(H, 1, 2.0);
  const DecayCurve curve = curve_of(model, fwd, seed);
  const double top = std::log10(seed.norm());
  CHECK(curve.log10_grad_h[T - 1] == doctest::Approx(top).epsilon(1e-14));
  double worst = 0;
  for (int k = 0; k < T; ++k)  // dL/dh_{T-k} = (a^T)^k seed
    worst = std::max(worst, std::abs(curve.log10_grad_h[T - 1 - k] - (top + k * std::log10(a))));
  MESSAGE("worst |log10 error| over 5000 steps: " << worst
                                                  << "; depth at t=1: " << curve.log10_grad_h[0]);
  CHECK(worst < 1e-9);
  CHECK(curve.log10_grad_h[0] < -1500);
}

TEST_CASE("LSTM with forget gates at 1 and input gates at 0 passes dL/dc unchanged") {
  const int T = 2000, H = 5;
  Model model = model_of(CellKind::Lstm, 3, H, 5);
  Params& p = model.params;
  p.weight_hh.setZero();
  p.weight_ih.middleRows(0, 2 * H).setZero();  // i and f see no input: set by the biases alone
  p.bias_hh.setZero();
  p.bias_ih.segment(0, H).setConstant(-800);  // i = sigma(-800) = 0 exactly in float64
  p.bias_ih.segment(H, H).setConstant(800);   // f = sigma(800) = 1 exactly
  const ForwardPass<double> fwd = run(model, T, 6);
  const DecayCurve curve = curve_of(model, fwd, Mat::Constant(H, 1, 0.3));
  // From step T-1 back, dL/dh_t = 0 (W_hh = 0) and dL/dc_{t-1} = f * dL/dc_t = dL/dc_t.
  for (int t = 1; t < T; ++t) CHECK(curve.log10_grad_c[t - 1] == curve.log10_grad_c[T - 2]);
  CHECK(std::isfinite(curve.log10_grad_c[0]));
}

TEST_CASE("The LSTM's forget path is the product of the forget gates, at any depth") {
  // 3000 steps of f near 0.5 take it to about 10^-900, far below float64: the reference is
  // summed in log10 per unit, log10 |dc_j| + sum_s log10 f_s[j], then combined over units.
  const int T = 3000, H = 6;
  const Model model = model_of(CellKind::Lstm, 3, H, 11);
  const ForwardPass<double> fwd = run(model, T, 12);
  const Mat seed = Mat::Constant(H, 1, 0.4);
  const DecayCurve curve = curve_of(model, fwd, seed);
  const auto f_at = [&](int t, int j) { return fwd.gates(H + j, t - 1); };  // f_t, batch 1
  // where the path begins: f_T times all of dL/dc_T = dL/dh_T * o_T * tanh'(c_T)
  std::vector<double> log10_unit(H);
  for (int j = 0; j < H; ++j) {
    const double o = fwd.gates(3 * H + j, T - 1), tanh_c = fwd.aux(j, T - 1);
    log10_unit[j] = std::log10(std::abs(seed(j, 0) * o * (1 - tanh_c * tanh_c) * f_at(T, j)));
  }
  CHECK(std::isinf(curve.log10_forget_path[T - 1]));  // t = T: not begun
  double worst = 0;
  for (int t = T - 1; t >= 1; --t) {
    const double top = *std::max_element(log10_unit.begin(), log10_unit.end());
    double sum = 0;
    for (double v : log10_unit) sum += std::pow(10.0, 2 * (v - top));
    const double expected = top + 0.5 * std::log10(sum);
    worst = std::max(worst, std::abs(curve.log10_forget_path[t - 1] - expected));
    for (int j = 0; j < H; ++j) log10_unit[j] += std::log10(f_at(t, j));  // to t - 1
  }
  CHECK(worst < 1e-9);
  CHECK(curve.log10_forget_path[0] < -300);
  // One step back from the loss it is the cell gradient itself; after that, without what reaches
  // c_t from h_t, it falls below it.
  CHECK(curve.log10_forget_path[T - 2] ==
        doctest::Approx(curve.log10_grad_c[T - 2]).epsilon(1e-12));
  CHECK(curve.log10_forget_path[T - 50] < curve.log10_grad_c[T - 50]);
}

TEST_CASE("GRU with update gates at 1 keeps h: dL/dh passes unchanged") {
  const int T = 1000, H = 4;
  Model model = model_of(CellKind::Gru, 2, H, 7);
  Params& p = model.params;
  p.weight_hh.setZero();
  p.weight_ih.middleRows(H, H).setZero();
  p.bias_ih.segment(H, H).setConstant(800);  // z = 1: h_t = h_{t-1}
  const ForwardPass<double> fwd = run(model, T, 8);
  const Mat seed = Mat::Constant(H, 1, 0.7);
  const DecayCurve curve = curve_of(model, fwd, seed);
  for (int t = 1; t <= T; ++t)
    CHECK(curve.log10_grad_h[t - 1] == doctest::Approx(std::log10(seed.norm())).epsilon(1e-14));
}

TEST_CASE("a 10,000-step tanh RNN curve shows its true depth instead of underflowing") {
  Config config;
  config.hidden = 16;
  config.length = 10000;
  const Probe probe = run_probe(CellKind::RnnTanh, config, 1);
  const std::vector<double>& curve = probe.curve.log10_grad_h;
  for (double v : curve) REQUIRE(std::isfinite(v));
  MESSAGE("log10 ||dL/dh_1|| after 10,000 steps: " << curve.front());
  CHECK(curve.front() < -1000);
  // Mostly monotone: the gradient shrinks step by step back in time.
  CHECK(curve.front() < curve[5000]);
  CHECK(curve[5000] < curve.back());
}

TEST_CASE("a probe computed in slices equals one computed at once, and a seed repeats") {
  Config config;
  config.length = 300;
  config.task = TaskKind::Copy;
  for (CellKind cell : {CellKind::RnnTanh, CellKind::Lstm, CellKind::Gru}) {
    const Probe whole = run_probe(cell, config, 11);
    Probe sliced = begin_probe(cell, config, 11);
    int calls = 0;
    while (!advance_probe(sliced, 37)) ++calls;
    CHECK(calls > 10);
    CHECK(sliced.curve.log10_grad_h == whole.curve.log10_grad_h);
    CHECK(sliced.curve.log10_unit_grad == whole.curve.log10_unit_grad);
    CHECK(run_probe(cell, config, 12).curve.log10_grad_h != whole.curve.log10_grad_h);
  }
}

TEST_CASE("ReLU units that die give an exactly zero gradient, reported as -inf") {
  Model model = model_of(CellKind::RnnRelu, 2, 3, 9);
  model.params.weight_hh.setZero();
  model.params.bias_ih.setConstant(-100);  // every unit below zero: all dead
  model.params.weight_ih.setZero();
  const ForwardPass<double> fwd = run(model, 10, 10);
  const DecayCurve curve = curve_of(model, fwd, Mat::Ones(3, 1));
  CHECK(std::isfinite(curve.log10_grad_h[9]));
  CHECK(std::isinf(curve.log10_grad_h[8]));
  CHECK(std::isinf(curve.log10_grad_h[0]));
}

TEST_CASE("float32 curves (the default) agree with float64 on the same model to 1e-3 in log10") {
  // The float32 probe holds its weights and inputs as float32 values; the float64 path (checked
  // against PyTorch to 1e-12 elsewhere) recomputes the curve from exactly those.
  const CellKind cells[] = {CellKind::RnnTanh,     CellKind::RnnRelu, CellKind::RnnSigmoid,
                            CellKind::RnnIdentity, CellKind::Lstm,    CellKind::Gru};
  for (CellKind cell : cells)
    for (int length : {3000, 10000}) {
      if (length == 10000 && cell != CellKind::RnnTanh) continue;  // the deep one: 10^-1500
      Config config;
      config.length = length;
      config.hidden = length == 10000 ? 16 : 32;
      const Probe fast = run_probe(cell, config, 3);
      REQUIRE(fast.precision == Precision::F32);
      const ForwardPass<double> fwd = forward<double>(fast.model, fast.sample, fast.h0, fast.c0);
      const DecayCurve exact = curve_of(fast.model, fwd, fast.seed_grad_h);
      double worst = 0;
      for (int t = 0; t < fast.sample.length(); ++t)
        worst = std::max(worst, std::abs(fast.curve.log10_grad_h[t] - exact.log10_grad_h[t]));
      MESSAGE(std::string(cell_name(cell)) << " T=" << length << ": float32 vs float64 worst |log10 diff| "
                              << worst << ", log10 ||dL/dh_1|| = " << exact.log10_grad_h[0]);
      CHECK(worst < 1e-3);
      if (length == 10000) CHECK(fast.curve.log10_grad_h[0] < -1500);
    }
}

TEST_CASE("sequences: the same weights on other inputs, sequence 0 being the seed's own data") {
  Config config;
  config.length = 40;
  const Probe own = run_probe(CellKind::Gru, config, 5);
  const Probe first = run_probe(CellKind::Gru, config, 5, 0);
  const Probe other = run_probe(CellKind::Gru, config, 5, 3);
  CHECK(first.curve.log10_grad_h == own.curve.log10_grad_h);  // sequences=1 is unchanged
  CHECK(other.model.params.weight_hh == own.model.params.weight_hh);
  CHECK(other.sample.inputs[0] != own.sample.inputs[0]);
  CHECK(other.curve.log10_grad_h != own.curve.log10_grad_h);
}

TEST_CASE("a minGRU whose gate ignores its input keeps exactly 1 - sigma(b) per step") {
  // W_z = 0 and b_z = b: z = sigma(b) at every step, whatever the inputs, so J_t = (1 - sigma(b)) I
  // and dL/dh_{T-k} = (1 - sigma(b))^k seed; 2,000 steps at b = 2 reach 1e-1847.
  const int T = 2000, H = 5;
  const double b = 2.0, keep = 1 - 1 / (1 + std::exp(-b));
  Model model = model_of(CellKind::MinGru, 3, H, 5);
  model.params.weight_ih.bottomRows(H).setZero();
  model.params.bias_ih.tail(H).setConstant(b);
  const Mat seed = Mat::Constant(H, 1, 0.5);
  const DecayCurve curve = curve_of(model, run(model, T, 6), seed);
  const double worst = worst_geometric_error(curve, seed, keep);
  MESSAGE("minGRU, keep 1 - sigma(2) = " << keep << ": worst |log10 error| " << worst
                                         << ", depth at t=1 " << curve.log10_grad_h[0]);
  CHECK(worst < 1e-9);
  CHECK(curve.log10_grad_h[0] < -1800);
}

TEST_CASE("a minLSTM whose gates ignore their input keeps exactly f / (f + i) per step") {
  const int T = 1000, H = 4;
  const double f = 1 / (1 + std::exp(-3.0)), i = 1 / (1 + std::exp(1.0)), keep = f / (f + i);
  Model model = model_of(CellKind::MinLstm, 2, H, 7);
  model.params.weight_ih.bottomRows(2 * H).setZero();
  model.params.bias_ih.segment(H, H).setConstant(3.0);    // f = sigma(3)
  model.params.bias_ih.segment(2 * H, H).setConstant(-1.0);  // i = sigma(-1)
  const Mat seed = Mat::Constant(H, 1, 1.0);
  const double worst = worst_geometric_error(curve_of(model, run(model, T, 8), seed), seed, keep);
  MESSAGE("minLSTM, keep f' = " << keep << ": worst |log10 error| " << worst);
  CHECK(worst < 1e-9);
}

TEST_CASE("a minLSTM whose two gates both underflow still keeps f / (f + i), not 0 / 0") {
  // a_f = -200 and a_i = -201: sigma underflows to 0 in float, f / (f + i) would be NaN; in log
  // space f' = sigma(softplus(-a_i) - softplus(-a_f)) = sigma(1), exactly as in exact arithmetic
  const int H = 3;
  Model model = model_of(CellKind::MinLstm, 2, H, 9);
  model.params.weight_ih.bottomRows(2 * H).setZero();
  model.params.bias_ih.segment(H, H).setConstant(-200.0);
  model.params.bias_ih.segment(2 * H, H).setConstant(-201.0);
  Rng rng(10);
  Batch batch;
  for (int t = 0; t < 20; ++t) {
    batch.inputs.push_back(Mat::Constant(2, 1, rng.normal()));
    batch.targets.emplace_back();
  }
  const ForwardPass<float> fwd =
      forward<float>(model_cast<float>(model), batch, Mat::Zero(H, 1), Mat());
  CHECK(fwd.overflow_step == 0);
  CHECK(fwd.h.allFinite());
  const double keep = 1 / (1 + std::exp(-1.0));
  CHECK(fwd.gates(H, 0) == doctest::Approx(keep).epsilon(1e-6));
}

TEST_CASE("an LRU's gradient falls exactly as |lambda_j|^k, unit by unit, over 3,000 steps") {
  // h_t = lambda h_{t-1} + gamma B x_t: each step back multiplies unit j's complex gradient by
  // conj(lambda_j), so ||dL/dh_{T-k}||^2 = sum_j |lambda_j|^(2k) |g_j|^2 for the seed g, whatever
  // the inputs. A wide ring (0.5 .. 0.999) makes the sum change which units carry it.
  const int T = 3000, N = 6;
  Config config;
  REQUIRE(parse_config(config, "r_min=0.5&r_max=0.999&max_phase=3") == "");
  Rng rng(12);
  const Model model = make_model(CellKind::Lru, 2, N, 1, config, rng);
  REQUIRE(model.hidden_size == 2 * N);
  Mat seed(2 * N, 1);
  for (int k = 0; k < 2 * N; ++k) seed(k) = rng.normal();
  const DecayCurve curve = curve_of(model, run(model, T, 13), seed);
  const Eigen::ArrayXd modulus = (-model.params.nu_log.array().exp()).exp();
  const Eigen::ArrayXd unit_size = seed.topRows(N).array().square() + seed.bottomRows(N).array().square();
  double worst = 0;
  for (int k = 0; k < T; ++k) {
    // log10 sqrt(sum_j exp(2 k ln|lambda_j|) |g_j|^2), summed from its largest term
    const Eigen::ArrayXd log_terms = 2.0 * k * modulus.log() + unit_size.log();
    const double top = log_terms.maxCoeff();
    const double expected = 0.5 * (top + std::log((log_terms - top).exp().sum())) / std::log(10.0);
    worst = std::max(worst, std::abs(curve.log10_grad_h[T - 1 - k] - expected));
  }
  MESSAGE("LRU over " << T << " steps: worst |log10 error| " << worst << ", log10 ||dL/dh_1|| "
                      << curve.log10_grad_h[0] << ", largest |lambda| " << modulus.maxCoeff());
  CHECK(worst < 1e-9);
  // the heatmap's rows are the complex units: |dL/dh_{T-k}[j]| = |lambda_j|^k |g_j|, in float
  // (as far back as every unit stays within double's range of the largest, which carries the
  // scale: (0.5 / 0.999)^300 = 1e-90)
  REQUIRE(curve.log10_unit_grad.size() == static_cast<size_t>(T) * N);
  double worst_unit = 0;
  for (int k : {0, 1, 100, 300})
    for (int j = 0; j < N; ++j)
      worst_unit = std::max(worst_unit,
                            std::abs(curve.log10_unit_grad[static_cast<size_t>(T - 1 - k) * N + j] -
                                     (k * std::log10(modulus(j)) + 0.5 * std::log10(unit_size(j)))));
  CHECK(worst_unit < 1e-4);
}
