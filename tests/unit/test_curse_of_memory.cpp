// The curse of memory (core/analyses/curse_of_memory.h): its closed forms against the filters'
// sums taken term by term (written here, independently of them), against the forms for white
// noise, and against a long simulation of the recurrence; the descent of lambda against finite
// differences of the sums; and `gradscope memory`'s output and refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analyses/curse_of_memory.h"
#include "cli_run.h"
#include "io/number_format.h"

using namespace gs;
using namespace gs_test;

namespace {

double relative_error(double got, double want) { return std::abs(got - want) / std::abs(want); }

// sum_{j,k} a_j b_k rho^|j-k| for the filters next(k) = {a_k, b_k}, k = 0, 1, ..., whose terms
// shrink at least as fast as (k + 1) q^k. The pairs j != k are carried by two running sums,
// A_k = sum_{j<k} a_j rho^(k-j) = rho (A_{k-1} + a_{k-1}) and B_k likewise, so the double sum
// costs one pass: sum_k a_k b_k + a_k B_k + b_k A_k; it stops when the rest is below double
// precision.
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
    const double k1 = static_cast<double>(k + 1);
    if (k > 0 && q_power * k1 * k1 < 1e-17 * (1 - q)) return sum;
  }
}

// h_t(l) - h_t(t) = sum_k (l^k - t^k) x_{t-k}, times gamma for the normalized loss
double loss_by_sum(double l, double t, double rho, bool normalized) {
  const double gl = normalized ? std::sqrt(1 - l * l) : 1,
               gt = normalized ? std::sqrt(1 - t * t) : 1;
  double lk = 1, tk = 1;
  return filter_covariance(rho, std::max({l, t, rho}), [&](long) {
    const double d = gl * lk - gt * tk;
    lk *= l, tk *= t;
    return std::pair{d, d};
  });
}

// dh_t/dl = sum_k k l^(k-1) x_{t-k}
double plain_sensitivity_by_sum(double l, double rho) {
  double lk_1 = 0;  // l^(k-1), 0 for k = 0 (its term is 0)
  return filter_covariance(rho, std::max(l, rho), [&](long k) {
    const double s = k == 0 ? 0.0 : k * lk_1;
    lk_1 = k == 0 ? 1.0 : lk_1 * l;
    return std::pair{s, s};
  });
}

}  // namespace

TEST_CASE("memory: for white noise every column is its closed form (1e-9 relative)") {
  for (const double t : {0.9, 0.99, 0.999}) {
    for (int i = 0; i < 40; ++i) {
      const double l = 0.05 + (0.9999 - 0.05) * i / 39;
      CAPTURE(t);
      CAPTURE(l);
      const MemoryPoint p = memory_point({t, 0.0}, l);
      const double l2 = l * l, ln = std::log(l);
      CHECK(relative_error(p.loss, 1 / (1 - l2) + 1 / (1 - t * t) - 2 / (1 - l * t)) < 1e-9);
      CHECK(relative_error(p.sensitivity_plain, (1 + l2) / std::pow(1 - l2, 3)) < 1e-9);
      CHECK(relative_error(p.sensitivity_normalized, (1 + l2) / std::pow(1 - l2, 2)) < 1e-9);
      CHECK(relative_error(p.sensitivity_expexp, l2 * ln * ln * (1 + l2) / std::pow(1 - l2, 2)) <
            1e-9);
    }
    CHECK(memory_point({t, 0.0}, t).loss == 0);  // the student that is the teacher
  }
  // the curse: the first two grow without bound as lambda nears 1; the LRU's stays below 1/2
  CHECK(memory_point({0.99, 0.0}, 0.9999).sensitivity_plain > 1e11);
  CHECK(memory_point({0.99, 0.0}, 0.9999).sensitivity_normalized > 1e7);
  for (const double l : {0.5, 0.9, 0.99, 0.999, 0.9999})
    CHECK(memory_point({0.99, 0.0}, l).sensitivity_expexp < 0.5);
  // no stationary regime: no numbers (and no endless sum)
  for (const double l : {1.0, 1.5, 0.0, -0.5, std::nan("")})
    CHECK(std::isnan(memory_point({0.99, 0.0}, l).loss));
  CHECK(std::isnan(memory_point({0.99, 1.0}, 0.5).sensitivity_plain));
}

