// The cliff (cliff.h): exact BPTT of the one-unit RNN against central finite differences in
// double, on the default grid and along the wall where the gradient is enormous; the grid axes;
// and gradient descent thrown off the surface by the wall unless the step is clipped.
#include <doctest/doctest.h>

#include <cmath>

#include "analyses/cliff.h"

using namespace gs;

namespace {

// dE/dw or dE/db by central differences with steps h and h/2, Richardson-extrapolated (error
// O(h^4) + O(1e-16 E / h)); each step as double represents it, so rounding of x + h does not count.
double numeric_derivative(const CliffProblem& problem, double w, double b, bool along_w, double h) {
  auto central = [&](double step) {
    const double up = along_w ? w + step : b + step, down = along_w ? w - step : b - step;
    const double e_up =
        along_w ? cliff_point(problem, up, b).loss : cliff_point(problem, w, up).loss;
    const double e_down =
        along_w ? cliff_point(problem, down, b).loss : cliff_point(problem, w, down).loss;
    return (e_up - e_down) / (up - down);
  };
  return (4 * central(h / 2) - central(h)) / 3;
}

void check_against_finite_differences(const CliffProblem& problem, double w, double b, double h,
                                      int& checked, double tolerance = 1e-6) {
  const CliffPoint p = cliff_point(problem, w, b);
  const double dw = numeric_derivative(problem, w, b, true, h);
  const double db = numeric_derivative(problem, w, b, false, h);
  INFO("w=" << w << " b=" << b << " grad " << p.grad_w << ", " << p.grad_b << " numeric " << dw
            << ", " << db);
  CHECK(std::abs(p.grad_w - dw) <= 1e-8 + tolerance * std::abs(dw));
  CHECK(std::abs(p.grad_b - db) <= 1e-8 + tolerance * std::abs(db));
  ++checked;
}

// The wall: x_0 = 0.5 is the unstable fixed point, b = 0.5 - w sigmoid(0.5). A start `offset`
// away leaves it by a factor w sigmoid'(0.5) = w / 4 per step, so the gradient is largest where
// offset (w/4)^50 is about 1: the wall gets thinner as w grows.
double wall_b(double w) { return 0.5 - w / (1 + std::exp(-0.5)); }
double wall_width(double w) { return std::pow(4 / w, 50); }

}  // namespace

TEST_CASE("cliff gradients equal central finite differences, on the grid and at the wall") {
  const CliffProblem problem;
  CliffAxis ws, bs;
  REQUIRE(parse_cliff_axis("w", kCliffDefaultW, ws) == "");
  REQUIRE(parse_cliff_axis("b", kCliffDefaultB, bs) == "");
  int checked = 0;
  for (int i = 0; i < ws.n; i += 4)
    for (int j = 0; j < bs.n; j += 4)
      check_against_finite_differences(problem, ws.at(i), bs.at(j), 1e-4, checked);
  // Across the wall, where the gradient grows by orders of magnitude. There the problem itself
  // is ill-conditioned: rounding in x_t grows by w/4 per step too, so the loss is known to about
  // 1e-16 (w/4)^50 relative (1e-11 at w = 5, 1e-7 at w = 6), and so is any finite difference:
  // to 1e-6 up to w = 5, to 1e-2 at w = 6 (measured 1.5e-3), where the gradient reaches 1e7.
  double largest = 0;
  for (double w : {4.5, 5.0, 6.0})
    for (double offset : {-10.0, -1.0, -0.1, 0.1, 1.0, 10.0}) {
      const double b = wall_b(w) + offset * wall_width(w);
      const CliffPoint p = cliff_point(problem, w, b);
      largest = std::max(largest, std::hypot(p.grad_w, p.grad_b));
      check_against_finite_differences(problem, w, b, 1e-3 * std::abs(offset) * wall_width(w),
                                       checked, w < 5.5 ? 1e-6 : 1e-2);
    }
  MESSAGE(checked << " points checked; the largest gradient norm at the wall " << largest);
  CHECK(largest > 1e7);
  // other steps, start and target
  const CliffProblem other{20, -0.3, 0.2};
  for (double w : {-3.0, 0.5, 2.0, 6.0})
    for (double b : {-2.0, 0.1, 1.5}) check_against_finite_differences(other, w, b, 1e-4, checked);
}

TEST_CASE("cliff axes: N points from LO to HI, both ends exactly") {
  CliffAxis axis;
  REQUIRE(parse_cliff_axis("w", "-6:2:81", axis) == "");
  CHECK(axis.at(0) == -6);
  CHECK(axis.at(80) == 2);
  CHECK(axis.at(60) == doctest::Approx(0));
  REQUIRE(parse_cliff_axis("w", "3:3:1", axis) == "");
  CHECK(axis.at(0) == 3);
  const std::string expected =
      " is invalid: expected LO:HI:N (N points from LO to HI, both included; N an integer in [1, "
      "100000], LO < HI, or LO = HI if N = 1)";
  for (const char* bad : {"1:2", "1:2:3:4", "2:1:5", "1:1:2", "1:2:1", "1:2:0", "1:2:100001",
                          "a:2:3", "1:2:3.5", "0x1:2:3", "inf:2:3", ""})
    CHECK(parse_cliff_axis("b", bad, axis) == "--b " + std::string(bad) + expected);
}

TEST_CASE("gradient descent from (6, -3.4), lr 0.3: thrown off by the wall, unless clipped at 1") {
  const CliffProblem problem;
  const auto free_path = cliff_descent(problem, 6, -3.4, 0.3, 200, 0);
  const auto clipped_path = cliff_descent(problem, 6, -3.4, 0.3, 200, 1);
  REQUIRE(free_path.size() == 201);
  REQUIRE(clipped_path.size() == 201);
  auto largest_jump = [](const std::vector<CliffStep>& path) {
    double jump = 0;
    for (size_t i = 1; i < path.size(); ++i)
      jump = std::max(jump, std::hypot(path[i].w - path[i - 1].w, path[i].b - path[i - 1].b));
    return jump;
  };
  MESSAGE("largest step without clipping "
          << largest_jump(free_path) << ", with " << largest_jump(clipped_path) << "; final loss "
          << free_path.back().point.loss << " vs " << clipped_path.back().point.loss);
  CHECK(largest_jump(free_path) > 100);  // measured 1.4e3: off the figure
  CHECK(std::abs(free_path.back().w) > 100);
  CHECK(largest_jump(clipped_path) <= 0.3 + 1e-12);
  CHECK(clipped_path.back().point.loss < 0.01);  // measured 0.0069
  int clipped = 0;
  for (const CliffStep& step : clipped_path) clipped += step.clipped;
  CHECK(clipped > 0);
  CHECK_FALSE(free_path[0].clipped);
}
