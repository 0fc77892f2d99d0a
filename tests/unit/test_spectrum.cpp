// Step Jacobians (jacobian.h) against finite differences of one cell step and against BPTT's own
// backward step; their spectra (spectrum.h) against Eigen's SVD and against closed forms.
#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <complex>

#include "all_cells.h"
#include "analyses/probe_summary.h"
#include "bptt/spectrum.h"

using namespace gs;

namespace {

// A model with W_hh 1.5 times the default (bigger, more nonlinear Jacobians), Gaussian inputs,
// and a random nonzero initial state, so that every term of every Jacobian is exercised.
struct Setup {
  Model model;
  Batch batch;
  Mat h0, c0;
  ForwardPass<double> fwd;
};

Setup setup(CellKind cell, int H, int T, uint64_t seed) {
  const int I = 3;
  Rng rng(seed);
  Config config;
  config.forget_bias = 0.3;
  Setup s;
  s.model = make_model(cell, I, H, 1, config, rng);
  s.model.params.weight_hh *= 1.5;
  for (int t = 0; t < T; ++t) {
    Mat x(I, 1);
    for (int k = 0; k < I; ++k) x(k) = rng.normal();
    s.batch.inputs.push_back(x);
    s.batch.targets.emplace_back();
  }
  const int S = s.model.hidden_size;  // H, or 2 H reals for the LRU's complex units
  s.h0 = Mat(S, 1);
  s.c0 = Mat(S, 1);
  for (int k = 0; k < S; ++k) s.h0(k) = 0.5 * rng.normal(), s.c0(k) = 0.5 * rng.normal();
  if (cell == CellKind::RnnRelu) s.h0 = s.h0.cwiseAbs();  // keep units alive
  s.fwd = forward<double>(s.model, s.batch, s.h0, has_cell_state(cell) ? s.c0 : Mat());
  return s;
}

// s_t after one step of the cell from the state `state` (h, then c for the LSTM) with step t's
// input: the cell's own forward code (sequence.h), run on a one-step sequence.
Vec step_from(const Setup& s, int t, const Vec& state) {
  const int H = s.model.hidden_size;
  const bool lstm = has_cell_state(s.model.cell);
  Batch one;
  one.inputs = {s.batch.inputs[t - 1]};
  one.targets = {Mat()};
  const ForwardPass<double> pass =
      forward<double>(s.model, one, state.head(H), lstm ? Mat(state.tail(H)) : Mat());
  Vec out(state.size());
  out.head(H) = pass.h_at(1);
  if (lstm) out.tail(H) = pass.c_at(1);
  return out;
}

Vec state_at(const Setup& s, int t) {
  const int H = s.model.hidden_size;
  Vec state(state_size(s.model.cell, H));
  state.head(H) = s.fwd.h_at(t);
  if (has_cell_state(s.model.cell)) state.tail(H) = s.fwd.c_at(t);
  return state;
}

Mat jacobian_at(const Setup& s, int t) {
  StepJacobian jac;
  step_jacobian(s.model.cell, s.fwd, t, jac);
  Mat j;
  jacobian_matrix(s.model.params.weight_hh, jac, j);
  return j;
}

Mat random_matrix(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  Mat m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = rng.normal();
  return m;
}

double max_abs(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("the explicit step Jacobian equals central finite differences of one cell step") {
  for (CellKind cell : kAllCells) {
    const Setup s = setup(cell, 5, 6, 11);
    for (int t : {1, 4, 6}) {
      const Mat j = jacobian_at(s, t);
      const Vec base = state_at(s, t - 1);
      REQUIRE(step_from(s, t, base).isApprox(state_at(s, t), 1e-14));  // the same step
      double worst = 0;
      for (Eigen::Index k = 0; k < base.size(); ++k) {
        const double eps = 1e-6;
        Vec up = base, down = base;
        up(k) += eps;
        down(k) -= eps;
        const Vec numeric = (step_from(s, t, up) - step_from(s, t, down)) / (2 * eps);
        for (Eigen::Index r = 0; r < base.size(); ++r) {
          const double error = std::abs(j(r, k) - numeric(r));
          worst = std::max(worst, error);
          INFO(std::string(cell_name(cell)) << " t=" << t << " d s[" << r << "] / d s_prev[" << k << "]");
          CHECK(error <= 1e-8 + 1e-6 * std::abs(numeric(r)));
        }
      }
      MESSAGE(std::string(cell_name(cell)) << " t=" << t << ": worst |J - finite difference| " << worst);
    }
  }
}

TEST_CASE("J_t applied without forming it, and its transpose, equal the explicit matrix") {
  for (CellKind cell : kAllCells) {
    const Setup s = setup(cell, 7, 4, 12);
    const int n = state_size(cell, s.model.hidden_size);
    StepJacobian jac;
    step_jacobian(cell, s.fwd, 3, jac);
    Mat j, y, x, scratch;
    jacobian_matrix(s.model.params.weight_hh, jac, j);
    const Mat block = random_matrix(n, 3, 13);
    jacobian_times(s.model.params.weight_hh, jac, block, y, scratch);
    INFO(std::string(cell_name(cell)));
    CHECK((y - j * block).norm() <= 1e-13 * (j * block).norm());
    jacobian_transpose_times(s.model.params.weight_hh, jac, block, x, scratch);
    CHECK((x - j.transpose() * block).norm() <= 1e-13 * (j.transpose() * block).norm());
  }
}

TEST_CASE("J_t transposed is BPTT's backward step: the same dL/ds_{t-1} from the same dL/ds_t") {
  for (CellKind cell : kAllCells) {
    const Setup s = setup(cell, 6, 5, 14);
    const int H = s.model.hidden_size, G = gate_count(cell);
    const bool lstm = has_cell_state(cell);
    const Mat y = random_matrix(state_size(cell, H), 1, 15);
    Mat dgates(G * H, 1), dgates_in(G * H, 1), dh_prev(H, 1), dc_prev(H, 1);
    const Mat dh = y.topRows(H), dc = lstm ? Mat(y.bottomRows(H)) : Mat::Zero(H, 1);
    step_backward<double>(s.model, s.fwd, 4, dgates, dgates_in, dh_prev, dc_prev, dh, dc);
    Mat x, scratch;
    StepJacobian jac;
    step_jacobian(cell, s.fwd, 4, jac);
    jacobian_transpose_times(s.model.params.weight_hh, jac, y, x, scratch);
    INFO(std::string(cell_name(cell)));
    CHECK((x.topRows(H) - dh_prev).norm() <= 1e-14 * dh_prev.norm());
    if (lstm) CHECK((x.bottomRows(H) - dc_prev).norm() <= 1e-14 * dc_prev.norm());
  }
}

TEST_CASE("singular values: BDCSVD agrees with Jacobi SVD, the subspace iteration with both") {
  for (CellKind cell : kAllCells) {
    const Setup s = setup(cell, 12, 30, 16);
    const Mat j = jacobian_at(s, 20);
    const std::vector<double> ours = singular_values(j);
    const Eigen::JacobiSVD<Mat> jacobi(j);
    const Vec& reference = jacobi.singularValues();
    INFO(std::string(cell_name(cell)));
    REQUIRE(ours.size() == static_cast<size_t>(reference.size()));
    for (size_t i = 0; i < ours.size(); ++i)
      CHECK(std::abs(ours[i] - reference(i)) <= 1e-13 * reference(0));

    // The top 8 of every sampled step by subspace iteration (forced at this small size).
    SpectrumOptions full, top;
    top.max_full_state = 0;
    SpectrumJob a, b;
    begin_spectrum(s.model, s.fwd, full, a);
    spectrum_steps(s.fwd, a, 1000);
    begin_spectrum(s.model, s.fwd, top, b);
    spectrum_steps(s.fwd, b, 1000);
    REQUIRE(a.result.complete);
    REQUIRE_FALSE(b.result.complete);
    REQUIRE(a.result.sv_steps == b.result.sv_steps);
    double worst = 0;
    for (size_t k = 0; k < a.result.step_sv.size(); ++k) {
      const std::vector<double>& all = a.result.step_sv[k];
      const std::vector<double>& top8 = b.result.step_sv[k];
      REQUIRE(top8.size() == 8);
      for (int i = 0; i < 8; ++i) worst = std::max(worst, std::abs(top8[i] - all[i]) / all[0]);
    }
    MESSAGE(std::string(cell_name(cell)) << ": subspace iteration vs SVD, worst relative difference " << worst
                            << ", last change " << b.result.sv_iteration_change);
    CHECK(worst <= 1e-8);
    // The top 8 Lyapunov exponents: the QR's first 8 columns, the same numbers as the first 8
    // of the full QR (before sorting) up to rounding; -inf (dead ReLUs) in the same places. A
    // diagonal J_t's are each unit's average log |d_j|: the 8 largest of the full set.
    REQUIRE(b.result.lyapunov.size() == 8);
    if (!has_recurrent_weights(cell)) {
      for (int i = 0; i < 8; ++i) CHECK(b.result.lyapunov[i] == a.result.lyapunov[i]);
      continue;
    }
    for (int i = 0; i < 8; ++i) {
      const double full_i = a.qr.log_r_sum(i), top_i = b.qr.log_r_sum(i);
      if (std::isinf(full_i)) CHECK(top_i == full_i);
      else CHECK(top_i == doctest::Approx(full_i).epsilon(1e-12));
    }
  }
}

TEST_CASE("an LRU's Lyapunov exponents are ln |lambda_j|, each twice, the top k as well") {
  // its J_t is the same at every step: unit j turns by arg lambda_j and shrinks by |lambda_j|
  Config config;
  REQUIRE(parse_config(config, "cell=lru&hidden=40&length=300&r_min=0.3&precision=f64") == "");
  const Probe probe = run_probe(CellKind::Lru, config, 3);
  std::vector<double> expected;
  for (Eigen::Index j = 0; j < probe.model.params.nu_log.size(); ++j)
    for (int twice = 0; twice < 2; ++twice) expected.push_back(-std::exp(probe.model.params.nu_log(j)));
  std::sort(expected.begin(), expected.end(), [](double a, double b) { return a > b; });
  SpectrumOptions top;  // the top-k path (above max_full_state), forced at this size
  top.max_full_state = 0;
  top.top = 8;
  const Spectrum s = probe_spectrum(probe, top);
  REQUIRE(s.lyapunov.size() == 8);
  for (int i = 0; i < 8; ++i) CHECK(s.lyapunov[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  const Spectrum all = probe_spectrum(probe);
  REQUIRE(all.lyapunov.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    CHECK(all.lyapunov[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  // its eigenvalues are lambda_j and conj(lambda_j), read off J_t at any state size (here the
  // top-k path's, above max_full_state), at every sampled step
  top.eigenvalues = true;
  const Spectrum eig = probe_spectrum(probe, top);
  REQUIRE(!eig.step_eigenvalues.empty());
  CHECK(eig.eigenvalue_steps.size() == eig.step_eigenvalues.size());
  const VecT<double>& nu = probe.model.params.nu_log;
  const VecT<double>& theta = probe.model.params.theta_log;
  for (const auto& step : eig.step_eigenvalues) {
    REQUIRE(step.size() == 2 * static_cast<size_t>(nu.size()));
    for (Eigen::Index j = 0; j < nu.size(); ++j) {
      const std::complex<double> lambda =
          std::exp(std::complex<double>(-std::exp(nu(j)), std::exp(theta(j))));
      for (const std::complex<double>& want : {lambda, std::conj(lambda)}) {
        double nearest = INFINITY;
        for (const std::complex<double>& got : step) nearest = std::min(nearest, std::abs(got - want));
        CHECK(nearest < 1e-14);
      }
    }
  }
}

TEST_CASE("QR Lyapunov exponents of a constant Jacobian are the logs of its eigenvalue moduli") {
  const int n = 6, T = 20000;
  const Vec lambda = (Vec(n) << 1.5, -0.8, 0.6, -0.3, 0.1, 0.02).finished();
  const Mat S = Mat::Identity(n, n) + 0.3 * random_matrix(n, n, 17);
  const Mat J = S * lambda.asDiagonal() * S.inverse();
  LyapunovQR qr;
  begin_lyapunov(n, n, qr);
  for (int t = 0; t < T; ++t) lyapunov_step(qr, J * qr.q);
  const std::vector<double> exponents = lyapunov_exponents(qr);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    worst = std::max(worst, std::abs(exponents[i] - std::log(std::abs(lambda(i)))));
    CHECK(exponents[i] == doctest::Approx(std::log(std::abs(lambda(i)))).epsilon(1e-3));
  }
  MESSAGE("worst |exponent - ln|lambda|| after " << T << " steps: " << worst);
  // The transient is O(1) in the sum, so the error falls as 1/T: 10/T bounds it here.
  CHECK(worst <= 10.0 / T);
  // Their sum is exactly the mean log |det J| per step, whatever T.
  double sum = 0;
  for (double e : exponents) sum += e;
  CHECK(sum == doctest::Approx(std::log(std::abs(J.determinant()))).epsilon(1e-12));
}

TEST_CASE("closed form: rnn-identity with W_hh = a Q (Q orthogonal): every singular value a, every exponent ln a") {
  for (double a : {0.7, 1.0, 1.05}) {
    Config config;
    config.init = InitKind::Orthogonal;
    config.scale = a;
    config.hidden = 16;
    config.length = 300;
    config.precision = Precision::F64;
    const Probe probe = run_probe(CellKind::RnnIdentity, config, 5);
    SpectrumOptions top;
    top.max_full_state = 0;
    for (const Spectrum& s : {probe_spectrum(probe), probe_spectrum(probe, top)}) {
      REQUIRE(s.sv_steps.size() == 300);
      double worst_sv = 0, worst_exponent = 0;
      for (const auto& values : s.step_sv)
        for (double v : values) worst_sv = std::max(worst_sv, std::abs(v - a));
      for (double l : s.lyapunov) worst_exponent = std::max(worst_exponent, std::abs(l - std::log(a)));
      MESSAGE("a=" << a << std::string(s.complete ? " all" : " top 8") << ": worst |sv - a| " << worst_sv
                   << ", worst |exponent - ln a| " << worst_exponent);
      CHECK(worst_sv <= 1e-12);
      CHECK(worst_exponent <= 1e-12);
      CHECK(s.lyapunov.size() == (s.complete ? 16u : 8u));
    }
  }
}

TEST_CASE("closed form: a linear RNN's decay slope and top exponent tend to log10 of W_hh's spectral radius") {
  // Non-normal W_hh (uniform init) rescaled to spectral radius 0.9: ||J^k|| ~ C k^m 0.9^k, so
  // the measured slope over T steps is off by O(log C / T) and the error shrinks as T grows.
  double previous_error = INFINITY;
  for (int T : {200, 2000, 20000}) {
    Config config;
    config.radius = 0.9;
    config.hidden = 16;
    config.length = T;
    config.precision = Precision::F64;
    const Probe probe = run_probe(CellKind::RnnIdentity, config, 6);
    const ProbeAnalysis analysis = analyze_probe(probe);
    SpectrumOptions options;
    options.max_sampled_steps = 0;
    const Spectrum s = probe_spectrum(probe, options);
    const double expected = std::log10(0.9);
    const double slope_error = std::abs(analysis.log10_per_step - expected);
    const double exponent_error = std::abs(s.lyapunov[0] / std::log(10.0) - expected);
    MESSAGE("T=" << T << ": decay slope " << analysis.log10_per_step << ", top exponent "
                 << s.lyapunov[0] / std::log(10.0) << " (log10 per step), log10 0.9 = " << expected);
    CHECK(slope_error < previous_error);
    CHECK(slope_error <= 2.0 / T);
    CHECK(exponent_error <= 2.0 / T);
    previous_error = slope_error;
  }
}

TEST_CASE("long sequences: singular values on an even subsample that includes the last step") {
  CHECK(sampled_steps(5, 5) == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(sampled_steps(10, 4) == std::vector<int>{1, 4, 7, 10});
  CHECK(sampled_steps(10, 1) == std::vector<int>{10});
  CHECK(sampled_steps(7, 0).empty());
  SpectrumOptions options;
  CHECK(sampled_step_count(CellKind::RnnTanh, 32, 50, options) == 50);
  CHECK(sampled_step_count(CellKind::RnnTanh, 32, 100000, options) == 2000);
  CHECK(sampled_step_count(CellKind::Lstm, 32, 100000, options) == 2000);   // n = 64
  CHECK(sampled_step_count(CellKind::Lstm, 64, 100000, options) == 250);    // n = 128
  CHECK(sampled_step_count(CellKind::Lstm, 1024, 4000, options) == 1);      // the last only
  options.max_sampled_steps = 0;
  CHECK(sampled_step_count(CellKind::RnnTanh, 32, 50, options) == 0);

  Config config;
  config.length = 5000;
  config.hidden = 8;
  const Probe probe = run_probe(CellKind::Gru, config, 1);
  const Spectrum s = probe_spectrum(probe);
  REQUIRE(s.sv_steps.size() == 2000);
  CHECK(s.sv_steps.front() == 1);
  CHECK(s.sv_steps.back() == 5000);
  CHECK(s.step_sv.size() == 2000);
  CHECK(s.lyapunov.size() == 8);
}

TEST_CASE("a forward pass that overflowed has no spectrum") {
  Config config;
  config.scale = 100;
  config.length = 300;
  const Probe probe = run_probe(CellKind::RnnRelu, config, 1);
  REQUIRE(probe.curve.overflow_step > 0);
  const Spectrum s = probe_spectrum(probe);
  CHECK(s.overflow_step == probe.curve.overflow_step);
  CHECK(s.step_sv.empty());
  CHECK(s.lyapunov.empty());
}

TEST_CASE("float32 probes: the spectra of their Jacobians, computed in double, agree with float64's") {
  Config config;
  config.length = 200;
  for (CellKind cell : {CellKind::RnnTanh, CellKind::Lstm, CellKind::Gru}) {
    config.precision = Precision::F32;
    const Spectrum f32 = probe_spectrum(run_probe(cell, config, 2));
    config.precision = Precision::F64;
    const Spectrum f64 = probe_spectrum(run_probe(cell, config, 2));
    const double sv = max_abs(f32.step_sv.back(), f64.step_sv.back());
    const double exponents = max_abs(f32.lyapunov, f64.lyapunov);
    MESSAGE(std::string(cell_name(cell)) << ": f32 vs f64, last step's singular values " << sv
                            << ", exponents " << exponents);
    CHECK(sv <= 1e-4);
    CHECK(exponents <= 1e-4);
  }
}

TEST_CASE("dead ReLUs: exactly zero singular values and exponents, as many as the rank says") {
  Config config;
  config.hidden = 16;
  config.length = 60;
  config.precision = Precision::F64;
  // IRNN (W_hh = 0.9 I): J_t = 0.9 diag(relu'), the product is diagonal, every exponent ln 0.9
  // for a unit alive at every step and -inf for one ever off.
  config.init = InitKind::Identity;
  config.scale = 0.9;
  Probe probe = run_probe(CellKind::RnnRelu, config, 3);
  int always_alive = 0;
  for (int j = 0; j < 16; ++j) {
    bool alive = true;
    for (int t = 1; t <= 60; ++t) alive = alive && probe.f64.fwd.h(j, t) > 0;
    always_alive += alive;
  }
  Spectrum s = probe_spectrum(probe);
  MESSAGE("IRNN: " << always_alive << " of 16 units alive at every step");
  REQUIRE(always_alive > 0);
  REQUIRE(always_alive < 16);
  for (int i = 0; i < 16; ++i) {
    if (i < always_alive) CHECK(s.lyapunov[i] == doctest::Approx(std::log(0.9)).epsilon(1e-14));
    else CHECK(s.lyapunov[i] == -INFINITY);
  }

  // Uniform W_hh: a generic product has the smallest rank of its factors, n minus the most units
  // off at any step; that many exponents are finite, the rest exactly -inf, and each step's
  // singular values end with as many exact zeros as it has units off.
  config.init = InitKind::Uniform;
  config.scale = 1.5;
  probe = run_probe(CellKind::RnnRelu, config, 4);
  s = probe_spectrum(probe);
  int most_off = 0;
  for (int t = 1; t <= 60; ++t) {
    int off = 0;
    for (int j = 0; j < 16; ++j) off += probe.f64.fwd.h(j, t) == 0;
    most_off = std::max(most_off, off);
    const std::vector<double>& sv = s.step_sv[t - 1];
    for (int i = 0; i < 16; ++i) CHECK((sv[i] == 0) == (i >= 16 - off));
  }
  int finite = 0;
  for (double l : s.lyapunov) finite += std::isfinite(l);
  MESSAGE("uniform: at most " << most_off << " of 16 units off at one step; " << finite
                              << " finite exponents");
  CHECK(finite == 16 - most_off);
}
