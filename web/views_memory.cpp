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

// The x axis of the landscape and the sensitivity: 1 - lambda on a log scale, so that memories
// near 1 get room and the power laws in (1 - lambda) are straight lines.
std::vector<double> one_minus(const std::vector<double>& lambdas) {
  std::vector<double> out;
  for (double l : lambdas) out.push_back(1 - l);
  return out;
}
std::vector<double> one_minus_lambdas(const MemoryCurves& m) {
  std::vector<double> lambdas;
  for (const gs::MemoryPoint& p : m.points) lambdas.push_back(p.lambda);
  return one_minus(lambdas);
}
constexpr const char* kOneMinusLambda = "1 - lambda (longer memory to the left)";

// At most `most` evenly spaced points of a path (a long descent would draw 100,000 markers).
void thin(std::vector<double>& xs, std::vector<double>& ys, size_t most) {
  if (xs.size() <= most) return;
  std::vector<double> x, y;
  for (size_t i = 0; i < most; ++i) {
    const size_t k = i * (xs.size() - 1) / (most - 1);
    x.push_back(xs[k]), y.push_back(ys[k]);
  }
  xs.swap(x), ys.swap(y);
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
  // (at least 1e-6: below it 1 - lo rounds to 1 and the grid would start at lambda = 0)
  const double lo = std::max(1e-6, std::min({0.5, m.problem.teacher, m.descent.start}) * 0.9);
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
  double reach = 1.15;  // the disk, or every eigenvalue outside it
  for (const WhyResult& w : r.why) {
    reach = std::max(reach, 1.05 * largest_eigenvalue_modulus(w));
    for (size_t i = 0; i + 1 < w.whh_eigenvalues.size(); i += 2)
      reach = std::max(reach, 1.05 * std::hypot(w.whh_eigenvalues[i], w.whh_eigenvalues[i + 1]));
  }
  plot::SetupAxisLimits(plot::X, -reach, reach);
  plot::SetupAxisLimits(plot::Y, -reach, reach);
  plot::SetupEqualAspect();
  std::vector<double> xs, ys;
  for (int i = 0; i <= 256; ++i) {
    xs.push_back(std::cos(2 * M_PI * i / 256));
    ys.push_back(std::sin(2 * M_PI * i / 256));
  }
  plot::LineStyle circle = teacher_line();
  circle.color = IM_COL32(120, 160, 255, 200);  // not a cell's colour (the LRU's is white)
  circle.legend = false;
  plot::PlotLine("|lambda| = 1", xs.data(), ys.data(), static_cast<int>(xs.size()), circle);
  for (const WhyResult& w : r.why) {
    xs.clear(), ys.clear();
    for (const std::vector<double>& step : w.step_eigenvalues)
      for (size_t i = 0; i + 1 < step.size(); i += 2)
        xs.push_back(step[i]), ys.push_back(step[i + 1]);
    plot::LineStyle style;
    style.color = cell_color(w.cell);
    if (!xs.empty())
      plot::PlotMarkers(cell_label(w.cell), xs.data(), ys.data(), static_cast<int>(xs.size()),
                        style);
    if (w.whh_eigenvalues.empty()) continue;  // an RNN's W_hh alone, as rings over the dots
    xs.clear(), ys.clear();
    for (size_t i = 0; i + 1 < w.whh_eigenvalues.size(); i += 2)
      xs.push_back(w.whh_eigenvalues[i]), ys.push_back(w.whh_eigenvalues[i + 1]);
    style.hollow = true;
    style.weight = 3.0f;  // larger rings, so the dots under them show
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
  plot::SetupAxis(plot::X, kOneMinusLambda, plot::Scale::Log10);
  plot::SetupAxis(plot::Y, "loss", plot::Scale::Log10);
  const std::vector<double> xs = one_minus_lambdas(m);
  std::vector<double> loss;
  for (const gs::MemoryPoint& p : m.points) loss.push_back(p.loss);
  plot::PlotLine("loss", xs.data(), loss.data(), static_cast<int>(xs.size()), param_style(0));
  plot::PlotLine("normalized loss", xs.data(), m.normalized_loss.data(),
                 static_cast<int>(xs.size()), param_style(1));
  for (const gs::MemoryPath& path : m.paths) {
    const int param = static_cast<int>(path.param);
    plot::LineStyle style = param_style(param);
    style.legend = false;
    std::vector<double> px = one_minus(path.lambda), py = path.loss;
    thin(px, py, 400);
    plot::PlotMarkers((std::string(kParamLabels[param]) + ": descent").c_str(), px.data(),
                      py.data(), static_cast<int>(px.size()), style);
  }
  plot::PlotVLine("teacher", 1 - m.problem.teacher, teacher_line());
  plot::EndPlot();
}

void draw_sensitivity_view(const App& app, Widgets&, Changes&) {
  const MemoryCurves& m = app.memory;
  caption(format("E[(dh_t/dtheta)^2] over lambda; dashed: the teacher, %.4g (the normalized: "
                 "gamma held fixed)",
                 m.problem.teacher));
  if (!plot::BeginPlot("sensitivity", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, kOneMinusLambda, plot::Scale::Log10);
  plot::SetupAxis(plot::Y, "E[(dh/dtheta)^2]", plot::Scale::Log10);
  const std::vector<double> xs = one_minus_lambdas(m);
  std::vector<double> ys[gs::kMemoryParams];
  for (const gs::MemoryPoint& p : m.points) {
    ys[0].push_back(p.sensitivity_plain);
    ys[1].push_back(p.sensitivity_normalized);
    ys[2].push_back(p.sensitivity_expexp);
  }
  for (int i = 0; i < gs::kMemoryParams; ++i)
    plot::PlotLine(kParamLabels[i], xs.data(), ys[i].data(), static_cast<int>(xs.size()),
                   param_style(i));
  plot::PlotVLine("teacher", 1 - m.problem.teacher, teacher_line());
  plot::EndPlot();
}

// lambda and the loss by iteration, one run per parameterization; a run that left (0, 1) ends.
void draw_learning_view(const App& app, Widgets&, Changes&) {
  const MemoryCurves& m = app.memory;
  caption(format("from lambda = %.4g, learning rate %.3g, %d iterations%s", m.descent.start,
                 m.descent.learning_rate, m.descent.iterations,
                 m.descent.start == m.problem.teacher
                     ? "; the student starts at the teacher: every loss is exactly 0, which a "
                       "log axis cannot draw"
                     : ""));
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
