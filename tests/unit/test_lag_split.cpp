// The lag split of dL/dW_hh (lag_split.h) against a direct computation from BPTT's own
// per-step dgates (sequence.h), and its shares at depths far below float64's range.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "all_cells.h"
#include "bptt/lag_split.h"

using namespace gs;

namespace {

double share_sum(const LagSplit& split) {
  double sum = 0;
  for (int t = 1; t <= split.steps(); ++t) sum += std::pow(10.0, split.log10_share(t));
  return sum;
}

// log10 ||dgates_t h_{t-1}^T||_F, t = 1..T, of a tanh RNN's forward pass, by a BPTT of its own:
// the gradient is rescaled to norm 1 at every step and its log10 scale carried beside it, so that
// nothing underflows however deep. The outer product's Frobenius norm is the product of its two
// vectors' norms; dgates_t = (1 - h_t^2) * dL/dh_t, dL/dh_{t-1} = W_hh^T dgates_t.
template <class T>
std::vector<double> tanh_log10_terms(const ModelT<T>& model, const ForwardPass<T>& fwd,
                                     const Mat& seed_grad_h) {
  const Mat w_hh = model.params.weight_hh.template cast<double>();
  const int steps = fwd.length;
  std::vector<double> terms(steps);
  Eigen::VectorXd g = seed_grad_h.col(0);  // dL/dh_T / 10^scale
  double scale = 0;
  for (int t = steps; t >= 1; --t) {
    const Eigen::VectorXd h = fwd.h_at(t).col(0).template cast<double>();
    const Eigen::VectorXd h_before = fwd.h_at(t - 1).col(0).template cast<double>();
    const Eigen::VectorXd dgates = (1 - h.array().square()).matrix().cwiseProduct(g);
    terms[t - 1] = std::log10(dgates.norm()) + scale + std::log10(h_before.norm());
    g = w_hh.transpose() * dgates;
    const double norm = g.norm();
    g /= norm;
    scale += std::log10(norm);
  }
  return terms;
}

}  // namespace

TEST_CASE(
    "lag shares sum to 1 and equal the norms of BPTT's own outer products dgates_t h_{t-1}^T") {
  for (CellKind cell : kAllCells) {
    Config config;  // adding: the task's loss is at the last step only, as the probe's
    config.hidden = 6;
    config.length = 30;
    config.scale = 1.5;
    config.precision = Precision::F64;
    const Probe probe = run_probe(cell, config, 4);
    const LagSplit split = probe_lag_split(probe);
    INFO(std::string(cell_name(cell)));
    REQUIRE(split.steps() == 30);
    CHECK(share_sum(split) == doctest::Approx(1).epsilon(1e-12));

    // Direct: sequence.h's backward pass over the same forward pass, one outer product a step.
    const ForwardPass<double>& fwd = probe.f64.fwd;
    const BackwardPass<double> bwd = backward(probe.f64.model, fwd);
    // A cell without W_hh: the split is of dL/dW_ih, one term dgates_t x_t^T a step.
    const bool recurrent = has_recurrent_weights(cell);
    const Mat& whole = recurrent ? bwd.grads.weight_hh : bwd.grads.weight_ih;
    Mat sum = Mat::Zero(whole.rows(), whole.cols());
    std::vector<double> norms(30);
    for (int t = 1; t <= 30; ++t) {
      Mat dgates = bwd.dgates.col(t - 1);
      if (has_complex_state(cell))  // the LRU's dL/du_t = gamma dL/dh_t (lru_cell.cpp)
        dgates.array() *= fwd.scratch.col(2).replicate(2, 1).array();
      const Mat term = dgates *
                       (recurrent ? Mat(fwd.h_at(t - 1)) : Mat(fwd.x.col(t - 1))).transpose();
      sum += term;
      norms[t - 1] = term.norm();  // Frobenius
    }
    CHECK((sum - whole).norm() <= 1e-13 * whole.norm());  // eq. 4
    double total = 0;
    for (double n : norms) total += n;
    if (recurrent) CHECK(split.log10_term[0] == -INFINITY);  // h_0 = 0: step 1's term is 0
    double worst = 0;
    for (int t = recurrent ? 2 : 1; t <= 30; ++t) {
      if (norms[t - 1] == 0) {  // a dead ReLU layer: exactly 0 both ways
        CHECK(split.log10_term[t - 1] == -INFINITY);
        continue;
      }
      worst = std::max(worst, std::abs(split.log10_term[t - 1] - std::log10(norms[t - 1])));
      CHECK(std::pow(10.0, split.log10_share(t)) ==
            doctest::Approx(norms[t - 1] / total).epsilon(1e-11));
    }
    MESSAGE(std::string(cell_name(cell)) << ": worst |log10 term norm - direct| " << worst);
    CHECK(worst <= 1e-12);
    // Share above lag L: the sum of the shares of lags L+1 .. T-1.
    double above = 0;
    for (int t = 1; t < 30 - 10; ++t) above += norms[t - 1] / total;
    if (above > 0)
      CHECK(std::pow(10.0, split.log10_share_above(10)) == doctest::Approx(above).epsilon(1e-11));
  }
}

