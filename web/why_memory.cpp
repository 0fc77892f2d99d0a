// "Why" for the new cells' page (views_memory.cpp), written from the numbers the views draw.
#include <algorithm>
#include <cmath>
#include <complex>

#include "cell_style.h"
#include "text.h"
#include "views.h"

std::string g3_text(double x) {
  std::string text = format("%.3g", x);
  const size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent[0] == '-';
  exponent = exponent.substr(exponent[0] == '-' || exponent[0] == '+' ? 1 : 0);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return text.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
}

double largest_eigenvalue_modulus(const WhyResult& w) {
  double largest = 0;
  for (const std::vector<double>& step : w.step_eigenvalues)
    for (size_t i = 0; i + 1 < step.size(); i += 2)
      largest = std::max(largest, std::hypot(step[i], step[i + 1]));
  return largest;
}

namespace {

std::string g3(double x) { return g3_text(x); }

// -1 / ln r: the steps over which a factor r per step keeps 1/e of what it carries.
// (Used as "<it> steps of memory".)
std::string memory_steps(double r) {
  if (!(r > 0)) return "no";
  if (r == 1) return "unbounded";
  return g3(-1 / std::log(r));
}

}  // namespace

// Where a run of the descent ended, in words.
std::string memory_path_text(const gs::MemoryPath& path, double teacher) {
  if (path.left_at) {
    return format("its step %d took lambda to %.4g, %s, so it ends there", path.left_at,
                  path.left_to,
                  path.left_to >= 1 ? "where the recurrence is unstable and the loss infinite"
                                    : "out of the range of memories compared");
  }
  const double last = path.lambda.back();
  return format("after %d iterations lambda = %.6g (teacher %.4g), loss %s",
                static_cast<int>(path.lambda.size()) - 1, last, teacher,
                path.loss.back() != 0         ? g3(path.loss.back()).c_str()
                : path.lambda.back() == teacher ? "exactly 0"
                                                : "below 1e-308, where a double rounds to 0");
}

std::string eigenvalue_memory_text(const WhyResult& w) {
  const double r = largest_eigenvalue_modulus(w);
  return format("%s %s (%s steps)", cell_label(w.cell), factor_text(std::log10(r)).c_str(),
                memory_steps(r).c_str());
}

std::string why_eigenvalues(const App& app) {
  if (!results_current(app)) return "Computing...";
  std::string text =
      "Each step back multiplies the gradient by J_t^T, and along J_t's eigenvectors by its "
      "eigenvalues. An eigenvalue of modulus r keeps 1/e of the gradient for -1/ln r steps: on "
      "the circle, for ever; deep inside, for a step or two.";
  bool dense = false;
  for (const WhyResult& w : app.results.why) {
    if (!w.done || w.step_eigenvalues.empty()) continue;
    const double r = largest_eigenvalue_modulus(w);
    const double slope = w.decay_log10_per_step;  // log10 per step back, measured
    text += format("\n\n%s: the largest |eigenvalue| over %zu steps is %s, ", cell_label(w.cell),
                   w.step_eigenvalues.size(), factor_text(std::log10(r)).c_str());
    text += r > 1 ? "outside the circle: along it the gradient grows x" + g3(r) + " per step; "
                  : memory_steps(r) + " steps of memory; ";
    const double measured = slope < 0 ? -1 / (slope * std::log(10.0)) : INFINITY;
    text += slope < 0 ? "its gradient, measured, loses 1/e every " + g3(measured) + " steps back."
                      : "its gradient, measured, does not shrink going back.";
    // a diagonal J_t: each unit keeps its own share; the sum fades first where |lambda| is small
    // (the LRU's keep factors are fixed; a gated diagonal cell's vary with the input, and no
    // unit keeps its largest one at every step)
    if (gs::has_complex_state(w.cell) && r < 1 && measured < 0.8 * -1 / std::log(r))
      text += format(
          " Its gradient is a sum over units, and those with a smaller |eigenvalue| "
          "fade first: over T = %d steps it shrinks faster than its slowest unit, and "
          "over longer ones it approaches that unit's rate.",
          w.steps);
    dense = dense || gs::has_recurrent_weights(w.cell);
  }
  for (const WhyResult& w : app.results.why) {
    if (w.done && w.overflow_step)
      text += format("\n\n%s: its forward pass overflowed at step %d: no Jacobian to measure.",
                     cell_label(w.cell), w.overflow_step);
    else if (w.done && w.step_eigenvalues.empty())
      text += format("\n\n%s: a state of %d numbers, above 128: its eigenvalues are not computed.",
                     cell_label(w.cell), w.state_size);
  }
  for (const WhyResult& w : app.results.why)
    if (!w.whh_eigenvalues.empty() && !w.step_eigenvalues.empty() && w.done)
      text += format(
          "\n\n%s: J_t = diag(act') W_hh. W_hh alone (the rings) has spectral radius "
          "%.3g, J_t at most %.3g over the steps shown%s.",
          cell_label(w.cell), w.spectral_radius_whh, largest_eigenvalue_modulus(w),
          largest_eigenvalue_modulus(w) < 0.99 * w.spectral_radius_whh
              ? ": here act' pulls the eigenvalues in"
              : "");
  if (dense)
    text +=
        "\n\nA dense J_t (RNN, LSTM, GRU) changes from step to step (but for RNN-identity's, "
        "W_hh itself) and is not normal: the product of many steps is not the product of their "
        "eigenvalues, so the largest one is a guide "
        "and the measured rate beside it is the memory. For the diagonal cells (minGRU, minLSTM, "
        "LRU) the eigenvalues are the keep factors themselves and they multiply exactly; the "
        "LRU's do not change with the input.";
  return text;
}

