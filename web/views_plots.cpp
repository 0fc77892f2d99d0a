// The line plots: gradient through time, as the sequence grows, and live training.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cell_style.h"
#include "plot.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

plot::LineStyle style_of(gs::CellKind cell) {
  plot::LineStyle style;
  style.color = cell_color(cell);
  return style;
}

plot::LineStyle reference_style(ImU32 color = IM_COL32(255, 255, 255, 150)) {
  plot::LineStyle style;
  style.color = color;
  style.weight = 1.5f;
  style.dashed = true;
  return style;
}

// What a band spans: "3 seeds", "5 sequences", "2 seeds x 4 sequences".
std::string probes_text(const gs::Config& c) {
  if (c.sequences == 1) return std::to_string(c.seeds) + " seeds";
  const std::string sequences = std::to_string(c.sequences) + " sequences";
  return c.seeds == 1 ? sequences : std::to_string(c.seeds) + " seeds x " + sequences;
}

void progress_line(const char* what, double fraction) {
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%s %.0f%%", what, 100 * fraction);
  ImGui::ProgressBar(static_cast<float>(fraction), ImVec2(-FLT_MIN, 0), overlay);
}

// One line per cell: a field of the training history against the iteration. Marked on top:
// where the run diverged (a value beyond range at the top edge), and, if `mark_clipped`, the
// iterations whose update was clipped.
void plot_history(const Results& c, double gs::TrainRecord::*field, bool mark_clipped) {
  std::vector<double> xs, ys, mark_x, mark_y;
  char label[64];
  for (const TrainResult& job : c.train) {
    xs.clear(), ys.clear(), mark_x.clear(), mark_y.clear();
    for (const gs::TrainRecord& r : job.history) {
      const double y = std::isfinite(r.*field) ? r.*field : INFINITY;
      xs.push_back(r.iteration);
      ys.push_back(r.*field);
      if (r.iteration == job.diverged_at || (mark_clipped && r.clipped))
        mark_x.push_back(r.iteration), mark_y.push_back(y);
    }
    plot::LineStyle style = style_of(job.cell);
    style.legend = false;  // one line of cell names above both plots says it
    plot::PlotLine(cell_label(job.cell), xs.data(), ys.data(),
                   static_cast<int>(xs.size()), style);
    style.weight = mark_clipped ? 1.0f : 2.5f;
    std::snprintf(label, sizeof label, "%s %s", cell_label(job.cell),
                  mark_clipped ? "clipped or diverged" : "diverged");
    plot::PlotMarkers(label, mark_x.data(), mark_y.data(), static_cast<int>(mark_x.size()),
                      style);
  }
}

}  // namespace