TEST_CASE("lag shares stay exact in log10 thousands of steps deep, in float32 too") {
  Config config;
  config.length = 3000;
  for (Precision precision : {Precision::F32, Precision::F64}) {
    config.precision = precision;
    const Probe probe = run_probe(CellKind::RnnTanh, config, 1);
    const LagSplit split = probe_lag_split(probe);
    const std::vector<double> want =
        precision == Precision::F32
            ? tanh_log10_terms(probe.f32.model, probe.f32.fwd, probe.seed_grad_h)
            : tanh_log10_terms(probe.f64.model, probe.f64.fwd, probe.seed_grad_h);
    MESSAGE(std::string(precision_name(precision))
            << ": log10 share of lag 2998 (t = 2): " << split.log10_share(2)
            << ", decay at t = 2: " << probe.curve.log10_grad_h[1]);
    CHECK(split.log10_share(2) < -300);  // far below float64's range, still a number
    CHECK(share_sum(split) == doctest::Approx(1).epsilon(1e-12));
    // every step's term against BPTT rescaled step by step (the float32 pass's own numbers,
    // recomputed in double: measured 1.1e-6 decades of float32 rounding over 3,000 steps, 6e-14
    // in float64; a shift by one step is off by a step's decay, about 0.17 decades)
    const double tolerance = precision == Precision::F32 ? 1e-5 : 1e-12;
    double worst = 0;
    REQUIRE(split.log10_term.size() == want.size());
    CHECK(split.log10_term[0] == -INFINITY);  // h_0 = 0
    for (int t = 2; t <= 3000; ++t) {
      REQUIRE(std::isfinite(split.log10_term[t - 1]));
      worst = std::max(worst, std::abs(split.log10_term[t - 1] - want[t - 1]));
    }
    MESSAGE("worst |log10 term - rescaled BPTT| over 3000 steps: " << worst);
    CHECK(worst <= tolerance);
    CHECK(std::abs(split.log10_total - log10_sum(want.data(), 3000)) <= tolerance);
  }
}

TEST_CASE("log10_sum: log-sum-exp in base 10, exact zeros and overflow kept") {
  const double values[] = {-1000, -1000, -INFINITY};
  CHECK(log10_sum(values, 3) == doctest::Approx(-1000 + std::log10(2.0)).epsilon(1e-15));
  CHECK(log10_sum(values + 2, 1) == -INFINITY);
  CHECK(log10_sum(values, 0) == -INFINITY);
  const double with_nan[] = {1, NAN};
  CHECK(std::isnan(log10_sum(with_nan, 2)));
}

TEST_CASE("a forward pass that overflowed has no lag split") {
  Config config;
  config.scale = 100;
  config.length = 300;
  const LagSplit split = probe_lag_split(run_probe(CellKind::RnnRelu, config, 1));
  CHECK(split.overflow_step > 0);
  CHECK(std::isnan(split.log10_term[0]));
  CHECK(std::isnan(split.log10_share_above(10)));
}
