// The curse of memory (Zucchet & Orvieto, NeurIPS 2024): "as the memory of a network increases,
// changes in its parameters result in increasingly large output variations, making gradient-based
// learning highly sensitive, even without exploding gradients." Shown on the one-dimensional
// linear recurrence h_t = lambda h_{t-1} + x_t in its stationary regime, with inputs of unit
// variance whose autocorrelation is rho^|s - s'| (rho = 0: white noise), where a student's lambda
// learns a teacher's.
//
// Every quantity is the variance of a linear filter of the inputs, sum_k a_k x_{t-k}, and for
// these inputs each has a closed form in lambda, the teacher and rho (curse_of_memory.cpp derives
// them). tests/unit/test_curse_of_memory.cpp checks them against the filters' sums taken term by
// term, against the white-noise forms, and against a long simulation.
#pragma once
#include <string>
#include <vector>

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

// The normalized student's loss, E[(gamma(lambda) h_t(lambda) - gamma(lambda*) h_t(lambda*))^2]
// with gamma(a) = sqrt(1 - a^2): both outputs have unit variance for white noise, so it stays
// below 4 where the plain loss grows without bound as lambda nears 1. NaN as memory_point.
double normalized_loss(const MemoryProblem& problem, double lambda);

// --- Learning lambda: gradient descent from one start, one run per parameterization ----------
//
// - plain:      theta = lambda, on the plain loss;
// - normalized: theta = lambda, on the normalized loss (gamma follows lambda, and its share of
//               the gradient counts: the student's output is gamma h);
// - expexp:     theta = nu, lambda = exp(-exp(nu)), on the normalized loss (the LRU's).
// theta <- theta - learning_rate dL/dtheta, with the exact gradient. lambda = exp(-exp(nu)) stays
// in (0, 1) whatever nu; the other two runs end where a step takes lambda out of (0, 1): at 1 or
// above the recurrence is unstable and the loss infinite, at 0 or below the student has left the
// range drawn here (its recurrence is stable, but no longer a memory of the kind compared).
enum class MemoryParam { Plain, Normalized, ExpExp };
inline constexpr int kMemoryParams = 3;
const char* memory_param_name(MemoryParam param);  // "plain", "normalized", "expexp"

struct MemoryDescent {
  double start = 0.5;  // the student's lambda at iteration 0
  double learning_rate = 0.01;
  int iterations = 300;
};
inline constexpr int kMaxMemoryIterations = 100000;

struct MemoryPath {
  MemoryParam param = MemoryParam::Plain;
  std::vector<double> lambda, loss;  // iterations 0..n, n = iterations unless it left (0, 1)
  int left_at = 0;                   // the iteration whose step took lambda out of (0, 1), or 0
  double left_to = 0;                // the lambda that step reached
};

// One path per parameterization, in MemoryParam's order. The configuration's keys teacher, rho,
// student, student_lr and student_iters hold a problem and a descent, with their valid ranges.
std::vector<MemoryPath> memory_descent(const MemoryProblem& problem, const MemoryDescent& descent);

// The paths as CSV, `gradscope memory-descent`'s and the page's: the header
// iteration,lambda_plain,loss_plain,lambda_normalized,loss_normalized,lambda_expexp,loss_expexp
// and a row per iteration 0..iterations (a run's two fields empty once it has ended).
std::string memory_descent_csv(const std::vector<MemoryPath>& paths, int iterations);

}  // namespace gs
