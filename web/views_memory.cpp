// The "new cells" page: why the diagonal recurrences remember, and what a long memory costs.
// - Eigenvalues: each step's Jacobian J_t multiplies the gradient, direction by direction, by its
//   eigenvalues; the view puts them on the unit disk, a cloud over the sampled steps (the
//   worker's WhyResult).
// - The curse of memory (Zucchet & Orvieto 2024) on h_t = lambda h_{t-1} + x_t: the loss of a
//   student's lambda against a teacher's, the sensitivity of three parameterizations, and
//   gradient descent with each (core/analyses/curse_of_memory.h: closed forms, computed here when
//   their keys change).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cell_style.h"
#include "plot.h"
#include "text.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

// The three parameterizations' colours and names, in MemoryParam's order.
const char* const kParamLabels[gs::kMemoryParams] = {"plain lambda", "normalized",
                                                     "exp(-exp(nu)), the LRU's"};
plot::LineStyle param_style(int param, float weight = 2.0f) {
  plot::LineStyle style;
  style.color = plot::PaletteColor(param == 0 ? 0 : param == 1 ? 4 : 2);
  style.weight = weight;
  return style;
}
plot::LineStyle teacher_line() {
  plot::LineStyle style;
  style.color = IM_COL32(255, 255, 255, 160);
  style.dashed = true;
  style.weight = 1.5f;
  return style;
}

// Two plots side by side when the tile is wide, else stacked.
ImVec2 panel_size() {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  return avail.x > 1.1f * avail.y ? ImVec2(std::floor((avail.x - 8) / 2), avail.y)
                                  : ImVec2(avail.x, std::floor((avail.y - 6) / 2));
}

// A grey line over the plot, wrapped on narrow screens.
void caption(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

std::vector<double> lambdas(const MemoryCurves& m) {
  std::vector<double> out;
  for (const gs::MemoryPoint& p : m.points) out.push_back(p.lambda);
  return out;
}

}  // namespace

void memory_curves_update(App& app) {
  const std::string key = gs::keys_text(app.config, gs::kAffectsMemory);
  MemoryCurves& m = app.memory;
  if (m.key == key) return;
  m = MemoryCurves();
  m.key = key;
  m.problem = {app.config.teacher, app.config.rho};
  m.descent = {app.config.student, app.config.student_lr, app.config.student_iters};
  // 400 lambdas from below the start and the teacher to 0.9999, evenly spaced in log(1 - lambda)
  // so that the teacher's valley is drawn however near 1 it lies
  const double lo = std::min({0.5, m.problem.teacher, m.descent.start}) * 0.9;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    const double lambda =
        1 - (1 - lo) * std::pow((1 - gs::kMaxMemoryLambda) / (1 - lo), i / double(n - 1));
    m.points.push_back(gs::memory_point(m.problem, lambda));
    m.normalized_loss.push_back(gs::normalized_loss(m.problem, lambda));
  }
  m.paths = gs::memory_descent(m.problem, m.descent);
}

// --- the eigenvalues ------------------------------------------------------------------------

void draw_eigenvalues_view(const App& app, Widgets&, Changes&) {
  const Results& r = app.results;
  const bool done = !r.why.empty() && std::all_of(r.why.begin(), r.why.end(),
                                                  [](const WhyResult& w) { return w.done; });
  if (!done || !results_current(app)) {
    ImGui::TextDisabled("Computing: after the decay curves and the sweep...");
    return;
  }
  int steps = 0;
  for (const WhyResult& w : r.why) {
    if (w.overflow_step)
      warning_text(std::string(cell_label(w.cell)) + ": the forward pass overflowed at step " +
                   std::to_string(w.overflow_step) + ": no Jacobian to measure.");
    else if (w.step_eigenvalues.empty())
      ImGui::TextDisabled("%s: a state of %d numbers, above 128: no eigenvalues",
                          cell_label(w.cell), w.state_size);
    steps = std::max(steps, static_cast<int>(w.eigenvalue_steps.size()));
  }
  caption(
      format("J_t's eigenvalues at %d steps of T = %d (rings: an RNN's W_hh alone); dashed: "
             "the unit circle",
             steps, r.why.front().steps));
  // about square (the disk fills it), not taller: a phone's tab is much taller than wide
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(avail.x, std::min(avail.y, avail.x + 4 * ImGui::GetFontSize()));
  if (!plot::BeginPlot("eigenvalues of J_t", size)) return;
  plot::SetupAxis(plot::X, "real part");
  plot::SetupAxis(plot::Y, "imaginary part");
  plot::SetupAxisLimits(plot::X, -1.15, 1.15);
  plot::SetupAxisLimits(plot::Y, -1.15, 1.15);
  plot::SetupEqualAspect();
  std::vector<double> xs, ys;
  for (int i = 0; i <= 256; ++i) {
    xs.push_back(std::cos(2 * M_PI * i / 256));
    ys.push_back(std::sin(2 * M_PI * i / 256));
  }
  plot::LineStyle circle = teacher_line();
  circle.legend = false;
  plot::PlotLine("|lambda| = 1", xs.data(), ys.data(), static_cast<int>(xs.size()), circle);
  for (const WhyResult& w : r.why) {
    xs.clear(), ys.clear();
    for (const std::vector<double>& step : w.step_eigenvalues)
      for (size_t i = 0; i + 1 < step.size(); i += 2)
        xs.push_back(step[i]), ys.push_back(step[i + 1]);
    if (xs.empty()) continue;
    plot::LineStyle style;
    style.color = cell_color(w.cell);
    plot::PlotMarkers(cell_label(w.cell), xs.data(), ys.data(), static_cast<int>(xs.size()), style);
    if (w.whh_eigenvalues.empty()) continue;  // an RNN's W_hh alone, as rings
    xs.clear(), ys.clear();
    for (size_t i = 0; i + 1 < w.whh_eigenvalues.size(); i += 2)
      xs.push_back(w.whh_eigenvalues[i]), ys.push_back(w.whh_eigenvalues[i + 1]);
    style.hollow = true;
    plot::PlotMarkers((std::string(cell_label(w.cell)) + ": W_hh").c_str(), xs.data(), ys.data(),
                      static_cast<int>(xs.size()), style);
  }
  plot::EndPlot();
}

