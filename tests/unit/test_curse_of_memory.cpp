// The curse of memory (core/analyses/curse_of_memory.h): its exact sums against the closed forms
// for white noise, against closed forms derived here for correlated inputs, and against a long
// simulation of the recurrence; and `gradscope memory`'s output and refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analyses/curse_of_memory.h"
#include "cli_run.h"

using namespace gs;
using namespace gs_test;

namespace {

double relative_error(double got, double want) { return std::abs(got - want) / std::abs(want); }

// For correlated inputs, S(l, m) = E[h(l) h(m)] = sum_{j,k} l^j m^k rho^|j-k| splits into j = k,
// j > k and j < k: S = (1 / (1 - l m)) (1 / (1 - l rho) + 1 / (1 - m rho) - 1). The plain
// sensitivity is d^2 S / dl dm at l = m = lambda.
double S(double l, double m, double rho) {
  return (1 / (1 - l * m)) * (1 / (1 - l * rho) + 1 / (1 - m * rho) - 1);
}
double plain_by_hand(double l, double rho) {
  const double A = 1 / (1 - l * l), B = 2 / (1 - l * rho) - 1;
  return (A * A + 2 * l * l * A * A * A) * B + 2 * l * A * A * rho / ((1 - l * rho) * (1 - l * rho));
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

TEST_CASE("memory: correlated inputs, against closed forms and a long simulation") {
  for (const double rho : {0.3, 0.9}) {
    for (const double l : {0.2, 0.7, 0.95, 0.999}) {
      CAPTURE(rho);
      CAPTURE(l);
      const MemoryPoint p = memory_point({0.9, rho}, l);
      CHECK(relative_error(p.loss, S(l, l, rho) + S(0.9, 0.9, rho) - 2 * S(l, 0.9, rho)) < 1e-8);
      CHECK(relative_error(p.sensitivity_plain, plain_by_hand(l, rho)) < 1e-9);
      CHECK(relative_error(p.sensitivity_normalized, (1 - l * l) * plain_by_hand(l, rho)) < 1e-9);
    }
    // correlated inputs make it worse: more loss and more sensitivity than white noise
    CHECK(memory_point({0.9, rho}, 0.8).loss > memory_point({0.9, 0.0}, 0.8).loss);
    CHECK(memory_point({0.9, rho}, 0.8).sensitivity_plain >
          memory_point({0.9, 0.0}, 0.8).sensitivity_plain);
  }

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

TEST_CASE("gradscope memory prints the columns over the grid and refuses bad flags") {
  const Run run = run_cli("memory --lambda 0.5:0.9:5 --teacher 0.9 --rho 0.25");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 2 + 5);
  CHECK(lines[0].rfind("# memory: ", 0) == 0);
  CHECK(lines[0].find("--lambda 0.5:0.9:5 --teacher 0.9 --rho 0.25") != std::string::npos);
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
  check_refused("memory --teacher 1", "--teacher 1 is invalid: expected a number in (0, 0.9999]");
  check_refused("memory --rho -0.1", "--rho -0.1 is invalid: expected a number in [0, 0.99]");
  check_refused("memory --rho x", "--rho x is invalid: expected a number");
  check_refused("memory --lambda 0.1:0.9:20000",
                "--lambda with 20000 points is too many: at most 10000");
  CHECK(run_cli("decay --teacher 0.9").exit_code == 2);  // not a flag of other commands
}
