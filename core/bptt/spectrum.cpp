#include "bptt/spectrum.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <limits>

#include "model/rng.h"

namespace gs {

namespace {

// The sampling budget: what 2,000 spectra of a 64 x 64 Jacobian cost, in the estimates of
// spectrum_cost (about 2 s natively).
const double kSampleBudget = 2000.0 * 20 * 64 * 64 * 64;
// The subspace iteration: extra vectors beyond those reported (convergence of sv_k goes as
// (sv_{block+1} / sv_k)^2 per iteration), its tolerance relative to sv1, and its cap.
const int kExtraVectors = 8;
const double kIterationTolerance = 1e-12;
const int kMaxIterations = 200;

double spectrum_cost(CellKind cell, int hidden, const SpectrumOptions& options) {
  const double n = state_size(cell, hidden), H = hidden;
  if (!has_recurrent_weights(cell)) return 20 * n;  // read off the diagonal, sorted
  if (n <= options.max_full_state) return 20 * n * n * n;
  const double block = std::min(n, static_cast<double>(options.top + kExtraVectors));
  return 40 * 4 * gate_count(cell) * H * H * block;
}

// The orthonormal basis of m's columns (thin Q of Householder QR), in place.
void orthonormalize(Mat& m) {
  const Eigen::HouseholderQR<Mat> qr(m);
  m = qr.householderQ() * Mat::Identity(m.rows(), m.cols());
}

// The `count` largest singular values of the n x n matrix that `times` (y = J x) and
// `transpose_times` (x = J^T y) apply: subspace iteration on J^T J with Rayleigh-Ritz values,
// the basis v (n x block) kept for the next call (warm start). *change: the last iteration's
// largest change of a value, relative to the largest value.
std::vector<double> top_singular_values(int n, int count, Mat& v,
                                        const std::function<void(const Mat&, Mat&)>& times,
                                        const std::function<void(const Mat&, Mat&)>& transpose_times,
                                        double* change) {
  const int block = std::min(n, count + kExtraVectors);
  if (v.rows() != n || v.cols() != block) {  // a fixed pseudo-random start: reproducible
    Rng rng(12345);
    v.resize(n, block);
    for (Eigen::Index k = 0; k < v.size(); ++k) v.data()[k] = rng.normal();
    orthonormalize(v);
  }
  Mat u, z;
  std::vector<double> values, previous;
  *change = 0;
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    times(v, u);  // J V
    orthonormalize(u);
    transpose_times(u, z);  // J^T U: its singular values approach J's largest from below
    values = singular_values(z);
    values.resize(count);
    v = z;
    orthonormalize(v);
    if (!previous.empty()) {
      *change = 0;
      for (int i = 0; i < count; ++i) *change = std::max(*change, std::abs(values[i] - previous[i]));
      *change = values[0] > 0 ? *change / values[0] : 0.0;
      if (*change <= kIterationTolerance) break;
    }
    previous = values;
  }
  return values;
}

// The rows of J_t that are exactly zero (a unit whose every coefficient is 0: a dead ReLU, a
// saturated gate at exactly 0 or 1). z such rows make the rank at most n - z, so the z smallest
// singular values are exactly 0: set so, instead of the SVD's rounding noise (~1e-16 sv1).
// The singular values of a J_t without W_hh, exactly and for the cost of a sort: |d_j| where it
// is diagonal; the LRU's [p -q; q p] blocks are |lambda_j| times a rotation, so |lambda_j| twice.
// The `count` largest, largest first. (Subspace iteration would crawl here: an LRU's moduli crowd
// just under 1, and its convergence goes as the ratio of neighbouring values.)
std::vector<double> diagonal_singular_values(const StepJacobian& jac, int count) {
  const Eigen::Index N = jac.rotation.size();
  std::vector<double> values(jac.d_hh.size());
  for (Eigen::Index j = 0; j < jac.d_hh.size(); ++j)
    values[j] = N ? std::hypot(jac.d_hh(j), jac.rotation(j % N)) : std::abs(jac.d_hh(j));
  std::sort(values.begin(), values.end(), [](double a, double b) { return a > b; });
  values.resize(std::min<size_t>(values.size(), count));
  return values;
}

// A diagonal J_t's eigenvalues are its diagonal, and the LRU's 2 x 2 blocks [p -q; q p] have
// p +- i q: read off exactly, at any state size. Largest modulus first, conjugates side by side.
std::vector<std::complex<double>> diagonal_eigenvalues(const StepJacobian& jac) {
  const Eigen::Index N = jac.rotation.size();
  std::vector<std::complex<double>> values;
  if (N)
    for (Eigen::Index j = 0; j < N; ++j)
      values.insert(values.end(), {{jac.d_hh(j), jac.rotation(j)}, {jac.d_hh(j), -jac.rotation(j)}});
  else
    for (Eigen::Index j = 0; j < jac.d_hh.size(); ++j) values.emplace_back(jac.d_hh(j), 0.0);
  std::stable_sort(values.begin(), values.end(),
                   [](auto a, auto b) { return std::abs(a) > std::abs(b); });
  return values;
}

int zero_rows(const StepJacobian& jac) {
  int count = 0;
  for (int j = 0; j < jac.hidden; ++j) {
    const Eigen::Index N = jac.rotation.size();  // the LRU: its rows hold Im lambda too
    count += jac.a.row(j).isZero(0) && jac.d_hh(j) == 0 &&
             (jac.d_hc.size() == 0 || jac.d_hc(j) == 0) && (N == 0 || jac.rotation(j % N) == 0);
    if (jac.b.size()) count += jac.b.row(j).isZero(0) && jac.d_cc(j) == 0;
  }
  return count;
}

void zero_smallest(std::vector<double>& values, int n, int zeros) {
  for (int i = std::max(0, n - zeros); i < static_cast<int>(values.size()); ++i) values[i] = 0;
}

}  // namespace

