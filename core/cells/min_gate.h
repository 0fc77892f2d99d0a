// The candidate activation of Feng et al.'s minimal cells (minGRU, minLSTM): g(v) = v + 1/2 for
// v >= 0 and sigma(v) below, continuous at 0 (both give 1/2) and positive everywhere, which is
// what lets the paper's log-space parallel scan take its logarithm. Its derivative is 1 above 0
// and sigma(v)(1 - sigma(v)) below, so it is computed from v itself, not from g(v): a float
// sigma(v) rounds to 1/2 for tiny negative v, where the derivative is 1/4, not 1.
#pragma once
#include <Eigen/Core>

namespace gs {

template <class Derived>
auto min_candidate(const Eigen::ArrayBase<Derived>& v) {
  using T = typename Derived::Scalar;
  return (v >= T(0)).select(v + T(0.5), v.logistic());
}

template <class Derived>
auto min_candidate_derivative(const Eigen::ArrayBase<Derived>& v) {
  using T = typename Derived::Scalar;
  return (v >= T(0)).select(T(1), v.logistic() * (T(1) - v.logistic()));
}

}  // namespace gs