void draw_decay_view(const App& app, Widgets&, Changes&) {
  const Results& c = app.results;
  const int steps = gs::task_shape(c.config.task, c.config.length).steps;
  if (!decay_done(c) || !results_current(app))
    progress_line("computing decay curves", c.decay_progress);
  for (const DecayResult& job : c.decay)  // no curve to draw: say why, and where
    if (job.overflow_step) {
      const std::string text = std::string(cell_label(job.cell)) + ": " + job.overflow +
                               ". No gradient can be measured.";
      warning_text(text.c_str());
    }
  if (!plot::BeginPlot("##decay", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, "steps back from the loss, k = T - t");
  plot::SetupAxis(plot::Y, "||dL/dh_t||", plot::Scale::Log10Exp);
  plot::SetupAxisLimits(plot::X, 0, std::max(1, steps - 1));  // T = 1: one point
  for (const DecayResult& job : c.decay) {
    if (!job.done) continue;
    const int n = static_cast<int>(job.lags.size());
    char label[96];
    if (job.curves.size() > 1) {  // the band stays out of the legend; the line's label says it
      std::snprintf(label, sizeof label, "##band %s", cell_label(job.cell));
      plot::PlotShaded(label, job.lags.data(), job.lo_by_lag.data(), job.hi_by_lag.data(), n,
                       style_of(job.cell));
      std::snprintf(label, sizeof label, "%s, median and 10-90%% of %s", cell_label(job.cell),
                    probes_text(c.config).c_str());
    } else {
      std::snprintf(label, sizeof label, "%s", cell_label(job.cell));
    }
    plot::PlotLine(label, job.lags.data(), job.median_by_lag.data(), n, style_of(job.cell));
    if (!job.c_by_lag.empty()) {  // the LSTM's cell state: the additive path
      plot::LineStyle dashed = style_of(job.cell);
      dashed.dashed = true;
      std::snprintf(label, sizeof label, "%s, ||dL/dc_t||: the cell state%s", cell_label(job.cell),
                    job.curves.size() > 1 ? " (first)" : "");
      plot::PlotLine(label, job.lags.data(), job.c_by_lag.data(), n, dashed);
    }
    if (!job.forget_path_by_lag.empty()) {  // the cell path by the forget gate alone
      plot::LineStyle thin = style_of(job.cell);
      thin.weight = 1.0f;
      std::snprintf(label, sizeof label, "%s, f alone: the product of the forget gates%s",
                    cell_label(job.cell), job.curves.size() > 1 ? " (first)" : "");
      plot::PlotLine(label, job.lags.data(), job.forget_path_by_lag.data(), n, thin);
    }
    if (job.overflow_step) {  // the step where the forward pass left the range
      plot::LineStyle style = style_of(job.cell);
      style.dashed = true;
      std::snprintf(label, sizeof label, "%s: overflow at step %d", cell_label(job.cell),
                    job.overflow_step);
      plot::PlotVLine(label, steps - job.overflow_step, style);
    }
  }
  plot::EndPlot();
}

void draw_sweep_view(const App& app, Widgets&, Changes&) {
  const Results& c = app.results;
  if (!c.sweep_done || !results_current(app)) progress_line("sweeping lengths", c.sweep_progress);
  if (std::any_of(c.sweep_points.begin(), c.sweep_points.end(),
                  [](const gs::SweepPoint& p) { return std::isnan(p.mean); }))
    warning_text("Triangles at the top: at those lengths the forward pass overflowed, so there is "
                 "no gradient to measure.");
  if (!plot::BeginPlot("##sweep", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, "sequence length T", plot::Scale::Log10);
  plot::SetupAxis(plot::Y, "||dL/dh_1|| / ||dL/dh_T||", plot::Scale::Log10Exp);
  const std::vector<int>& lengths = c.config.lengths;
  const size_t per_cell = lengths.size();
  std::vector<double> xs, mean, lo, hi, overflow_x, overflow_y;
  for (size_t cell = 0; cell < c.config.cells.size(); ++cell) {
    xs.clear(), mean.clear(), lo.clear(), hi.clear();
    for (size_t i = 0; i < per_cell; ++i) {
      const size_t index = cell * per_cell + i;
      if (index >= c.sweep_points.size()) break;  // not computed yet
      const gs::SweepPoint& point = c.sweep_points[index];
      if (std::isnan(point.mean)) {  // the forward pass overflowed: marked at the top edge
        overflow_x.push_back(point.length);
        overflow_y.push_back(INFINITY);
      }
      xs.push_back(point.length);
      mean.push_back(point.mean);
      lo.push_back(point.min);
      hi.push_back(point.max);
    }
    const gs::CellKind kind = c.config.cells[cell];
    char label[96];
    if (c.config.seeds * c.config.sequences > 1 && !xs.empty()) {
      std::snprintf(label, sizeof label, "##band %s", cell_label(kind));
      plot::PlotShaded(label, xs.data(), lo.data(), hi.data(), static_cast<int>(xs.size()),
                       style_of(kind));
      std::snprintf(label, sizeof label, "%s, mean and range of %s", cell_label(kind),
                    probes_text(c.config).c_str());
    } else {
      std::snprintf(label, sizeof label, "%s", cell_label(kind));
    }
    plot::PlotLine(label, xs.data(), mean.data(), static_cast<int>(xs.size()), style_of(kind));
    std::snprintf(label, sizeof label, "##overflow %s", cell_label(kind));
    plot::PlotMarkers(label, overflow_x.data(), overflow_y.data(),
                      static_cast<int>(overflow_x.size()), style_of(kind));
    overflow_x.clear(), overflow_y.clear();
  }
  if (c.config.length >= lengths.front() && c.config.length <= lengths.back())
    plot::PlotVLine("current length", c.config.length, reference_style());
  plot::EndPlot();
}

void draw_training_view(const App& app, Widgets&, Changes& out) {
  const Results& c = app.results;
  if (!c.train_error.empty()) {
    error_text(c.train_error);
    return;
  }
  // --- controls: play / pause / step / reset, progress ---
  const auto press = [&out](TrainAction action) {
    out.push_back([action](App& app) { train_action(app, action); });
  };
  if (ImGui::Button(c.playing ? "Pause" : "Play", ImVec2(ImGui::GetFontSize() * 4, 0)))
    press(c.playing ? TrainAction::Pause : TrainAction::Play);
  ImGui::SameLine();
  if (ImGui::Button("Step")) press(TrainAction::Step);
  ImGui::SameLine();
  if (ImGui::Button("Reset")) press(TrainAction::Reset);
  ImGui::SameLine();
  const int done = training_iterations(c);
  // The rate while it trains, once a first second has been measured (never "0.0/s" for "not yet").
  if (c.playing && c.iterations_per_second > 0)
    ImGui::Text("%d / %d iterations, %.1f/s", done, c.config.iters, c.iterations_per_second);
  else if (c.playing)
    ImGui::Text("%d / %d iterations, measuring the rate", done, c.config.iters);
  else
    ImGui::Text("%d / %d iterations", done, c.config.iters);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s task, T = %d, batch %d, %s, lr %g, clip %g", gs::task_name(c.config.task),
                      c.config.length, c.config.batch, gs::optimizer_name(c.config.optimizer),
                      c.config.lr, c.config.clip);

  // --- one legend for both plots: the cells in their colours, and the dashed references ---
  for (const TrainResult& job : c.train) {
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(job.cell));
    ImGui::TextUnformatted(cell_label(job.cell));
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  const char* dashed = "  dashed: chance loss, clip threshold; dots: clipped";
  if (ImGui::CalcTextSize(dashed).x > ImGui::GetContentRegionAvail().x) ImGui::NewLine();
  ImGui::TextDisabled("%s", dashed);
  for (const TrainResult& job : c.train)  // a finding to read, next to its marked point
    if (job.diverged_at) {
      char text[400];
      std::snprintf(text, sizeof text, "%s diverged at iteration %d: %s.", cell_label(job.cell),
                    job.diverged_at, job.divergence.c_str());
      warning_text(text);
    }

  // --- loss and gradient norm, side by side when wide ---
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // side by side unless the tile is narrow: stacked in a 1280x800 tile, each was a 40-pixel strip
  const bool side = avail.x > 1.4f * avail.y;
  const ImVec2 size = side ? ImVec2(std::floor((avail.x - 8) / 2), avail.y)
                           : ImVec2(avail.x, std::floor((avail.y - 6) / 2));
  if (plot::BeginPlot("Loss", size)) {
    plot::SetupAxis(plot::X, "iteration");
    plot::SetupAxis(plot::Y, "loss (fresh minibatch)", plot::Scale::Log10);
    plot::SetupAxisLimits(plot::X, 0, c.config.iters);
    plot_history(c, &gs::TrainRecord::loss, false);
    if (!c.train.empty())
      plot::PlotHLine("##chance", c.train[0].chance_loss, reference_style());
    plot::EndPlot();
  }
  if (side) ImGui::SameLine(0, 8);
  if (plot::BeginPlot("Gradient norm, before clipping", size)) {
    plot::SetupAxis(plot::X, "iteration");
    plot::SetupAxis(plot::Y, "||dL/dtheta||", plot::Scale::Log10);
    plot::SetupAxisLimits(plot::X, 0, c.config.iters);
    plot_history(c, &gs::TrainRecord::grad_norm, true);
    if (c.config.clip > 0) plot::PlotHLine("##clip", c.config.clip, reference_style());
    plot::EndPlot();
  }
}