std::string why_landscape(const App& app) {
  const MemoryCurves& m = app.memory;
  const double t = m.problem.teacher;
  const gs::MemoryPoint at_teacher = gs::memory_point(m.problem, t);
  // a tenth of the teacher's distance from 1, below it (above it when that would leave (0, 1))
  const bool below = t - 0.1 * (1 - t) > 0;
  const double near = below ? t - 0.1 * (1 - t) : t + 0.1 * (1 - t);
  // the end of the drawn range farther from the teacher
  const double far = m.points.empty() ? gs::kMaxMemoryLambda
                     : std::abs(m.points.front().lambda - t) > std::abs(m.points.back().lambda - t)
                         ? m.points.front().lambda
                         : m.points.back().lambda;
  std::string text = format(
      "A student learns the teacher's memory lambda* = %.4g from its outputs. Near lambda* the "
      "loss is a parabola of curvature 2 E[(dh/dlambda)^2] = %s, and a step of 0.1 (1 - "
      "lambda*) = %s %s it already costs %s. The curvature grows as (1 - lambda*)^-3: the "
      "longer the memory, the sharper the valley.",
      t, g3(2 * at_teacher.sensitivity_plain).c_str(), g3(0.1 * (1 - t)).c_str(),
      below ? "below" : "above", g3(gs::memory_point(m.problem, near).loss).c_str());
  text += format(
      "\n\nNormalizing the input by gamma = sqrt(1 - lambda^2), as the LRU does, bounds the "
      "loss (%s at lambda = %.4g against %s without) but not the valley's sharpness.",
      g3(gs::normalized_loss(m.problem, far)).c_str(), far,
      g3(gs::memory_point(m.problem, far).loss).c_str());
  if (m.problem.rho > 0)
    text += format(
        "\n\nInputs correlated at rho = %.3g: at lambda* the curvature is %s times "
        "that of white noise.",
        m.problem.rho,
        g3(at_teacher.sensitivity_plain / gs::memory_point({t, 0.0}, t).sensitivity_plain).c_str());
  return text;
}

std::string why_sensitivity(const App& app) {
  const MemoryCurves& m = app.memory;
  const double t = m.problem.teacher;
  const gs::MemoryPoint p = gs::memory_point(m.problem, t);
  std::string text = format(
      "How much the output moves when the parameter moves, E[(dh_t/dtheta)^2], at the teacher's "
      "lambda* = %.4g: %s with theta = lambda, %s with the input normalized, and %s with "
      "lambda = exp(-exp(nu)) and theta = nu, as the LRU has it.",
      t, g3(p.sensitivity_plain).c_str(), g3(p.sensitivity_normalized).c_str(),
      g3(p.sensitivity_expexp).c_str());
  if (m.problem.rho == 0)
    text +=
        " For white noise the first grows as (1 - lambda)^-3 and the second as (1 - lambda)^-2 "
        "towards lambda = 1; the third stays below 1/2, its limit. That is the curse of memory "
        "(Zucchet & Orvieto 2024), and why the LRU is parameterized as it is: the gradient does "
        "not explode, yet learning a long memory is sharp without it.";
  else
    text += format(
        " Correlated inputs (rho = %.3g) raise all three by the same factor, %s: white noise "
        "gives %s for the third, below its limit of 1/2.",
        m.problem.rho,
        g3(p.sensitivity_plain / gs::memory_point({t, 0.0}, t).sensitivity_plain).c_str(),
        g3(gs::memory_point({t, 0.0}, t).sensitivity_expexp).c_str());
  return text;
}

std::string memory_paths_text(const MemoryCurves& m, const char* between) {
  const char* names[gs::kMemoryParams] = {"Plain lambda", "Normalized",
                                          "With lambda = exp(-exp(nu)) (the LRU's)"};
  std::string text;
  for (const gs::MemoryPath& path : m.paths)
    text += format("%s%s: %s.", text.empty() ? "" : between, names[static_cast<int>(path.param)],
                   memory_path_text(path, m.problem.teacher).c_str());
  return text;
}

std::string why_learning(const App& app) {
  const MemoryCurves& m = app.memory;
  return format("Gradient descent from lambda = %.4g with learning rate %.3g towards lambda* = "
                "%.4g, one run per parameterization (the normalized runs learn the output gamma h "
                "with gamma = sqrt(1 - lambda^2) following lambda, its share of the gradient "
                "counted; the Sensitivity view holds gamma fixed, as the LRU's separate "
                "gamma_log).\n\n",
                m.descent.start, m.descent.learning_rate, m.problem.teacher) +
         memory_paths_text(m, "\n\n");
}
