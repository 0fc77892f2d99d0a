// The cliff of Pascanu, Mikolov & Bengio (2013, "On the difficulty of training recurrent neural
// networks", section 3 and Fig. 6): a one-unit RNN without input,
//
//   x_t = w sigmoid(x_{t-1}) + b,   x_0 = 0.5,   E = (sigmoid(x_50) - 0.7)^2,
//
// whose loss surface over (w, b) has a wall: where the map x -> w sigmoid(x) + b has two stable
// fixed points (w > 4, where its slope w sigmoid'(x) can exceed 1), x_50 lands on one or the other
// depending on which side of the unstable fixed point x_0 starts, and a tiny change of (w, b)
// moves that point across 0.5: the loss jumps and the gradient there is enormous (it grows like
// (w sigmoid'(0.5))^50 = (w/4)^50 near the wall). The wall runs along b = 0.5 - w sigmoid(0.5)
// = 0.5 - 0.6225 w for w > 4, right next to the valley of zero loss (the stable fixed point at
// logit(0.7), b = 0.847 - 0.7 w), which meets it near w = 4.5: gradient descent that follows the
// valley runs into the wall and is thrown far away unless the step is clipped.
//
// Everything here is in double, exact BPTT. Gradient-descent paths on the surface, with and
// without clipping by norm, are what the page draws.
#pragma once
#include <string>
#include <vector>

namespace gs {

struct CliffProblem {
  int steps = 50;       // x_steps is read out
  double x0 = 0.5;      // the initial state
  double target = 0.7;  // what sigmoid(x_steps) should be
};

struct CliffPoint {
  double loss = 0;    // E; not finite only for absurd (w, b) (never for finite inputs in practice)
  double grad_w = 0;  // dE/dw, exact BPTT; +-inf or NaN where beyond double's range
  double grad_b = 0;  // dE/db
};

// The loss and its exact gradient at (w, b).
CliffPoint cliff_point(const CliffProblem& problem, double w, double b);

// One axis of a grid: n points from lo to hi, both ends included (n = 1: lo, which must equal hi).
struct CliffAxis {
  double lo = 0, hi = 0;
  int n = 1;
  double at(int i) const;  // lo + (hi - lo) i / (n - 1), exactly hi at i = n - 1
};

// Parses "LO:HI:N" (plain decimals, N an integer in [1, 100000], LO < HI, or LO = HI with N = 1).
// Returns "" or what is wrong, for `name` (the flag's name).
std::string parse_cliff_axis(const std::string& name, const std::string& text, CliffAxis& axis);

// The default grid: the region of the paper's figure around the wall (see README, "The cliff").
inline constexpr const char* kCliffDefaultW = "0:8:81";
inline constexpr const char* kCliffDefaultB = "-6:2:81";

// Gradient descent on the surface from (w, b): every step (w, b) -= lr * g, with g scaled by
// clip / (norm + 1e-6) where that is below 1 (clipping by norm, as training's clip; clip = 0: off).
// The path holds the start and every point reached, with its loss and gradient; it stops early
// where the gradient is not finite (that point is the last one).
struct CliffStep {
  double w = 0, b = 0;
  CliffPoint point;
  bool clipped = false;  // the step taken from here was scaled down
};
std::vector<CliffStep> cliff_descent(const CliffProblem& problem, double w, double b, double lr,
                                     int iterations, double clip);

}  // namespace gs
