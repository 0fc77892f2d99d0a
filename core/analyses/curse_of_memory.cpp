#include "analyses/curse_of_memory.h"

#include <cmath>

#include "io/number_format.h"

// The closed forms. With inputs of autocorrelation rho^|j-k|, two filters' covariance
//   S(a, b) = E[h_t(a) h_t(b)] = sum_{j,k} a^j b^k rho^|j-k|
//           = (1 - rho^2 a b) / ((1 - a b)(1 - rho a)(1 - rho b))
// (the pairs j = k, j > k and j < k are three geometric series). Then, with l = lambda and
// t = the teacher:
// - loss = S(l,l) - 2 S(l,t) + S(t,t). Written so, it is a difference of numbers near
//   1 / (1 - t^2) that vanishes at l = t; factored (by sympy), the (l - t)^2 comes out and
//   nothing cancels: (l - t)^2 Q / ((1 - l^2)(1 - t^2)(1 - rho l)(1 - l t)(1 - rho t)) with
//   Q = 1 + l rho + l t + rho t - l rho t (l + rho + t) - (l rho t)^2.
// - sensitivity_plain = d^2 S(a, b) / da db at a = b = l (dh/dl is the filter k l^(k-1)).
// - the normalized loss, gamma_l^2 S(l,l) - 2 gamma_l gamma_t S(l,t) + gamma_t^2 S(t,t), is
//   (u - w)^2 + 2 gamma_l gamma_t (sqrt(S(l,l) S(t,t)) - S(l,t)) with u^2 = gamma_l^2 S(l,l) =
//   (1 + rho l) / (1 - rho l) (w likewise); both differences are written without cancelling,
//   u - w = (u^2 - w^2) / (u + w) and sqrt(S S) - S = (S(l,l) S(t,t) - S(l,t)^2) / (sqrt(S S) + S),
//   whose numerators factor with (l - t) in them.
// The descent's gradients are these same functions evaluated on dual numbers (value and
// derivative in lambda), so they are exact to rounding too.