int sampled_step_count(CellKind cell, int hidden, int steps, const SpectrumOptions& options) {
  if (options.max_sampled_steps <= 0 || steps <= 0) return 0;
  const double affordable = std::floor(kSampleBudget / spectrum_cost(cell, hidden, options));
  const int cap = std::min(steps, options.max_sampled_steps);
  return affordable < 1 ? 1 : static_cast<int>(std::min<double>(cap, affordable));
}

std::vector<int> sampled_steps(int steps, int count) {
  std::vector<int> out;
  if (count <= 0) return out;
  if (count >= steps) {
    for (int t = 1; t <= steps; ++t) out.push_back(t);
  } else if (count == 1) {
    out.push_back(steps);
  } else {
    for (int i = 0; i < count; ++i)
      out.push_back(1 + static_cast<int>(int64_t{i} * (steps - 1) / (count - 1)));
  }
  return out;
}

std::vector<double> singular_values(const Mat& m) {
  const Eigen::BDCSVD<Mat> svd(m);  // values only
  const Vec& s = svd.singularValues();  // non-increasing
  return std::vector<double>(s.data(), s.data() + s.size());
}

void begin_lyapunov(int n, int k, LyapunovQR& qr) {
  qr.q = Mat::Identity(n, k);
  qr.log_r_sum = Vec::Zero(k);
  qr.steps = 0;
}

void lyapunov_step(LyapunovQR& qr, const Mat& jq, int max_rank) {
  const Eigen::HouseholderQR<Mat> householder(jq);
  const int k = static_cast<int>(jq.cols());
  Vec r = householder.matrixQR().diagonal().head(k).cwiseAbs();
  // rank(J_t Q) <= max_rank: the k - max_rank smallest |R_ii| are 0 in exact arithmetic.
  const int zeros_needed = k - std::min(k, max_rank);
  if (zeros_needed > 0) {
    std::vector<int> order(k);
    for (int i = 0; i < k; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return r(a) < r(b); });
    for (int i = 0; i < zeros_needed; ++i) r(order[i]) = 0;
  }
  for (int i = 0; i < k; ++i)  // log(0) = -inf: a direction annihilated exactly
    qr.log_r_sum(i) += std::log(r(i));
  qr.q = householder.householderQ() * Mat::Identity(jq.rows(), k);
  ++qr.steps;
}

std::vector<double> lyapunov_exponents(const LyapunovQR& qr) {
  std::vector<double> out(qr.log_r_sum.data(), qr.log_r_sum.data() + qr.log_r_sum.size());
  for (double& x : out) x /= std::max(1, qr.steps);
  std::sort(out.begin(), out.end(), [](double a, double b) { return a > b; });
  return out;
}

template <class T>
void begin_spectrum(const ModelT<T>& model, const ForwardPass<T>& fwd,
                    const SpectrumOptions& options, SpectrumJob& job) {
  job = SpectrumJob();
  job.options = options;
  Spectrum& s = job.result;
  s.cell = model.cell;
  s.state_size = state_size(model.cell, model.hidden_size);
  s.complete = s.state_size <= options.max_full_state;
  s.steps = fwd.length;
  if (fwd.overflow_step > 0) {  // no spectrum of a pass that left the range
    s.overflow_step = fwd.overflow_step;
    job.done = true;
    return;
  }
  s.sv_steps = sampled_steps(
      fwd.length, sampled_step_count(model.cell, model.hidden_size, fwd.length, options));
  job.w_hh = model.params.weight_hh.template cast<double>();
  begin_lyapunov(s.state_size, s.complete ? s.state_size : std::min(options.top, s.state_size),
                 job.qr);
  job.log_diagonal_sum = Vec::Zero(has_recurrent_weights(model.cell) ? 0 : s.state_size);
  const size_t most = static_cast<size_t>(std::max(1, options.max_eigenvalue_steps));
  job.eigenvalue_stride = std::max<size_t>(1, (s.sv_steps.size() + most - 1) / most);
  job.done = fwd.length == 0;
}