// --- the curse of memory --------------------------------------------------------------------

// The plain loss and the normalized one over lambda, and where each descent went on them.
void draw_landscape_view(const App& app, Widgets&, Changes&) {
  const MemoryCurves& m = app.memory;
  caption(format("h_t = lambda h_{t-1} + x_t; teacher lambda* = %.4g, rho = %.3g",
                 m.problem.teacher, m.problem.rho));
  if (!plot::BeginPlot("loss of the student's lambda", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, "student's lambda");
  plot::SetupAxis(plot::Y, "loss", plot::Scale::Log10);
  const std::vector<double> xs = lambdas(m);
  std::vector<double> loss;
  for (const gs::MemoryPoint& p : m.points) loss.push_back(p.loss);
  plot::PlotLine("loss", xs.data(), loss.data(), static_cast<int>(xs.size()), param_style(0));
  plot::PlotLine("normalized loss", xs.data(), m.normalized_loss.data(),
                 static_cast<int>(xs.size()), param_style(1));
  for (const gs::MemoryPath& path : m.paths) {
    const int param = static_cast<int>(path.param);
    plot::LineStyle style = param_style(param);
    style.legend = false;
    plot::PlotMarkers((std::string(kParamLabels[param]) + ": descent").c_str(), path.lambda.data(),
                      path.loss.data(), static_cast<int>(path.lambda.size()), style);
  }
  plot::PlotVLine("teacher", m.problem.teacher, teacher_line());
  plot::EndPlot();
}

void draw_sensitivity_view(const App& app, Widgets&, Changes&) {
  const MemoryCurves& m = app.memory;
  caption(format("E[(dh_t/dtheta)^2] over lambda; dashed: the teacher, %.4g", m.problem.teacher));
  if (!plot::BeginPlot("sensitivity", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, "lambda");
  plot::SetupAxis(plot::Y, "E[(dh/dtheta)^2]", plot::Scale::Log10);
  const std::vector<double> xs = lambdas(m);
  std::vector<double> ys[gs::kMemoryParams];
  for (const gs::MemoryPoint& p : m.points) {
    ys[0].push_back(p.sensitivity_plain);
    ys[1].push_back(p.sensitivity_normalized);
    ys[2].push_back(p.sensitivity_expexp);
  }
  for (int i = 0; i < gs::kMemoryParams; ++i)
    plot::PlotLine(kParamLabels[i], xs.data(), ys[i].data(), static_cast<int>(xs.size()),
                   param_style(i));
  plot::PlotVLine("teacher", m.problem.teacher, teacher_line());
  plot::EndPlot();
}

// lambda and the loss by iteration, one run per parameterization; a run that left (0, 1) ends.
void draw_learning_view(const App& app, Widgets&, Changes&) {
  const MemoryCurves& m = app.memory;
  caption(format("from lambda = %.4g, learning rate %.3g, %d iterations", m.descent.start,
                 m.descent.learning_rate, m.descent.iterations));
  const ImVec2 size = panel_size();
  const bool side = size.y == ImGui::GetContentRegionAvail().y;
  std::vector<double> ks;
  for (int panel = 0; panel < 2; ++panel) {
    if (panel == 1 && side) ImGui::SameLine(0, 8);
    if (!plot::BeginPlot(panel == 0 ? "the student's lambda" : "its loss", size)) continue;
    plot::SetupAxis(plot::X, "iteration");
    plot::SetupAxis(plot::Y, panel == 0 ? "lambda" : "loss",
                    panel == 0 ? plot::Scale::Linear : plot::Scale::Log10);
    for (const gs::MemoryPath& path : m.paths) {
      const int param = static_cast<int>(path.param);
      ks.clear();
      for (size_t k = 0; k < path.lambda.size(); ++k) ks.push_back(static_cast<double>(k));
      const std::vector<double>& ys = panel == 0 ? path.lambda : path.loss;
      plot::PlotLine(kParamLabels[param], ks.data(), ys.data(), static_cast<int>(ks.size()),
                     param_style(param));
      if (path.left_at) {  // where it ended: its last lambda, marked
        const double x = static_cast<double>(ks.size() - 1), y = ys.back();
        plot::LineStyle mark = param_style(param);
        mark.legend = false;
        plot::PlotMarkers((std::string(kParamLabels[param]) + ": left (0, 1) next").c_str(), &x, &y,
                          1, mark);
      }
    }
    if (panel == 0) plot::PlotHLine("teacher", m.problem.teacher, teacher_line());
    plot::EndPlot();
  }
}