namespace gs {

namespace {

// A number and its derivative in lambda: the arithmetic below carries both (forward-mode
// automatic differentiation of the closed forms).
struct Dual {
  double v = 0, d = 0;
  Dual(double value = 0, double derivative = 0) : v(value), d(derivative) {}
};
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator-(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
Dual operator/(Dual a, Dual b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
Dual sqrt(Dual a) {
  const double s = std::sqrt(a.v);
  return {s, a.d / (2 * s)};
}
using std::sqrt;

template <class N>
N plain_loss(N l, double t, double rho) {
  const N lrt = l * rho * t;
  const N q = 1 + l * rho + l * t + rho * t - lrt * (l + rho + t) - lrt * lrt;
  return (l - t) * (l - t) * q /
         ((1 - l * l) * (1 - t * t) * (1 - rho * l) * (1 - l * t) * (1 - rho * t));
}

template <class N>
N normalized_loss_of(N l, double t, double rho) {
  const N s_ll = (1 + rho * l) / ((1 - l * l) * (1 - rho * l));
  const double s_tt = (1 + rho * t) / ((1 - t * t) * (1 - rho * t));
  const N s_lt = (1 - rho * rho * l * t) / ((1 - l * t) * (1 - rho * l) * (1 - rho * t));
  const N u = sqrt((1 + rho * l) / (1 - rho * l));
  const double w = std::sqrt((1 + rho * t) / (1 - rho * t));
  const N u_minus_w = 2 * rho * (l - t) / ((1 - rho * l) * (1 - rho * t)) / (u + w);
  const N lrt = l * rho * t;
  const N rl = 1 - rho * l, lt = 1 - l * t, rt = 1 - rho * t;
  const N gram = (l - t) * (l - t) * (1 - rho * rho) * (1 - lrt * lrt) /
                 ((1 - l * l) * (1 - t * t) * rl * rl * lt * lt * rt * rt);
  return u_minus_w * u_minus_w +
         2 * sqrt((1 - l * l) * (1 - t * t)) * gram / (sqrt(s_ll * s_tt) + s_lt);
}

bool in_range(const MemoryProblem& problem, double lambda) {
  const double t = problem.teacher, rho = problem.rho;
  return lambda > 0 && lambda < 1 && t > 0 && t < 1 && rho >= 0 && rho < 1;
}

}  // namespace

MemoryPoint memory_point(const MemoryProblem& problem, double lambda) {
  const double l = lambda, rho = problem.rho;
  MemoryPoint p;
  p.lambda = lambda;
  // Outside the stable range there is no stationary regime: no numbers (the CLI refuses such
  // values first).
  if (!in_range(problem, lambda)) {
    p.loss = p.sensitivity_plain = p.sensitivity_normalized = p.sensitivity_expexp = NAN;
    return p;
  }
  p.loss = plain_loss(l, problem.teacher, rho);
  // d^2 S / da db = P^2 (2R - 1) + 2 l^2 P^3 (2R - 1) + 2 l P^2 R' at a = b = l, with
  // S = P(ab) (R(a) + R(b) - 1), P = 1 / (1 - ab), R(a) = 1 / (1 - rho a), R' = rho R^2.
  const double P = 1 / (1 - l * l), R = 1 / (1 - rho * l);
  p.sensitivity_plain = (P * P + 2 * l * l * P * P * P) * (2 * R - 1) + 2 * l * P * P * rho * R * R;
  p.sensitivity_normalized = (1 - l * l) * p.sensitivity_plain;  // gamma^2, gamma held fixed
  // d/dnu exp(-exp(nu)) = -exp(nu) lambda = lambda ln lambda
  const double dl_dnu = l * std::log(l);
  p.sensitivity_expexp = dl_dnu * dl_dnu * p.sensitivity_normalized;
  return p;
}

double normalized_loss(const MemoryProblem& problem, double lambda) {
  if (!in_range(problem, lambda)) return NAN;
  return normalized_loss_of(lambda, problem.teacher, problem.rho);
}

const char* memory_param_name(MemoryParam param) {
  switch (param) {
    case MemoryParam::Plain: return "plain";
    case MemoryParam::Normalized: return "normalized";
    case MemoryParam::ExpExp: return "expexp";
  }
  return "";
}

std::vector<MemoryPath> memory_descent(const MemoryProblem& problem, const MemoryDescent& descent) {
  const double t = problem.teacher, rho = problem.rho;
  std::vector<MemoryPath> paths;
  for (int i = 0; i < kMemoryParams; ++i) {
    MemoryPath path;
    path.param = static_cast<MemoryParam>(i);
    const bool plain = path.param == MemoryParam::Plain;
    const bool expexp = path.param == MemoryParam::ExpExp;
    double lambda = descent.start;
    double nu = std::log(-std::log(lambda));  // expexp's theta
    for (int k = 0;; ++k) {
      const Dual loss =
          plain ? plain_loss(Dual(lambda, 1), t, rho) : normalized_loss_of(Dual(lambda, 1), t, rho);
      path.lambda.push_back(lambda);
      path.loss.push_back(loss.v);
      if (k == descent.iterations) break;
      if (expexp) {
        nu -= descent.learning_rate * loss.d * lambda * std::log(lambda);  // dlambda/dnu
        lambda = std::exp(-std::exp(nu));
      } else {
        lambda -= descent.learning_rate * loss.d;
      }
      // exp(-exp(nu)) rounds to 0 beyond nu = 6.6 and to 1 below -36.7: there it ends too
      if (!(lambda > 0 && lambda < 1)) {
        path.left_at = k + 1;
        path.left_to = lambda;
        break;
      }
    }
    paths.push_back(std::move(path));
  }
  return paths;
}

std::string memory_descent_csv(const std::vector<MemoryPath>& paths, int iterations) {
  std::string out = "iteration";
  for (const MemoryPath& path : paths)
    out += std::string(",lambda_") + memory_param_name(path.param) + ",loss_" +
           memory_param_name(path.param);
  out += "\n";
  for (int k = 0; k <= iterations; ++k) {
    out += std::to_string(k);
    for (const MemoryPath& path : paths)
      out += k < static_cast<int>(path.lambda.size())
                 ? "," + format_exact(path.lambda[k]) + "," + format_exact(path.loss[k])
                 : std::string(",,");
    out += "\n";
  }
  return out;
}

}  // namespace gs
