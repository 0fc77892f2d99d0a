// The numbers behind the "why" explanation.
#include <doctest/doctest.h>

#include <cmath>

#include "analyses/probe_summary.h"

using namespace gs;

TEST_CASE("a linear RNN with W_hh = 0.8 I: factor 0.8 per step, sigma_max 0.8, derivative 1") {
  Config config;
  config.init = InitKind::Identity;
  config.scale = 0.8;
  config.length = 200;
  config.precision = Precision::F64;  // a closed form, checked to 1e-9: the reference path
  const Probe probe = run_probe(CellKind::RnnIdentity, config, 3);
  const ProbeAnalysis a = analyze_probe(probe);
  CHECK(a.factor_per_step == doctest::Approx(0.8).epsilon(1e-9));
  CHECK(a.sigma_max_whh == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(a.mean_derivative == 1);
  CHECK(a.log10_first_to_last == doctest::Approx(199 * std::log10(0.8)).epsilon(1e-9));
}

TEST_CASE("tanh: the mean derivative is below 1 and the measured factor below gamma sigma_max") {
  Config config;
  config.length = 300;
  const Probe probe = run_probe(CellKind::RnnTanh, config, 1);
  const ProbeAnalysis a = analyze_probe(probe);
  CHECK(a.mean_derivative > 0);
  CHECK(a.mean_derivative < 1);
  CHECK(a.factor_per_step < a.gamma * a.sigma_max_whh);  // Pascanu et al.'s bound holds
}

TEST_CASE("LSTM and GRU report their gate means, ReLU its dead fraction") {
  Config config;
  config.forget_bias = 20;  // f = sigma(20 + small) ~ 1
  const ProbeAnalysis lstm = analyze_probe(run_probe(CellKind::Lstm, config, 2));
  CHECK(lstm.mean_gate > 0.999);
  const ProbeAnalysis gru = analyze_probe(run_probe(CellKind::Gru, config, 2));
  CHECK(gru.mean_gate > 0.2);
  CHECK(gru.mean_gate < 0.8);
  const ProbeAnalysis relu = analyze_probe(run_probe(CellKind::RnnRelu, config, 2));
  CHECK(relu.fraction_zero_derivative > 0);
  CHECK(relu.fraction_zero_derivative == doctest::Approx(1 - relu.mean_derivative));
}
