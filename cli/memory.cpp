#include "memory.h"

#include <iostream>

#include "io/number_format.h"

namespace gs {

std::string memory_grid_error(const CliffAxis& lambda) {
  for (const double v : {lambda.lo, lambda.hi})
    if (!(v > 0 && v <= kMaxMemoryLambda))
      return "--lambda " + format_exact(lambda.lo) + ":" + format_exact(lambda.hi) + ":" +
             std::to_string(lambda.n) + " is invalid: every lambda must be in (0, " +
             format_exact(kMaxMemoryLambda) + "]";
  if (lambda.n > 10000)
    return "--lambda with " + std::to_string(lambda.n) + " points is too many: at most 10000";
  return "";
}

MemoryProblem memory_problem(const Config& config) { return {config.teacher, config.rho}; }
MemoryDescent memory_descent_of(const Config& config) {
  return {config.student, config.student_lr, config.student_iters};
}

namespace {
// A key's value as the configuration line writes it ("1000000", not "1e+06").
std::string key_text(const char* key, const Config& config) {
  return config_value_text(*find_config_key(key), config);
}

void print_problem(const Config& config) {
  std::cout << "# memory: h_t = lambda h_{t-1} + x_t, stationary, inputs of unit variance with "
               "autocorrelation rho^|s-s'|; loss = E[(h_t(lambda) - h_t(teacher))^2]; teacher="
            << key_text("teacher", config) << " rho=" << key_text("rho", config);
}
}  // namespace

void print_memory(const Config& config, const CliffAxis& lambda) {
  print_problem(config);
  std::cout << " --lambda " << format_exact(lambda.lo) << ":" << format_exact(lambda.hi) << ":"
            << lambda.n << "\n";
  std::cout << "lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp\n";
  for (int i = 0; i < lambda.n; ++i) {
    const MemoryPoint p = memory_point(memory_problem(config), lambda.at(i));
    std::cout << format_exact(p.lambda) << "," << format_exact(p.loss) << ","
              << format_exact(p.sensitivity_plain) << "," << format_exact(p.sensitivity_normalized)
              << "," << format_exact(p.sensitivity_expexp) << "\n";
  }
}

void print_memory_descent(const Config& config) {
  const std::vector<MemoryPath> paths =
      memory_descent(memory_problem(config), memory_descent_of(config));
  print_problem(config);
  std::cout << "; descent from student=" << key_text("student", config)
            << " with student_lr=" << key_text("student_lr", config)
            << " for student_iters=" << key_text("student_iters", config)
            << " (plain on the loss; normalized and expexp on the normalized loss)\n";
  for (const MemoryPath& path : paths)
    if (path.left_at)
      std::cout << "# " << memory_param_name(path.param) << ": iteration " << path.left_at
                << " took lambda to " << format_exact(path.left_to) << ", out of (0, 1)\n";
  std::cout << memory_descent_csv(paths, config.student_iters);
}

}  // namespace gs
