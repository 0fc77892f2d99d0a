// The attribution of an RNN's decay to W_hh and to the activation's derivative (attribution.h).
#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <cmath>
#include <cstdio>

#include "analyses/probe_summary.h"
#include "analyses/attribution.h"
#include "model/rng.h"

using namespace gs;

namespace {

const CellKind kRnns[] = {CellKind::RnnTanh, CellKind::RnnRelu, CellKind::RnnSigmoid,
                          CellKind::RnnIdentity};

}  // namespace

TEST_CASE("attribution: for rnn-identity the activation adds exactly nothing") {
  for (Precision precision : {Precision::F32, Precision::F64}) {
    Config config;
    config.precision = precision;
    const Probe probe = run_probe(CellKind::RnnIdentity, config, 1);
    const Attribution a = attribute_decay(probe);
    REQUIRE(a.applies);
    CHECK(a.total_log10_per_step == analyze_probe(probe).log10_per_step);
    CHECK(a.twin_log10_per_step == a.total_log10_per_step);
    CHECK(a.activation_log10_per_step == 0);
    // The twin's own computation (the linear recurrence from W_hh and the seed) gives the probe's
    // curve: to rounding in float64, to float32's rounding over 50 steps in float32.
    const std::vector<double> twin =
        linear_decay_curve(probe.model.params.weight_hh, probe.seed_grad_h, probe.sample.length());
    const std::vector<double>& curve = probe.curve.log10_grad_h;
    REQUIRE(twin.size() == curve.size());
    const double tolerance = precision == Precision::F64 ? 1e-12 : 1e-5;
    for (size_t t = 0; t < curve.size(); ++t) CHECK(std::abs(twin[t] - curve[t]) < tolerance);
  }
}

TEST_CASE("attribution: the twin is an identity RNN with the same weights, inputs and seed") {
  Config config;
  config.precision = Precision::F64;
  for (CellKind cell : {CellKind::RnnTanh, CellKind::RnnRelu, CellKind::RnnSigmoid}) {
    CAPTURE(cell_name(cell));
    const Probe probe = run_probe(cell, config, 1);
    GivenModel twin;
    twin.model = probe.model;
    twin.model.cell = CellKind::RnnIdentity;
    twin.inputs_from = GivenModel::Inputs::Given;
    twin.inputs = probe.sample.inputs;
    twin.seed_grad_h = probe.seed_grad_h;
    Config twin_config = config;
    twin_config.length = probe.sample.length();
    const Probe identity = run_probe(twin, twin_config, config.seed);
    REQUIRE(identity.curve.overflow_step == 0);
    const Attribution a = attribute_decay(probe);
    REQUIRE(a.twin_log10_grad_h.size() == identity.curve.log10_grad_h.size());
    for (size_t t = 0; t < a.twin_log10_grad_h.size(); ++t)
      CHECK(std::abs(a.twin_log10_grad_h[t] - identity.curve.log10_grad_h[t]) < 1e-12);
    CHECK(std::abs(a.twin_log10_per_step - analyze_probe(identity).log10_per_step) < 1e-12);
  }
}

TEST_CASE("attribution: W_hh = a Q (Q orthogonal) gives W_hh's part log10 a per step") {
  for (double scale : {0.6, 0.9, 1.3}) {
    CAPTURE(scale);
    Config config;
    config.init = InitKind::Orthogonal;
    config.scale = scale;
    config.length = 200;
    config.precision = Precision::F64;
    for (CellKind cell : kRnns) {
      CAPTURE(cell_name(cell));
      const Probe probe = run_probe(cell, config, 3);
      const Attribution a = attribute_decay(probe);
      CHECK(a.spectral_radius_whh == doctest::Approx(scale).epsilon(1e-12));
      CHECK(a.sigma_max_whh == doctest::Approx(scale).epsilon(1e-12));
      if (probe.curve.overflow_step) continue;  // ReLU/identity at 1.3 may leave the range
      REQUIRE(a.applies);
      // ||(a Q^T)^k v|| = a^k ||v|| exactly: every step of the twin is log10 a
      CHECK(std::abs(a.twin_log10_per_step - std::log10(scale)) < 1e-12);
      const int T = static_cast<int>(a.twin_log10_grad_h.size());
      for (int t = 1; t < T; ++t)
        CHECK(std::abs(a.twin_log10_grad_h[t - 1] - a.twin_log10_grad_h[t] - std::log10(scale)) <
              1e-12);
    }
  }
}

TEST_CASE("attribution: the spectral radius is the largest |eigenvalue|, set by radius=") {
  Config config;
  config.radius = 0.7;
  const Probe probe = run_probe(CellKind::RnnTanh, config, 1);
  const Attribution a = attribute_decay(probe);
  // float32 rounds the rescaled W_hh
  CHECK(a.spectral_radius_whh == doctest::Approx(0.7).epsilon(1e-6));
  CHECK(a.sigma_max_whh >= a.spectral_radius_whh);
  // a 2 x 2 rotation-and-shear: eigenvalues 0.5 +- 0.5i (radius sqrt(0.5)), sigma_max larger
  Mat m(2, 2);
  m << 0.5, -2.0, 0.125, 0.5;
  CHECK(spectral_radius(m) == doctest::Approx(std::sqrt(0.5)).epsilon(1e-14));
  CHECK(spectral_radius(Mat()) == 0);
}

