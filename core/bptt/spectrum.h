// Spectra of a probe's step Jacobians (jacobian.h): the singular values of each J_t, and the
// Lyapunov exponents of the product J_T ... J_1.
//
// - Singular values of J_t: how much one step can stretch (sv1 > 1) or squash (sv1 < 1) any
//   direction of the state. For a state size n <= 128 every one (Eigen's BDCSVD of the explicit
//   J_t); above, the 8 largest, by subspace iteration on J_t^T J_t (16 vectors, warm-started from
//   the previous sampled step, applying J_t without forming it), to a relative change below 1e-12
//   of sv1 or 200 iterations, the worst left reported. Where z rows of J_t are exactly zero
//   (dead ReLUs, gates at exactly 0 or 1), the z smallest singular values are exactly 0 (the
//   rank is at most n - z) and reported so, not as the SVD's rounding noise (~1e-16 sv1).
// - Which steps: every step when T is small, else m steps evenly spaced, the last included:
//   t_i = 1 + floor(i (T - 1) / (m - 1)), i = 0..m-1, with m = the smallest of T, 2,000 (or the
//   caller's max_sampled_steps) and the number of steps whose spectra cost as much as 2,000
//   spectra of a 64 x 64 Jacobian (estimated: 20 n^3 for the SVD, 40 iterations of 4 G H^2 x 16
//   for the subspace iteration). So an LSTM at hidden 64 (n = 128) gets 250 steps, one at
//   hidden 1024 a single step, the last.
// - Lyapunov exponents (Vogt et al. 2022; Engelken et al. 2023): Q_0 = I (or its first k
//   columns), Q_t R_t = J_t Q_{t-1} (Householder QR), exponent_i = sum_t log|R_t,ii| / T in nats
//   per step, sorted largest first. Every step takes part (one n x n or n x k product and QR per
//   step). All n of them for n <= 128, else the 8 largest (Q with 8 columns). -inf where a
//   direction was annihilated exactly (dead ReLUs): where z rows of J_t are exactly zero, its
//   rank is at most n - z, and that many of R_t's diagonal are exactly 0, not rounding noise.
//   The largest is the rate at which ||J_T ... J_t v|| grows for almost every v, so
//   lyapunov[0] / ln 10 predicts the decay curve's log10 slope per step (probe_summary.h) as T grows.
//   A J_t without W_hh is diagonal (the LRU's: 2 x 2 blocks), and the exponents are then each
//   unit's average log |d_j| (log |lambda_j|), summed exactly instead (SpectrumJob).
//
// A forward pass that left the precision's range (fwd.overflow_step > 0) has no Jacobians to
// speak of: the spectrum stays empty and says at which step.
//
// Computed in double from the caches whatever the probe's precision (jacobian.h says why).
// The work is sliced like the other passes (begin_spectrum, spectrum_steps), for the page.
#pragma once
#include <climits>
#include <vector>

#include "bptt/decay.h"
#include <complex>

#include "cells/jacobian.h"

namespace gs {

struct SpectrumOptions {
  int max_full_state = 128;      // state sizes up to this: every singular value and exponent
  int top = 8;                   // above it: this many of the largest
  int max_sampled_steps = 2000;  // steps with singular values, at most; 0: none (Lyapunov only)
  // Also the eigenvalues of J_t at those steps (state sizes up to max_full_state): the CLI's
  // export asks for them at every one; the page's eigenvalue view at every k-th sampled step
  // (and the last), k the smallest that keeps them to max_eigenvalue_steps.
  bool eigenvalues = false;
  int max_eigenvalue_steps = INT_MAX;
};

struct Spectrum {
  CellKind cell = CellKind::RnnTanh;
  int state_size = 0;  // n: H, or 2 H for the LSTM (h then c)
  bool complete = true;  // every singular value and exponent; false: the `top` largest
  int steps = 0;         // T
  std::vector<int> sv_steps;                    // the steps (1-based) with singular values
  std::vector<std::vector<double>> step_sv;     // their singular values, each largest first
  // With options.eigenvalues and a complete spectrum (or a diagonal J_t, whose eigenvalues are
  // read off it at any size): J_t's eigenvalues at eigenvalue_steps (the
  // sampled steps, or every k-th of them: SpectrumOptions), each step's largest modulus first (a
  // complex pair as two entries, conjugates next to each other).
  std::vector<int> eigenvalue_steps;
  std::vector<std::vector<std::complex<double>>> step_eigenvalues;
  double sv_iteration_change = 0;  // subspace iteration: worst last relative change (else 0)
  std::vector<double> lyapunov;    // nats per step, largest first (-inf: exactly annihilated)
  int overflow_step = 0;           // the forward pass overflowed here: nothing else is filled
};

// How many steps get singular values, and which (the rule above).
int sampled_step_count(CellKind cell, int hidden, int steps, const SpectrumOptions& options);
std::vector<int> sampled_steps(int steps, int count);

// Every eigenvalue of the square m, largest modulus first (Eigen's EigenSolver).
std::vector<std::complex<double>> eigenvalues(const Mat& m);
// Every singular value of m, largest first (Eigen's BDCSVD).
std::vector<double> singular_values(const Mat& m);

// The QR iteration of the Lyapunov exponents, for any sequence of Jacobians: begin with
// Q_0 = the first k columns of the n x n identity, then for each step give it J_t Q_{t-1}.
struct LyapunovQR {
  Mat q;          // (n, k) Q_{t-1}
  Vec log_r_sum;  // (k) sum of log |R_ii| so far
  int steps = 0;
};
void begin_lyapunov(int n, int k, LyapunovQR& qr);
// jq = J_t Q_{t-1}, (n, k). max_rank: a bound on J_t's rank (n - its exactly zero rows): then at
// least k - max_rank of R's diagonal are exactly 0, which rounding leaves at ~1e-16 ||J_t||;
// the smallest are set to 0 (log -inf), as many as needed.
void lyapunov_step(LyapunovQR& qr, const Mat& jq, int max_rank = INT_MAX);
std::vector<double> lyapunov_exponents(const LyapunovQR& qr);  // nats per step, largest first

// The running computation, sliced.
struct SpectrumJob {
  SpectrumOptions options;
  Spectrum result;
  Mat w_hh;  // the model's W_hh in double
  StepJacobian jac;
  LyapunovQR qr;
  // A J_t without W_hh is diagonal (the LRU: 2 x 2 rotation blocks): its Lyapunov exponents are
  // each unit's time average of log |d_j| (log |lambda_j|), summed here instead of the QR, exactly
  // (a QR started from the identity's first columns would never leave their units).
  Vec log_diagonal_sum;  // (n)
  Mat j, jq, scratch, v;  // scratch; v: the subspace iteration's basis, kept between steps
  int next_step = 1;      // the next J_t to take
  size_t next_sample = 0;
  size_t eigenvalue_stride = 1;  // eigenvalues at every this-th sampled step, and the last
  bool done = false;
};

// fwd: a finished forward pass (batch 1, or column 0 of a batch).
template <class T>
void begin_spectrum(const ModelT<T>& model, const ForwardPass<T>& fwd,
                    const SpectrumOptions& options, SpectrumJob& job);
// Advances up to `budget` steps; true when done. fwd must be the pass given to begin_spectrum.
template <class T>
bool spectrum_steps(const ForwardPass<T>& fwd, SpectrumJob& job, int budget);

// The spectrum of a probe whose forward pass is done (its caches are kept until release_probe).
Spectrum probe_spectrum(const Probe& probe, const SpectrumOptions& options = {});

}  // namespace gs
