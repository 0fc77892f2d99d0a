#include "memory.h"

#include <iostream>

#include "io/number_format.h"
#include "io/shown_text.h"
#include "model/config.h"  // parse_decimal

namespace gs {

std::string parse_memory_flag(const std::string& key, const std::string& value,
                              MemoryProblem& problem, CliffAxis& lambda) {
  if (key == "lambda") return parse_cliff_axis("lambda", value, lambda);
  double number = 0;
  if (!parse_decimal(value, number))
    return "--" + key + " " + excerpt(value) + " is invalid: expected a number";
  (key == "teacher" ? problem.teacher : problem.rho) = number;
  return "";
}

std::string memory_error(const CliffAxis& lambda, const MemoryProblem& problem) {
  for (const double v : {lambda.lo, lambda.hi})
    if (!(v > 0 && v <= kMaxMemoryLambda))
      return "--lambda " + format_exact(lambda.lo) + ":" + format_exact(lambda.hi) + ":" +
             std::to_string(lambda.n) + " is invalid: every lambda must be in (0, " +
             format_exact(kMaxMemoryLambda) + "]";
  if (lambda.n > 10000)
    return "--lambda with " + std::to_string(lambda.n) + " points is too many: at most 10000";
  return memory_problem_error(problem);
}

void print_memory(const MemoryProblem& problem, const CliffAxis& lambda) {
  std::cout << "# memory: h_t = lambda h_{t-1} + x_t, stationary, inputs of unit variance with "
               "autocorrelation rho^|s-s'|; loss = E[(h_t(lambda) - h_t(teacher))^2]; --lambda "
            << format_exact(lambda.lo) << ":" << format_exact(lambda.hi) << ":" << lambda.n
            << " --teacher " << format_exact(problem.teacher) << " --rho "
            << format_exact(problem.rho) << "\n";
  std::cout << "lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp\n";
  for (int i = 0; i < lambda.n; ++i) {
    const MemoryPoint p = memory_point(problem, lambda.at(i));
    std::cout << format_exact(p.lambda) << "," << format_exact(p.loss) << ","
              << format_exact(p.sensitivity_plain) << "," << format_exact(p.sensitivity_normalized)
              << "," << format_exact(p.sensitivity_expexp) << "\n";
  }
}

}  // namespace gs
