#include "analyses/curse_of_memory.h"

#include <algorithm>
#include <cmath>

#include "io/number_format.h"

namespace gs {

namespace {

// sum_{j,k} a_j b_k rho^|j-k| for the filters next(k) = {a_k, b_k}, k = 0, 1, ...; their terms
// shrink at least as fast as (k + 1) q^k. The pairs j != k are carried by two running sums,
// A_k = sum_{j<k} a_j rho^(k-j) = rho (A_{k-1} + a_{k-1}) and B_k likewise, so the double sum
// costs one pass: sum_k a_k b_k + a_k B_k + b_k A_k.
template <class Next>
double filter_covariance(double rho, double q, Next&& next) {
  double sum = 0, a_before = 0, b_before = 0, A = 0, B = 0;
  double q_power = 1;  // q^k
  for (long k = 0;; ++k) {
    const auto [a, b] = next(k);
    A = rho * (A + a_before);
    B = rho * (B + b_before);
    sum += a * b + a * B + b * A;
    a_before = a, b_before = b;
    q_power *= q;
    // the rest: terms below (k + 1)^2 q^k of the first ones, summed over a geometric tail
    const double k1 = static_cast<double>(k + 1);
    if (k > 0 && q_power * k1 * k1 < 1e-17 * (1 - q)) return sum;
  }
}

}  // namespace

MemoryPoint memory_point(const MemoryProblem& problem, double lambda) {
  const double l = lambda, t = problem.teacher, rho = problem.rho;
  MemoryPoint p;
  p.lambda = lambda;
  // Outside the stable range the stationary sums do not converge: no numbers, rather than a
  // loop without end (the CLI refuses such values first).
  if (!(l > 0 && l < 1 && t > 0 && t < 1 && rho >= 0 && rho < 1)) {
    p.loss = p.sensitivity_plain = p.sensitivity_normalized = p.sensitivity_expexp = NAN;
    return p;
  }
  // h_t(l) - h_t(t) = sum_k (l^k - t^k) x_{t-k}
  double lk = 1, tk = 1;
  p.loss = filter_covariance(rho, std::max({l, t, rho}), [&](long) {
    const double d = lk - tk;
    lk *= l, tk *= t;
    return std::pair{d, d};
  });
  // dh_t/dl = sum_k k l^(k-1) x_{t-k}
  double lk_1 = 0;  // l^(k-1), 0 for k = 0 (its term is 0)
  p.sensitivity_plain = filter_covariance(rho, std::max(l, rho), [&](long k) {
    const double s = k == 0 ? 0.0 : k * lk_1;
    lk_1 = k == 0 ? 1.0 : lk_1 * l;
    return std::pair{s, s};
  });
  p.sensitivity_normalized = (1 - l * l) * p.sensitivity_plain;  // gamma^2, gamma held fixed
  const double dl_dnu = l * std::log(l);  // d/dnu exp(-exp(nu)) = -exp(nu) lambda = lambda ln lambda
  p.sensitivity_expexp = dl_dnu * dl_dnu * p.sensitivity_normalized;
  return p;
}

std::string memory_problem_error(const MemoryProblem& problem) {
  if (!(problem.teacher > 0 && problem.teacher <= kMaxMemoryLambda))
    return "--teacher " + format_exact(problem.teacher) + " is invalid: expected a number in (0, " +
           format_exact(kMaxMemoryLambda) + "]";
  if (!(problem.rho >= 0 && problem.rho <= kMaxMemoryRho))
    return "--rho " + format_exact(problem.rho) + " is invalid: expected a number in [0, " +
           format_exact(kMaxMemoryRho) + "]";
  return "";
}

}  // namespace gs
