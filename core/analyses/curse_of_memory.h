// The curse of memory (Zucchet & Orvieto, NeurIPS 2024): "as the memory of a network increases,
// changes in its parameters result in increasingly large output variations, making gradient-based
// learning highly sensitive, even without exploding gradients." Shown on the one-dimensional
// linear recurrence h_t = lambda h_{t-1} + x_t in its stationary regime, with inputs of unit
// variance whose autocorrelation is rho^|s - s'| (rho = 0: white noise), where a student's lambda
// learns a teacher's.
//
// Every quantity is the variance of a linear filter of the inputs, sum_k a_k x_{t-k}:
// E[(sum_j a_j x_{t-j})(sum_k b_k x_{t-k})] = sum_{j,k} a_j b_k rho^|j-k|, summed here term by
// term until the rest is below double precision. For white noise each has a closed form
// (tests/unit/test_curse_of_memory.cpp holds them); for rho > 0 a long simulation checks them.
#pragma once
#include <string>

namespace gs {

struct MemoryProblem {
  double teacher = 0.99;  // lambda*, the teacher's memory
  double rho = 0;         // the inputs' autocorrelation at lag 1
};

struct MemoryPoint {
  double lambda = 0;
  double loss = 0;  // E[(h_t(lambda) - h_t(lambda*))^2]
  // E[(dh_t/dtheta)^2] for three parameterizations of the same recurrence:
  double sensitivity_plain = 0;       // theta = lambda
  double sensitivity_normalized = 0;  // input scaled by gamma = sqrt(1 - lambda^2) (held fixed, as
                                      // the LRU's separate gamma_log), theta = lambda
  double sensitivity_expexp = 0;      // lambda = exp(-exp(nu)), normalized, theta = nu (the LRU's)
};

// lambda in (0, kMaxMemoryLambda]: below 1, where the recurrence is stable and its sums converge.
inline constexpr double kMaxMemoryLambda = 0.9999;
inline constexpr double kMaxMemoryRho = 0.99;

// NaN in every column unless lambda and the teacher are in (0, 1) and rho in [0, 1).
MemoryPoint memory_point(const MemoryProblem& problem, double lambda);

// "" or what is wrong with the teacher or rho (each named as its flag).
std::string memory_problem_error(const MemoryProblem& problem);

}  // namespace gs