std::vector<std::complex<double>> eigenvalues(const Mat& m) {
  const Eigen::EigenSolver<Mat> solver(m, false);
  std::vector<std::complex<double>> values(solver.eigenvalues().data(),
                                           solver.eigenvalues().data() + m.rows());
  std::stable_sort(values.begin(), values.end(),
                   [](auto a, auto b) { return std::abs(a) > std::abs(b); });
  return values;
}

template <class T>
bool spectrum_steps(const ForwardPass<T>& fwd, SpectrumJob& job, int budget) {
  Spectrum& s = job.result;
  for (; budget > 0 && !job.done; --budget) {
    const int t = job.next_step;
    step_jacobian(s.cell, fwd, t, job.jac);
    const int zeros = zero_rows(job.jac);
    if (job.log_diagonal_sum.size()) {  // diagonal: log |d_j|, or log |lambda_j| on both rows
      const Eigen::Index N = job.jac.rotation.size();
      for (Eigen::Index j = 0; j < job.log_diagonal_sum.size(); ++j)  // log 0 = -inf: exact zero
        job.log_diagonal_sum(j) += std::log(N ? std::hypot(job.jac.d_hh(j), job.jac.rotation(j % N))
                                              : std::abs(job.jac.d_hh(j)));
      ++job.qr.steps;
    } else {
      jacobian_times(job.w_hh, job.jac, job.qr.q, job.jq, job.scratch);
      lyapunov_step(job.qr, job.jq, s.state_size - zeros);
    }
    if (job.next_sample < s.sv_steps.size() && s.sv_steps[job.next_sample] == t) {
      const bool with_eigenvalues =
          (s.complete || !has_recurrent_weights(s.cell)) && job.options.eigenvalues &&
          (job.next_sample % job.eigenvalue_stride == 0 || job.next_sample + 1 == s.sv_steps.size());
      if (with_eigenvalues) s.eigenvalue_steps.push_back(t);
      if (!has_recurrent_weights(s.cell)) {
        s.step_sv.push_back(diagonal_singular_values(
            job.jac, s.complete ? s.state_size : std::min(job.options.top, s.state_size)));
        if (with_eigenvalues) s.step_eigenvalues.push_back(diagonal_eigenvalues(job.jac));
      } else if (s.complete) {
        jacobian_matrix(job.w_hh, job.jac, job.j);
        s.step_sv.push_back(singular_values(job.j));
        if (with_eigenvalues) s.step_eigenvalues.push_back(eigenvalues(job.j));
      } else {
        double change = 0;
        Mat scratch;
        s.step_sv.push_back(top_singular_values(
            s.state_size, std::min(job.options.top, s.state_size), job.v,
            [&](const Mat& x, Mat& y) { jacobian_times(job.w_hh, job.jac, x, y, scratch); },
            [&](const Mat& y, Mat& x) {
              jacobian_transpose_times(job.w_hh, job.jac, y, x, scratch);
            },
            &change));
        s.sv_iteration_change = std::max(s.sv_iteration_change, change);
      }
      zero_smallest(s.step_sv.back(), s.state_size, zeros);
      ++job.next_sample;
    }
    if (++job.next_step > s.steps) {
      if (job.log_diagonal_sum.size()) {  // the k largest sums in the QR's k places
        Vec& sums = job.log_diagonal_sum;
        std::sort(sums.data(), sums.data() + sums.size(), [](double a, double b) { return a > b; });
        job.qr.log_r_sum = sums.head(job.qr.log_r_sum.size());
      }
      s.lyapunov = lyapunov_exponents(job.qr);
      job.done = true;
    }
  }
  return job.done;
}

Spectrum probe_spectrum(const Probe& probe, const SpectrumOptions& options) {
  return with_lane(probe, [&](const auto& lane) {
    SpectrumJob job;
    begin_spectrum(lane.model, lane.fwd, options, job);
    spectrum_steps(lane.fwd, job, INT_MAX);
    return job.result;
  });
}

#define GS_INSTANTIATE(T)                                                                       \
  template void begin_spectrum<T>(const ModelT<T>&, const ForwardPass<T>&,                      \
                                  const SpectrumOptions&, SpectrumJob&);                        \
  template bool spectrum_steps<T>(const ForwardPass<T>&, SpectrumJob&, int);
GS_INSTANTIATE(float)
GS_INSTANTIATE(double)
#undef GS_INSTANTIATE

}  // namespace gs
