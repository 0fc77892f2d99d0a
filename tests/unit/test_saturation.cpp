// Saturation, gates and dead units (saturation.h), and the bounds theory gives (bounds.h),
// against probe_summary.h's means and closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "analyses/probe_summary.h"
#include "analyses/bounds.h"
#include "bptt/saturation.h"

using namespace gs;

namespace {

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / v.size();
}

}  // namespace

TEST_CASE("quartiles interpolate between order statistics as numpy.percentile does") {
  const std::vector<double> v = {1, 2, 4, 8, 16};  // positions 0..4
  CHECK(quantile_of_sorted(v, 0.25) == 2);
  CHECK(quantile_of_sorted(v, 0.5) == 4);
  CHECK(quantile_of_sorted(v, 0.75) == 8);
  const std::vector<double> w = {0, 10, 20, 30};  // position 0.75, 1.5, 2.25
  CHECK(quantile_of_sorted(w, 0.25) == doctest::Approx(7.5));
  CHECK(quantile_of_sorted(w, 0.5) == doctest::Approx(15));
  CHECK(quantile_of_sorted(w, 0.75) == doctest::Approx(22.5));
}

TEST_CASE("per-step means agree with probe_summary.h's overall means: tanh', dead ReLUs, f and z") {
  Config config;
  config.length = 120;
  config.precision = Precision::F64;
  for (CellKind cell : {CellKind::RnnTanh, CellKind::RnnRelu, CellKind::RnnSigmoid,
                        CellKind::RnnIdentity, CellKind::Lstm, CellKind::Gru}) {
    const Probe probe = run_probe(cell, config, 3);
    const ProbeAnalysis a = analyze_probe(probe);
    const Saturation s = probe_saturation(probe);
    INFO(std::string(cell_name(cell)));
    if (cell == CellKind::Lstm) {
      REQUIRE(s.series.size() == 5);
      CHECK(std::string(s.series[1].name) == "f");
      CHECK(mean_of(s.series[1].mean) == doctest::Approx(a.mean_gate).epsilon(1e-12));
    } else if (cell == CellKind::Gru) {
      REQUIRE(s.series.size() == 3);
      CHECK(std::string(s.series[1].name) == "z");
      CHECK(mean_of(s.series[1].mean) == doctest::Approx(a.mean_gate).epsilon(1e-12));
    } else {
      REQUIRE(s.series.size() == 1);
      CHECK(mean_of(s.series[0].mean) == doctest::Approx(a.mean_derivative).epsilon(1e-12));
    }
    if (cell == CellKind::RnnRelu)
      CHECK(mean_of(s.dead_share) == doctest::Approx(a.fraction_zero_derivative).epsilon(1e-12));
    else
      CHECK(s.dead_share.empty());
    for (const SaturationSeries& series : s.series)
      for (int t = 0; t < 120; ++t) {
        CHECK(series.q25[t] <= series.median[t]);
        CHECK(series.median[t] <= series.q75[t]);
      }
  }
}

TEST_CASE("Pascanu's bound is gamma sigma_max(W_hh), and a constant forget gate's path falls log10 f per step") {
  Config config;
  config.init = InitKind::Orthogonal;
  config.scale = 0.8;
  config.precision = Precision::F64;
  const Bounds sigmoid = probe_bounds(run_probe(CellKind::RnnSigmoid, config, 1));
  CHECK(sigmoid.sigma_max_whh == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(sigmoid.pascanu_bound == doctest::Approx(0.2).epsilon(1e-12));
  CHECK(sigmoid.log10_keep_path.empty());

  // LSTM whose forget gate sees neither input nor state: f = sigma(3) at every unit and step.
  Probe probe = begin_probe(CellKind::Lstm, config, 2);
  const int H = config.hidden;
  Model& model = probe.f64.model;
  model.params.weight_ih.middleRows(H, H).setZero();
  model.params.weight_hh.middleRows(H, H).setZero();
  model.params.bias_ih.segment(H, H).setConstant(3);
  model.params.bias_hh.segment(H, H).setZero();
  probe.model = model;
  begin_forward(model, probe.sample, probe.h0, probe.c0, probe.f64.fwd);
  while (!advance_probe(probe, 1 << 30)) {
  }
  const Bounds lstm = probe_bounds(probe);
  const double log10_f = std::log10(1 / (1 + std::exp(-3.0)));
  CHECK(lstm.keep_path_log10_per_step == doctest::Approx(log10_f).epsilon(1e-12));
  CHECK(lstm.log10_keep_path[0] == doctest::Approx((config.length - 1) * log10_f).epsilon(1e-12));
  CHECK(lstm.log10_keep_path.back() == 0);
  CHECK(std::isnan(lstm.pascanu_bound));
}

TEST_CASE("ReLU: dead units are the share of h_t exactly 0, and an overflowed pass says from where") {
  Config config;
  config.scale = 100;
  config.length = 300;
  const Probe probe = run_probe(CellKind::RnnRelu, config, 1);
  const Saturation s = probe_saturation(probe);
  REQUIRE(s.overflow_step > 0);
  const int last = s.overflow_step - 1;
  CHECK(std::isfinite(s.dead_share[last - 1]));
  CHECK(std::isnan(s.dead_share[last]));
  CHECK(std::isnan(s.series[0].mean.back()));
  int off = 0;
  for (int j = 0; j < config.hidden; ++j) off += probe.f32.fwd.h(j, 1) == 0;
  CHECK(s.dead_share[0] == doctest::Approx(double(off) / config.hidden));
}