TEST_CASE("memory: correlated inputs, the closed forms against the sums and a long simulation") {
  for (const double rho : {0.0, 0.3, 0.9}) {
    for (const double t : {0.5, 0.9, 0.99}) {
      for (const double l : {0.2, 0.7, 0.95, 0.999, t * (1 + 1e-5)}) {
        CAPTURE(rho);
        CAPTURE(t);
        CAPTURE(l);
        const MemoryPoint p = memory_point({t, rho}, l);
        CHECK(relative_error(p.loss, loss_by_sum(l, t, rho, false)) < 1e-9);
        CHECK(relative_error(normalized_loss({t, rho}, l), loss_by_sum(l, t, rho, true)) < 1e-9);
        const double plain = plain_sensitivity_by_sum(l, rho);
        CHECK(relative_error(p.sensitivity_plain, plain) < 1e-9);
        CHECK(relative_error(p.sensitivity_normalized, (1 - l * l) * plain) < 1e-9);
      }
    }
    // correlated inputs make it worse: more loss and more sensitivity than white noise
    if (rho > 0) {
      CHECK(memory_point({0.9, rho}, 0.8).loss > memory_point({0.9, 0.0}, 0.8).loss);
      CHECK(memory_point({0.9, rho}, 0.8).sensitivity_plain >
            memory_point({0.9, 0.0}, 0.8).sensitivity_plain);
    }
  }
  // white noise: the normalized loss is 2 - 2 gamma_l gamma_t / (1 - l t), below 2
  for (const double l : {0.1, 0.5, 0.9, 0.98, 0.9999})
    CHECK(relative_error(normalized_loss({0.99, 0.0}, l),
                         2 - 2 * std::sqrt((1 - l * l) * (1 - 0.99 * 0.99)) / (1 - l * 0.99)) <
          1e-9);
  CHECK(normalized_loss({0.9, 0.5}, 0.9) == 0);
  CHECK(std::isnan(normalized_loss({0.9, 0.5}, 1.0)));

  // The recurrence itself, run for 4,000,000 steps on AR(1) inputs of unit variance:
  // h, the teacher's h and g = dh/dlambda (g_t = lambda g_{t-1} + h_{t-1}).
  const double l = 0.8, t = 0.9, rho = 0.5;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  double x = normal(rng), h = 0, h_teacher = 0, g = 0, loss = 0, plain = 0;
  const long burn_in = 2000, steps = 4000000;
  for (long s = 0; s < burn_in + steps; ++s) {
    x = rho * x + std::sqrt(1 - rho * rho) * normal(rng);
    g = l * g + h;
    h = l * h + x;
    h_teacher = t * h_teacher + x;
    if (s < burn_in) continue;
    loss += (h - h_teacher) * (h - h_teacher) / steps;
    plain += g * g / steps;
  }
  const MemoryPoint p = memory_point({t, rho}, l);
  CHECK(relative_error(loss, p.loss) < 0.03);
  CHECK(relative_error(plain, p.sensitivity_plain) < 0.03);
}

TEST_CASE("memory: the descent of lambda, its gradients against finite differences of the sums") {
  const MemoryProblem problem{0.99, 0.5};
  const MemoryDescent descent{0.6, 1e-4, 50};
  const auto paths = memory_descent(problem, descent);
  REQUIRE(paths.size() == 3);
  for (const MemoryPath& path : paths) {
    CAPTURE(memory_param_name(path.param));
    REQUIRE(path.lambda.size() == 51);
    CHECK(path.left_at == 0);
    const bool plain = path.param == MemoryParam::Plain;
    // each step, from the sums: the loss at lambda, and a central difference of it
    for (int k : {0, 1, 49}) {
      const double l = path.lambda[k], h = 1e-6 * (1 - l);
      CHECK(relative_error(path.loss[k], loss_by_sum(l, 0.99, 0.5, !plain)) < 1e-9);
      const double dl =
          (loss_by_sum(l + h, 0.99, 0.5, !plain) - loss_by_sum(l - h, 0.99, 0.5, !plain)) / (2 * h);
      double step = -descent.learning_rate * dl;  // in lambda, or in nu = ln(-ln lambda)
      if (path.param == MemoryParam::ExpExp) {
        const double nu = std::log(-std::log(l)) - descent.learning_rate * dl * l * std::log(l);
        step = std::exp(-std::exp(nu)) - l;
      }
      CHECK(relative_error(path.lambda[k + 1] - l, step) < 1e-6);
    }
  }
  // the lesson, at a learning rate the reparameterized student needs: the plain run leaves the
  // stable range at once, the normalized one after 2 steps, the LRU's converges
  const auto fast = memory_descent({0.99, 0.0}, {0.5, 0.5, 300});
  CHECK(fast[0].left_at == 1);
  CHECK(fast[0].left_to >= 1);
  CHECK(fast[1].left_at == 2);
  CHECK(fast[2].left_at == 0);
  CHECK(std::abs(fast[2].lambda.back() - 0.99) < 1e-4);
}

