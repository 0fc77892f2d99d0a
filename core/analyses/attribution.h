// Why a vanilla RNN's gradient vanishes (or grows), split in two: what W_hh alone gives and
// what the activation's derivative adds.
//
// Each step back multiplies the gradient by J_t^T = W_hh^T diag(act'(a_t)). The probe's
// "identity twin" is the same weights, the same inputs and the same seed gradient dL/dh_T with
// the identity activation: act' = 1, so every step multiplies by W_hh^T, the linear recurrence
// (whose backward pass does not depend on the forward states, so it is computed from W_hh and
// the seed alone, in float64). Its decay slope, measured as probe_summary.h measures the probe's own
// (log10 per step back, first to last over the steps where the probe's gradient is not exactly
// 0), is W_hh's part; the rest is the activation's:
//
//   total = twin + (total - twin)       (log10 per step back; negative: vanishing)
//
// so the parts add up to the measured slope by construction. A negative activation part means
// act' adds decay, a positive one that it adds growth (diag(act') can turn the gradient towards
// directions W_hh^T stretches more).
//
// Over many steps the linear recurrence's rate is log10 of W_hh's spectral radius (its largest
// |eigenvalue|; the Lyapunov exponent of a constant Jacobian), not of its largest singular value:
// sigma_max(W_hh) > 1 lets one step grow some gradient, while a radius below 1 still makes the
// product shrink. Both are reported. The twin's slope over a finite sequence also holds the
// transient of a non-normal W_hh, so it is measured, not taken from the radius.
#pragma once
#include <vector>

#include "bptt/decay.h"

namespace gs {

struct Attribution {
  // A vanilla RNN whose forward pass stayed in range and whose curve has at least two steps to
  // measure (where the gradient is not exactly 0); false for LSTM and GRU (then every number
  // below is NaN), and for an overflowed probe or one with fewer steps (then only the two of
  // W_hh are numbers).
  bool applies = false;
  double total_log10_per_step = 0;       // the probe's measured slope (probe_summary.h)
  double twin_log10_per_step = 0;        // W_hh's part: the identity twin's slope, same steps
  double activation_log10_per_step = 0;  // total - twin: what act' adds (< 0: more decay)
  double spectral_radius_whh = 0;        // max |eigenvalue| of W_hh
  double sigma_max_whh = 0;              // largest singular value of W_hh
  // The twin's curve, log10 ||dL/dh_t|| for t = 1..T (first step first), as decay.h records the
  // probe's; -inf where it is exactly 0. For rnn-identity the probe's own curve.
  std::vector<double> twin_log10_grad_h;
};

// The attribution of a finished probe (run_probe, or advance_probe until done). For rnn-identity
// the twin is the probe itself: its curve and slope are the probe's, so the activation's part is
// exactly 0 in either precision.
Attribution attribute_decay(const Probe& probe);

// The identity twin's curve: log10 ||(W_hh^T)^(T-t) seed|| for t = 1..T, renormalized at every
// step as decay.h does (exact in log10 at any depth), in float64.
std::vector<double> linear_decay_curve(const Mat& weight_hh, const Mat& seed_grad_h, int T);

// The slope of a curve as probe_summary.h measures a probe's: (curve[first] - curve[T-1]) / (T-1-first)
// over the steps from `first`, the first index where `window` (the probe's curve) is not exactly
// 0; -inf if `curve` is exactly 0 within those steps, 0 if fewer than two steps remain.
double slope_over_window(const std::vector<double>& curve, const std::vector<double>& window);

// The largest |eigenvalue| of a square matrix (0 for an empty one). Up to kExactRadiusMaxSize
// rows from Eigen's EigenSolver (eigenvalues only). Above, where its real Schur form grows like
// H^3.7 (measured natively: 0.5 s at H = 256, 50 s at H = 1024, which would stall the page's
// worker), by Gelfand's formula r = lim ||W^n||^(1/n): kRadiusSquarings renormalized squarings
// (n = 65,536, a matrix product each: 0.1 s at H = 256) and the rate between the last two
// powers, (log10 ||W^(2n)|| - log10 ||W^n||) / n, in which the constant of ||W^n|| ~ C r^n
// cancels. On random matrices it agrees with EigenSolver to ~1e-8 relative (tests); a defective
// W (a Jordan block) converges only like 1/n (1e-3 relative).
inline constexpr int kExactRadiusMaxSize = 128;
inline constexpr int kRadiusSquarings = 16;
double spectral_radius(const Mat& m);

}  // namespace gs
