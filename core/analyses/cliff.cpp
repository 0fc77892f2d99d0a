#include "analyses/cliff.h"

#include <cmath>

#include "model/config.h"
#include "training/optimizer.h"

namespace gs {

namespace {

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

CliffPoint cliff_point(const CliffProblem& problem, double w, double b) {
  // Forward: keep sigmoid(x_{t-1}) for t = 1..steps, then x_steps.
  std::vector<double> s(problem.steps);
  double x = problem.x0;
  for (int t = 0; t < problem.steps; ++t) {
    s[t] = sigmoid(x);
    x = w * s[t] + b;
  }
  const double out = sigmoid(x);
  CliffPoint point;
  point.loss = (out - problem.target) * (out - problem.target);
  // Backward: delta = dE/dx_t from t = steps down; x_t = w s_{t-1} + b gives dE/dw += delta
  // s_{t-1} and dE/db += delta, and dE/dx_{t-1} = delta w s_{t-1} (1 - s_{t-1}).
  double delta = 2 * (out - problem.target) * out * (1 - out);
  for (int t = problem.steps - 1; t >= 0; --t) {
    point.grad_w += delta * s[t];
    point.grad_b += delta;
    delta *= w * s[t] * (1 - s[t]);
  }
  return point;
}

double CliffAxis::at(int i) const {
  if (n == 1 || i == 0) return lo;
  if (i == n - 1) return hi;
  return lo + (hi - lo) * i / (n - 1);
}

std::string parse_cliff_axis(const std::string& name, const std::string& text, CliffAxis& axis) {
  const std::string wanted = "--" + name + " " + excerpt(text) +
                             " is invalid: expected LO:HI:N (N points from LO to HI, both "
                             "included; N an integer in [1, 100000], LO < HI, or LO = HI if N = 1)";
  const size_t first = text.find(':'), second = text.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos ||
      text.find(':', second + 1) != std::string::npos)
    return wanted;
  CliffAxis parsed;
  long long n = 0;
  if (!parse_decimal(text.substr(0, first), parsed.lo) ||
      !parse_decimal(text.substr(first + 1, second - first - 1), parsed.hi) ||
      !parse_decimal_integer(text.substr(second + 1), n) || n < 1 || n > 100000 ||
      (n == 1 ? parsed.lo != parsed.hi : !(parsed.lo < parsed.hi)))
    return wanted;
  parsed.n = static_cast<int>(n);
  axis = parsed;
  return "";
}

std::vector<CliffStep> cliff_descent(const CliffProblem& problem, double w, double b, double lr,
                                     int iterations, double clip) {
  std::vector<CliffStep> path;
  for (int i = 0;; ++i) {
    CliffStep step;
    step.w = w;
    step.b = b;
    step.point = cliff_point(problem, w, b);
    const double norm = std::hypot(step.point.grad_w, step.point.grad_b);
    const bool finite = std::isfinite(norm) && std::isfinite(step.point.loss);
    const double factor = clip_factor(norm, clip);  // training's rule: clip / (norm + 1e-6)
    step.clipped = finite && i < iterations && factor < 1;
    path.push_back(step);
    if (i == iterations || !finite) break;
    w -= lr * factor * step.point.grad_w;
    b -= lr * factor * step.point.grad_b;
  }
  return path;
}

}  // namespace gs