TEST_CASE("gradscope memory prints the columns over the grid and refuses bad flags") {
  const Run run = run_cli("memory --lambda 0.5:0.9:5 --teacher 0.9 --rho 0.25");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 2 + 5);
  CHECK(lines[0].rfind("# memory: ", 0) == 0);
  CHECK(lines[0].find("teacher=0.9 rho=0.25 --lambda 0.5:0.9:5") != std::string::npos);
  CHECK(lines[1] == "lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp");
  CHECK(lines[2].rfind("0.5,", 0) == 0);
  CHECK(lines[6].rfind("0.9,0,", 0) == 0);  // the teacher itself: no loss
  std::stringstream row(lines[4]);
  std::vector<double> f;
  for (std::string field; std::getline(row, field, ',');) f.push_back(std::stod(field));
  REQUIRE(f.size() == 5);
  const MemoryPoint p = memory_point({0.9, 0.25}, 0.7);
  CHECK(f[0] == 0.7);
  CHECK(f[1] == p.loss);
  CHECK(f[2] == p.sensitivity_plain);
  CHECK(f[4] == p.sensitivity_expexp);
  CHECK(csv_lines(run_cli("memory").out).size() == 2 + 100);  // 0.5:0.999:100
  check_refused("memory --lambda 0:1:3",
                "--lambda 0:1:3 is invalid: every lambda must be in (0, 0.9999]");
  check_refused("memory --teacher 1", "teacher=1 is invalid: expected a number in (0, 0.9999]");
  check_refused("memory --rho -0.1", "rho=-0.1 is invalid: expected a number in [0, 0.99]");
  check_refused("memory --rho x", "rho=x is invalid: expected a number in [0, 0.99]");
  check_refused("memory --lambda 0.1:0.9:20000",
                "--lambda with 20000 points is too many: at most 10000");
  CHECK(run_cli("decay --lambda 0.1:0.9:3").exit_code == 2);  // not a flag of other commands
}

TEST_CASE("gradscope memory-descent prints the three runs, ending those that leave (0, 1)") {
  const Run run =
      run_cli("memory-descent --teacher 0.99 --student 0.5 --student_lr 0.5 --student_iters 20");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 3 + 1 + 21);
  CHECK(lines[0].find("descent from student=0.5 with student_lr=0.5 for student_iters=20") !=
        std::string::npos);
  const auto paths = memory_descent({0.99, 0.0}, {0.5, 0.5, 20});
  CHECK(lines[1] == "# plain: iteration 1 took lambda to " + format_exact(paths[0].left_to) +
                        ", out of (0, 1)");
  CHECK(lines[2].rfind("# normalized: iteration 2 took lambda to ", 0) == 0);
  CHECK(lines[3] ==
        "iteration,lambda_plain,loss_plain,lambda_normalized,loss_normalized,"
        "lambda_expexp,loss_expexp");
  CHECK(lines[4] == "0,0.5," + format_exact(paths[0].loss[0]) + ",0.5," +
                        format_exact(paths[1].loss[0]) + ",0.5," + format_exact(paths[2].loss[0]));
  CHECK(lines[6].rfind("2,,,", 0) == 0);  // plain ended at 1; normalized's last value is at 1
  CHECK(lines[24] ==
        "20,,,,," + format_exact(paths[2].lambda[20]) + "," + format_exact(paths[2].loss[20]));
  check_refused("memory-descent --student_iters 0",
                "student_iters=0 is invalid: expected an integer in [1, 100000]");
  check_refused("memory-descent --student 1",
                "student=1 is invalid: expected a number in (0, 0.9999]");
}
