#include "analyses/probe_summary.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "cells/cell.h"

namespace gs {

// sigma_max(M) = sqrt(lambda_max(M^T M)): a symmetric eigensolver is ~20x faster than an SVD
// (5 ms against 100 ms at H = 200), which keeps a browser frame short.
double largest_singular_value(const Mat& m) {
  if (m.size() == 0) return 0.0;
  const Mat gram = m.transpose() * m;
  Eigen::SelfAdjointEigenSolver<Mat> solver(gram, Eigen::EigenvaluesOnly);
  return std::sqrt(std::max(0.0, solver.eigenvalues().maxCoeff()));
}

ProbeAnalysis analyze_probe(const Probe& probe) {
  ProbeAnalysis a;
  const std::vector<double>& curve = probe.curve.log10_grad_h;
  const int T = static_cast<int>(curve.size());
  a.overflow_step = probe.curve.overflow_step;
  a.log10_growth_per_step = probe.curve.log10_growth_per_step;
  int first_finite = 0;  // once exactly 0, the gradient stays 0 further back
  while (first_finite < T && curve[first_finite] == -INFINITY) ++first_finite;
  if (first_finite > 0) a.steps_to_zero = T - first_finite + 1;
  if (T > 0) a.log10_first_to_last = curve.front() - curve.back();
  const int finite_steps = T - first_finite;
  if (a.overflow_step > 0) {  // no gradient to measure: every value is beyond range
    a.log10_per_step = a.factor_per_step = std::nan("");
  } else if (finite_steps > 1) {
    a.log10_per_step = (curve[first_finite] - curve.back()) / (finite_steps - 1);
    a.factor_per_step = std::pow(10.0, a.log10_per_step);
  }
  const Model& model = probe.model;
  const int H = model.hidden_size;
  const CellKind cell = model.cell;
  // the candidate's block of W_hh: W_hh itself for an RNN, W_g (LSTM) or W_n (GRU); none for a
  // cell without W_hh
  a.sigma_max_whh = has_recurrent_weights(cell)
                        ? largest_singular_value(model.params.weight_hh.middleRows(
                              cell_info(cell).candidate_block * H, H))
                        : std::nan("");
  a.gamma = activation_derivative_bound(cell);

  double sum_derivative = 0, zeros = 0, sum_gate = 0, max_gate = 0;
  long count = 0;
  with_lane(probe, [&](const auto& lane) {
    const auto& fwd = lane.fwd;
    const Eigen::ArrayXd moduli = has_complex_state(cell) ? lru_moduli(fwd) : Eigen::ArrayXd();
    for (int t = 0; t < fwd.length; ++t) {
      for (int j = 0; j < H; ++j, ++count) {
        if (has_complex_state(cell)) {  // the LRU: |lambda| of unit j mod N
          const double modulus = moduli(j % moduli.size());
          sum_gate += modulus;
          max_gate = std::max(max_gate, modulus);
          continue;
        }
        if (keep_gate_block(cell) >= 0) {  // a gated cell: what its keep gate keeps
          const double gate = fwd.gates(keep_gate_block(cell) * H + j, t);
          const double keep = cell_info(cell).keep_is_complement ? 1 - gate : gate;
          sum_gate += keep;
          max_gate = std::max(max_gate, keep);
          continue;
        }
        const double h = fwd.h(j, t + 1);  // h_t: act' is written from it
        switch (cell_info(cell).activation) {
          case Activation::Tanh: sum_derivative += 1 - h * h; break;
          case Activation::Sigmoid: sum_derivative += h * (1 - h); break;
          case Activation::Relu: sum_derivative += h > 0, zeros += h <= 0; break;
          case Activation::Identity:
          case Activation::None: sum_derivative += 1; break;
        }
      }
    }
  });
  if (count) {
    a.mean_derivative = sum_derivative / count;
    a.fraction_zero_derivative = zeros / count;
    a.mean_gate = sum_gate / count;
    a.max_gate = keep_gate_block(cell) >= 0 || has_complex_state(cell) ? max_gate : std::nan("");
  }
  return a;
}

}  // namespace gs