TEST_CASE("attribution: above 128 units the radius is Gelfand's, as EigenSolver has it") {
  Rng rng(7);
  for (double scale : {0.5, 1.0, 3.0}) {
    CAPTURE(scale);
    Mat w(160, 160);  // one size above kExactRadiusMaxSize, where EigenSolver is still quick
    for (Eigen::Index r = 0; r < w.rows(); ++r)
      for (Eigen::Index c = 0; c < w.cols(); ++c)
        w(r, c) = rng.uniform(-scale, scale) / std::sqrt(160.0);
    Eigen::EigenSolver<Mat> solver(w, false);
    const double exact = solver.eigenvalues().cwiseAbs().maxCoeff();
    CHECK(spectral_radius(w) == doctest::Approx(exact).epsilon(1e-6));
  }
  // an orthogonal matrix times 0.9: every eigenvalue has modulus 0.9
  Mat gaussian(200, 200);
  for (Eigen::Index r = 0; r < 200; ++r)
    for (Eigen::Index c = 0; c < 200; ++c) gaussian(r, c) = rng.normal();
  const Mat q = Eigen::HouseholderQR<Mat>(gaussian).householderQ();
  CHECK(spectral_radius(0.9 * q) == doctest::Approx(0.9).epsilon(1e-9));
  CHECK(spectral_radius(Mat::Zero(200, 200)) == 0);
}

TEST_CASE("attribution: the parts add up to the measured slope on the default model") {
  // The default model (hidden 32, length 50, uniform init, float32), and issue 19's seed 1.
  for (uint64_t seed : {Config().seed, uint64_t{1}}) {
    Config config;
    config.seed = seed;
    for (CellKind cell : kRnns) {
      CAPTURE(cell_name(cell));
      const Probe probe = run_probe(cell, config, config.seed);
      const ProbeAnalysis measured = analyze_probe(probe);
      const Attribution a = attribute_decay(probe);
      REQUIRE(a.applies);
      CHECK(a.total_log10_per_step == measured.log10_per_step);
      CHECK(std::abs(a.twin_log10_per_step + a.activation_log10_per_step -
                     measured.log10_per_step) < 1e-3);
      CHECK(a.sigma_max_whh == measured.sigma_max_whh);
      CHECK(a.spectral_radius_whh <= a.sigma_max_whh * (1 + 1e-12));
      char line[300];
      std::snprintf(line, sizeof line,
                    "seed %d %s: total %.4f log10/step, W_hh's part (identity twin) %.4f, "
                    "activation's part %.4f; mean act' %.3f; sigma_max(W_hh) %.4f, spectral "
                    "radius %.4f",
                    static_cast<int>(seed), cell_name(cell), a.total_log10_per_step,
                    a.twin_log10_per_step, a.activation_log10_per_step, measured.mean_derivative,
                    a.sigma_max_whh, a.spectral_radius_whh);
      MESSAGE(line);
    }
    // Issue 19's case: sigma_max above 1, the radius well below it, and W_hh carries most of it.
    const Attribution tanh = attribute_decay(run_probe(CellKind::RnnTanh, config, config.seed));
    CHECK(tanh.sigma_max_whh > 1);
    CHECK(tanh.spectral_radius_whh < 1);
    CHECK(tanh.twin_log10_per_step < 0);
    CHECK(tanh.twin_log10_per_step / tanh.total_log10_per_step > 0.5);
  }
}

TEST_CASE("attribution: LSTM and GRU have none; an overflowed or dead probe only W_hh's") {
  const Config config;
  for (CellKind cell : {CellKind::Lstm, CellKind::Gru}) {
    const Attribution a = attribute_decay(run_probe(cell, config, 1));
    CHECK_FALSE(a.applies);
    CHECK(std::isnan(a.twin_log10_per_step));
    CHECK(std::isnan(a.spectral_radius_whh));
  }
  Config exploding;
  exploding.scale = 20;
  exploding.length = 500;
  const Probe probe = run_probe(CellKind::RnnIdentity, exploding, 1);
  REQUIRE(probe.curve.overflow_step > 0);
  const Attribution a = attribute_decay(probe);
  CHECK_FALSE(a.applies);
  CHECK(std::isnan(a.total_log10_per_step));
  CHECK(std::isnan(a.twin_log10_per_step));
  CHECK(a.spectral_radius_whh > 1);
  CHECK(std::isfinite(a.sigma_max_whh));
  // W_hh = 0: the gradient is exactly 0 one step back, so there is no slope to split
  Config zero;
  zero.scale = 0;
  const Probe dead = run_probe(CellKind::RnnTanh, zero, 1);
  REQUIRE(analyze_probe(dead).steps_to_zero == 2);  // dL/dh_T only
  const Attribution none = attribute_decay(dead);
  CHECK_FALSE(none.applies);
  CHECK(std::isnan(none.twin_log10_per_step));
  CHECK(none.spectral_radius_whh == 0);
}
