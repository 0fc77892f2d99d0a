#include "analyses/attribution.h"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "analyses/probe_summary.h"

namespace gs {

namespace {

const double kMinusInfinity = -std::numeric_limits<double>::infinity();

// ||v|| without overflow or underflow (decay.cpp's rule: the carried vector has unit norm).
double safe_norm(const Mat& v) {
  const double norm = v.norm();
  if (norm > 1e-150 && norm < 1e150) return norm;
  return v.stableNorm();
}

bool is_rnn(CellKind cell) { return cell_info(cell).family == CellFamily::Rnn; }

}  // namespace

double spectral_radius(const Mat& m) {
  if (m.size() == 0) return 0.0;
  if (m.rows() <= kExactRadiusMaxSize) {
    Eigen::EigenSolver<Mat> solver(m, /*computeEigenvectors=*/false);
    return solver.eigenvalues().cwiseAbs().maxCoeff();
  }
  // Gelfand: log10 ||W^(2^j)||_F for j = 0..kRadiusSquarings, each square renormalized (nothing
  // overflows), and the rate from the last two: ||W^n|| ~ C r^n, so C cancels out.
  Mat power = m, next;  // W^(2^j) = power 10^scale
  double scale = 0, log10_norm = 0, previous = 0;
  for (int j = 0; j <= kRadiusSquarings; ++j) {
    const double norm = power.norm();
    if (!(norm > 0)) return 0.0;  // nilpotent: every eigenvalue is 0
    if (!std::isfinite(norm)) return std::nan("");
    power /= norm;
    scale += std::log10(norm);
    previous = log10_norm;
    log10_norm = scale;  // log10 ||W^(2^j)||
    if (j == kRadiusSquarings) break;
    next.noalias() = power * power;
    power.swap(next);
    scale *= 2;
  }
  return std::pow(10.0, (log10_norm - previous) / std::ldexp(1.0, kRadiusSquarings - 1));
}

std::vector<double> linear_decay_curve(const Mat& weight_hh, const Mat& seed_grad_h, int T) {
  std::vector<double> curve(T > 0 ? T : 0, kMinusInfinity);
  Mat dh = seed_grad_h, next(seed_grad_h.rows(), 1);
  double log10_scale = 0;
  const auto renormalize = [&] {
    const double norm = safe_norm(dh);
    if (!(norm > 0) || !std::isfinite(norm)) return;  // exactly 0 stays 0
    dh /= norm;
    log10_scale += std::log10(norm);
  };
  renormalize();
  for (int t = T; t >= 1; --t) {  // record dL/dh_t, then step back to dL/dh_{t-1}
    const double norm = safe_norm(dh);
    curve[t - 1] = norm > 0 ? std::log10(norm) + log10_scale : kMinusInfinity;
    next.noalias() = weight_hh.transpose() * dh;
    dh.swap(next);
    renormalize();
  }
  return curve;
}

double slope_over_window(const std::vector<double>& curve, const std::vector<double>& window) {
  const int T = static_cast<int>(window.size());
  int first = 0;  // as probe_summary.cpp: once exactly 0, the probe's gradient stays 0 further back
  while (first < T && window[first] == kMinusInfinity) ++first;
  const int steps = T - first;
  if (steps <= 1 || static_cast<int>(curve.size()) != T) return 0.0;
  for (int t = first; t < T; ++t)
    if (curve[t] == kMinusInfinity) return kMinusInfinity;
  return (curve[first] - curve.back()) / (steps - 1);
}

Attribution attribute_decay(const Probe& probe) {
  Attribution a;
  const double nan = std::nan("");
  if (!is_rnn(probe.model.cell)) {
    a.total_log10_per_step = a.twin_log10_per_step = a.activation_log10_per_step = nan;
    a.spectral_radius_whh = a.sigma_max_whh = nan;
    return a;
  }
  const Mat& w = probe.model.params.weight_hh;
  a.spectral_radius_whh = spectral_radius(w);
  a.sigma_max_whh = largest_singular_value(w);
  const std::vector<double>& curve = probe.curve.log10_grad_h;
  int finite = 0;  // steps where the probe's gradient is not exactly 0: its slope's window
  for (double v : curve) finite += v != kMinusInfinity;
  if (probe.curve.overflow_step > 0 || finite < 2 || !probe.done) {
    a.total_log10_per_step = a.twin_log10_per_step = a.activation_log10_per_step = nan;
    return a;
  }
  a.applies = true;
  a.total_log10_per_step = analyze_probe(probe).log10_per_step;
  if (cell_info(probe.model.cell).activation == Activation::Identity) {  // the twin is itself
    a.twin_log10_grad_h = curve;
    a.twin_log10_per_step = a.total_log10_per_step;
  } else {
    a.twin_log10_grad_h = linear_decay_curve(w, probe.seed_grad_h, static_cast<int>(curve.size()));
    a.twin_log10_per_step = slope_over_window(a.twin_log10_grad_h, curve);
  }
  a.activation_log10_per_step = a.total_log10_per_step - a.twin_log10_per_step;
  return a;
}

}  // namespace gs
