// The "what fixes it" page: the critical length, Pascanu's cliff, truncated BPTT (the fourth
// view, presets and the tour, is in tour.cpp). Each view draws the worker's CriticalResult,
// CliffResult or TruncationResult (worker/results.h) and computes nothing; the critical experiment and
// the cliff's descent paths are the worker's, on the page's Run, Stop and click.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "cell_style.h"
#include "plot.h"
#include "text.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

plot::LineStyle line_of(gs::CellKind cell) {
  plot::LineStyle style;
  style.color = cell_color(cell);
  return style;
}

plot::LineStyle dashed_white(float alpha = 0.5f) {
  plot::LineStyle style;
  style.color = IM_COL32(255, 255, 255, static_cast<int>(255 * alpha));
  style.dashed = true;
  style.weight = 1.0f;
  return style;
}

// A number for the read-outs: "overflow" beyond double's range, never "inf" or "nan".
std::string number(double v, const char* format = "%.3g") {
  if (!std::isfinite(v)) return "overflow";
  char text[40];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

const ImU32 kPlainPath = IM_COL32(255, 255, 255, 235);  // no clipping
const ImU32 kClippedPath = IM_COL32(255, 120, 200, 255);  // clipped: a colour off the colormap

}  // namespace

// --- the critical length ------------------------------------------------------------------------

// Run / Stop, the experiment's defaults, progress; then the share of seeds that solve the task
// against the length, one line per cell, its critical length in the legend.
void draw_critical_view(const App& app, Widgets&, Changes& out) {
  const CriticalResult& c = app.results.critical;
  const gs::Config& config = app.results.config;
  const bool current = results_current(app);
  if (!c.error.empty() && current) {
    // the page's global defaults (lengths up to 3000) are the sweep's, not the experiment's
    warning_text(c.error + ". Defaults sets the experiment's own: " + gs::kCriticalDefaults);
  } else {
    ImGui::BeginDisabled(c.done || !current);
    if (ImGui::Button(c.running ? "Stop" : c.done ? "Done" : c.runs.empty() ? "Run" : "Go on",
                      ImVec2(ImGui::GetFontSize() * 3.5f, 0)))
      out.push_back([action = c.running ? CriticalAction::Stop : CriticalAction::Run](App& app) {
        critical_action(app, action);
      });
    ImGui::EndDisabled();
    ImGui::SameLine();
  }
  if (ImGui::Button("Defaults"))  // the experiment's own defaults, over the current keys
    out.push_back([](App& app) {
      apply_config(app, app.config, gs::kCriticalDefaults, ConfigSource::Link);
    });
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("sets %s", gs::kCriticalDefaults);
  ImGui::SameLine();
  char overlay[96];
  const int finished = static_cast<int>(c.runs.size());
  if (c.current >= 0 && c.current < c.runs_total)
    std::snprintf(overlay, sizeof overlay, "%d/%d runs, %.0f s", finished, c.runs_total,
                  c.elapsed_ms / 1000);
  else
    std::snprintf(overlay, sizeof overlay, "%d/%d runs%s", finished, c.runs_total,
                  c.done ? ", done" : "");
  ImGui::ProgressBar(static_cast<float>(c.progress), ImVec2(-FLT_MIN, 0), overlay);
  ImGui::TextDisabled("%s, %d its, %s lr %g, clip %g; solved: < %g x chance",
                      gs::task_name(config.task), config.iters,
                      gs::optimizer_name(config.optimizer), config.lr, config.clip,
                      config.solve_threshold);

  if (!plot::BeginPlot("##critical", ImGui::GetContentRegionAvail())) return;
  const std::vector<int>& lengths = config.lengths;
  const bool log_x = lengths.back() >= 10 * lengths.front();
  plot::SetupAxis(plot::X, "sequence length T", log_x ? plot::Scale::Log10 : plot::Scale::Linear);
  plot::SetupAxis(plot::Y, "share of seeds that solve it");
  plot::SetupAxisLimits(plot::X, lengths.front() * (log_x ? 0.8 : 1.0),
                        lengths.back() * (log_x ? 1.25 : 1.0) + (lengths.size() == 1));
  plot::SetupAxisLimits(plot::Y, -0.05, 1.05);
  std::vector<double> xs, ys;
  char label[96];
  for (const gs::CriticalCell& cell : c.cells) {
    xs.clear(), ys.clear();
    bool complete = true;
    for (const gs::CriticalShare& share : cell.shares) {
      complete = complete && share.done == config.seeds;
      if (!share.done) continue;
      xs.push_back(share.length);
      ys.push_back(double(share.solved) / share.done);
    }
    if (complete && cell.critical_length)
      std::snprintf(label, sizeof label, "%s: critical length %d", cell_label(cell.cell),
                    cell.critical_length);
    else if (complete)
      std::snprintf(label, sizeof label, "%s: none solved", cell_label(cell.cell));
    else
      std::snprintf(label, sizeof label, "%s", cell_label(cell.cell));
    plot::PlotLine(label, xs.data(), ys.data(), static_cast<int>(xs.size()), line_of(cell.cell));
    std::snprintf(label, sizeof label, "##runs %s", cell_label(cell.cell));
    plot::LineStyle dots = line_of(cell.cell);
    dots.legend = false;
    plot::PlotMarkers(label, xs.data(), ys.data(), static_cast<int>(xs.size()), dots);
  }
  plot::PlotHLine("half of the seeds", 0.5, dashed_white());
  plot::EndPlot();
}

// --- the cliff ----------------------------------------------------------------------------------

namespace {

// Where (w, b) is drawn on a map of `size` at `origin`: grid point i at the centre of its texel.
ImVec2 cliff_to_screen(const CliffResult& r, ImVec2 origin, ImVec2 size, double w, double b) {
  const double nw = r.w.size(), nb = r.b.size();
  const double u = ((w - r.w.front()) / (r.w.back() - r.w.front()) * (nw - 1) + 0.5) / nw;
  const double v = ((b - r.b.front()) / (r.b.back() - r.b.front()) * (nb - 1) + 0.5) / nb;
  return ImVec2(origin.x + static_cast<float>(u * size.x),
                origin.y + size.y - static_cast<float>(v * size.y));
}

void screen_to_cliff(const CliffResult& r, ImVec2 origin, ImVec2 size, ImVec2 p, double& w,
                     double& b) {
  const double nw = r.w.size(), nb = r.b.size();
  const double u = (p.x - origin.x) / size.x, v = (origin.y + size.y - p.y) / size.y;
  w = r.w.front() + (u * nw - 0.5) / (nw - 1) * (r.w.back() - r.w.front());
  b = r.b.front() + (v * nb - 0.5) / (nb - 1) * (r.b.back() - r.b.front());
}

// A path up to where it flies off; from there a line to the next point, cut at the map's edge,
// and a cross where it leaves (or where the gradient overflowed).
void draw_path(ImDrawList* draw, const CliffResult& r, const CliffPath& path, ImVec2 origin,
               ImVec2 size, ImU32 color) {
  const int n = static_cast<int>(path.w.size());
  const int last_inside = path.off_step ? path.off_step - 1 : n - 1;
  std::vector<ImVec2> points;
  for (int i = 0; i <= last_inside && i < n; ++i)
    points.push_back(cliff_to_screen(r, origin, size, path.w[i], path.b[i]));
  if (points.size() > 1)
    draw->AddPolyline(points.data(), static_cast<int>(points.size()), color, ImDrawFlags_None,
                      2.0f);
  for (int i = 0; i <= last_inside && i < n; i += 20)  // dots every 20 steps: the speed
    draw->AddCircleFilled(points[i], 2.5f, color);
  if (!path.off_step || points.empty()) {
    if (!points.empty()) draw->AddCircle(points.back(), 5.0f, color, 12, 2.0f);  // the end
    return;
  }
  const ImVec2 from = points.back();
  ImVec2 to = from;
  const double w = path.w[path.off_step], b = path.b[path.off_step];
  if (std::isfinite(w) && std::isfinite(b)) {
    to = cliff_to_screen(r, origin, size, w, b);
    // cut at the edge: the largest t in [0, 1] with from + t (to - from) inside the map
    float t = 1;
    const float x0 = origin.x, x1 = origin.x + size.x, y0 = origin.y, y1 = origin.y + size.y;
    const float dx = to.x - from.x, dy = to.y - from.y;
    if (dx > 0) t = std::min(t, (x1 - from.x) / dx);
    if (dx < 0) t = std::min(t, (x0 - from.x) / dx);
    if (dy > 0) t = std::min(t, (y1 - from.y) / dy);
    if (dy < 0) t = std::min(t, (y0 - from.y) / dy);
    to = ImVec2(from.x + std::max(0.0f, t) * dx, from.y + std::max(0.0f, t) * dy);
    draw->AddLine(from, to, color, 2.0f);
  }
  const float k = 6;
  draw->AddLine(ImVec2(to.x - k, to.y - k), ImVec2(to.x + k, to.y + k), color, 3.0f);
  draw->AddLine(ImVec2(to.x - k, to.y + k), ImVec2(to.x + k, to.y - k), color, 3.0f);
}

std::string path_summary(const CliffPath& p, const char* name) {
  char text[200];
  const int n = static_cast<int>(p.w.size());
  if (p.off_step && p.overflow && p.off_step == n - 1)
    std::snprintf(text, sizeof text, "%s: the gradient overflows at step %d", name, p.off_step);
  else if (p.off_step)
    std::snprintf(text, sizeof text, "%s: thrown off the map at step %d, to (%s, %s)", name,
                  p.off_step, number(p.w[p.off_step]).c_str(), number(p.b[p.off_step]).c_str());
  else
    std::snprintf(text, sizeof text, "%s: ends at (%s, %s), loss %s", name,
                  number(p.w.back()).c_str(), number(p.b.back()).c_str(),
                  number(p.loss.back(), "%.2g").c_str());
  return text;
}

}  // namespace

// The map of log10 loss (or log10 |gradient|) over (w, b), through the colormap shader; the two
// descent paths from the last start point. A click sends a new start point to the worker.
void draw_cliff_view(const App& app, Widgets&, Changes& out) {
  const CliffResult& r = app.results.cliff;
  if (!app.colormap.log.empty()) {
    ImGui::TextWrapped("The colormap shader failed: %s", app.colormap.log.c_str());
    return;
  }
  if (!r.done) {
    ImGui::ProgressBar(static_cast<float>(r.progress), ImVec2(-FLT_MIN, 0), "computing the surface");
    return;
  }
  const auto show = [&out](bool gradient) {
    out.push_back([gradient](App& app) { app.cliff_gradient = gradient; });
  };
  if (ImGui::RadioButton("log10 loss", !app.cliff_gradient)) show(false);
  ImGui::SameLine();
  if (ImGui::RadioButton("log10 |gradient|", app.cliff_gradient)) show(true);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  text_wrapped(format("Click a start: gradient descent, lr %g, %d steps; white: no clipping, "
                      "pink: clipped to norm %g.%s",
                      kCliffLr, kCliffIterations, kCliffClip,
                      app.cliff_gradient ? "" : " A loss below 10^-4 is as dark as 10^-4."));
  ImGui::PopStyleColor();
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left = font * 2.8f;                        // b's labels
  const float bar_gap = 8, bar_w = 12, bar_labels = font * 3.4f;  // the colour bar, right
  const float side = std::max(
      60.0f, std::min(avail.x - left - 4 - bar_gap - bar_w - bar_labels, avail.y - 3.6f * font));
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const ImVec2 origin(top.x + left, top.y), size(side, side);
  ImGui::SetCursorScreenPos(origin);
  if (app.cliff_map.image_tex)
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(app.cliff_map.image_tex)),
                 size, ImVec2(0, 1), ImVec2(1, 0));  // small b at the bottom
  else
    ImGui::Dummy(size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) {
    double w = 0, b = 0;
    screen_to_cliff(r, origin, size, mouse, w, b);
    out.push_back([w, b](App& app) { cliff_start(app, w, b); });
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  if (!r.plain.w.empty()) {
    draw_path(draw, r, r.plain, origin, size, kPlainPath);
    draw_path(draw, r, r.clipped, origin, size, kClippedPath);
    const ImVec2 start = cliff_to_screen(r, origin, size, r.start_w, r.start_b);
    draw->AddCircle(start, 6, IM_COL32(255, 255, 255, 255), 16, 2.0f);
  }
  draw->PopClipRect();
  // axes: b on the left, w below, each named at its middle tick ("b=-2", "w = 4"), so that the
  // name is not read as one more tick
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  char text[32];
  for (double b : {r.b.front(), 0.5 * (r.b.front() + r.b.back()), r.b.back()}) {
    const ImVec2 p = cliff_to_screen(r, origin, size, r.w.front(), b);
    const bool middle = b != r.b.front() && b != r.b.back();
    std::snprintf(text, sizeof text, middle ? "b=%g" : "%g", b);
    draw->AddText(ImVec2(top.x, std::clamp(p.y - font / 2, origin.y, origin.y + size.y - font)),
                  dim, text);
  }
  for (double w : {r.w.front(), 0.5 * (r.w.front() + r.w.back()), r.w.back()}) {
    const ImVec2 p = cliff_to_screen(r, origin, size, w, r.b.front());
    const bool middle = w != r.w.front() && w != r.w.back();
    std::snprintf(text, sizeof text, middle ? "w = %g" : "%g", w);
    const float tw = ImGui::CalcTextSize(text).x;
    draw->AddText(ImVec2(std::clamp(p.x - tw / 2, origin.x, origin.x + size.x - tw),
                         origin.y + size.y + 2),
                  dim, text);
  }
  // The colour bar: the map's log10 window (the loss's or the gradient's), bright at the top.
  ImGui::SetCursorScreenPos(ImVec2(origin.x + size.x + bar_gap, origin.y));
  draw_colorbar(app, app.cliff_map.lo, app.cliff_map.hi, bar_w, size.y);
  ImGui::SetCursorScreenPos(ImVec2(top.x, origin.y + size.y + font + 6));
  ImGui::PushStyleColor(ImGuiCol_Text, kPlainPath);
  text_wrapped(path_summary(r.plain, "no clipping"));
  ImGui::PopStyleColor();
  ImGui::PushStyleColor(ImGuiCol_Text, kClippedPath);
  text_wrapped(path_summary(r.clipped, "clipped"));
  ImGui::PopStyleColor();
  if (hovered) {
    double w = 0, b = 0;
    screen_to_cliff(r, origin, size, mouse, w, b);
    const int nw = static_cast<int>(r.w.size()), nb = static_cast<int>(r.b.size());
    const int i = std::clamp(static_cast<int>(std::lround((w - r.w.front()) /
                                                          (r.w.back() - r.w.front()) * (nw - 1))),
                             0, nw - 1);
    const int j = std::clamp(static_cast<int>(std::lround((b - r.b.front()) /
                                                          (r.b.back() - r.b.front()) * (nb - 1))),
                             0, nb - 1);
    const size_t k = static_cast<size_t>(i) * nb + j;
    ImGui::SetTooltip("w = %g, b = %g\nloss %s\ngradient (%s, %s)\nclick: descend from here",
                      r.w[i], r.b[j], number(r.loss[k], "%.4g").c_str(),
                      number(r.grad_w[k]).c_str(), number(r.grad_b[k]).c_str());
  }
}

// The map's texture follows the surface and the chosen quantity (called before ImGui's frame).
void cliff_map_update(App& app) {
  const CliffResult& r = app.results.cliff;
  const int wanted = app.cliff_gradient ? 1 : 0;
  if (!r.done || app.cliff_map_made == wanted) return;
  const int nw = static_cast<int>(r.w.size()), nb = static_cast<int>(r.b.size());
  std::vector<float> values(static_cast<size_t>(nw) * nb);
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (int i = 0; i < nw; ++i)
    for (int j = 0; j < nb; ++j) {
      const size_t k = static_cast<size_t>(i) * nb + j;
      const double v = wanted ? std::hypot(r.grad_w[k], r.grad_b[k]) : r.loss[k];
      const float log10_v = std::isfinite(v) ? static_cast<float>(std::log10(v)) : INFINITY;
      values[static_cast<size_t>(j) * nw + i] = log10_v;  // rows: b, columns: w
      if (std::isfinite(log10_v)) lo = std::min(lo, log10_v), hi = std::max(hi, log10_v);
    }
  heatmap_set(app.cliff_map, values.data(), nw, nb);
  // the loss from 10^-4 (the valley) up; the gradient's whole finite range
  heatmap_set_range(app.cliff_map, wanted ? std::floor(lo) : std::max(-4.0f, std::floor(lo)),
                    std::ceil(hi));
  app.cliff_map_made = wanted;
}

// --- truncated BPTT -----------------------------------------------------------------------------

// The cosine between the truncated and the full gradient against k, and how far from 1 it is on
// a log axis (the vanishing gradient makes it close to 1 fast); the training's k marked.
void draw_truncation_view(const App& app, Widgets&, Changes&) {
  const TruncationResult& t = app.results.truncation;
  const gs::Config& config = app.results.config;
  if (!t.error.empty()) {
    warning_text(t.error);
    return;
  }
  const int done = static_cast<int>(std::count_if(
      t.cells.begin(), t.cells.end(), [](const TruncationResult::Cell& c) { return c.done; }));
  if (done < static_cast<int>(t.cells.size()) || !results_current(app)) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "truncated BPTT: %d of %zu cells", done,
                  t.cells.size());
    ImGui::ProgressBar(t.cells.empty() ? 0.0f : float(done) / t.cells.size(),
                       ImVec2(-FLT_MIN, 0), overlay);
  }
  ImGui::TextDisabled("first minibatch (batch %d), T = %d; training: truncate=%d%s", config.batch,
                      gs::task_shape(config.task, config.length).steps, config.truncate,
                      config.truncate ? "" : " (full)");
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool side = avail.x > 1.1f * avail.y;
  const ImVec2 size = side ? ImVec2(std::floor((avail.x - 8) / 2), avail.y)
                           : ImVec2(avail.x, std::floor((avail.y - 6) / 2));
  double lowest = 0;  // the cosine axis: from 0, or lower if a cosine is negative, to 1
  for (const TruncationResult::Cell& c : t.cells)
    for (double v : c.cosine)
      if (std::isfinite(v)) lowest = std::min(lowest, v);
  std::vector<double> ks, ys;
  for (int panel = 0; panel < 2; ++panel) {
    if (panel == 1 && side) ImGui::SameLine(0, 8);
    if (!plot::BeginPlot(panel == 0 ? "cos(g_k, g)" : "1 - cos(g_k, g)", size)) continue;
    plot::SetupAxis(plot::X, "k (steps back)");
    plot::SetupAxis(plot::Y, panel == 0 ? "cosine" : "1 - cosine",
                    panel == 0 ? plot::Scale::Linear : plot::Scale::Log10);
    if (panel == 0) plot::SetupAxisLimits(plot::Y, lowest, 1.02);
    for (const TruncationResult::Cell& c : t.cells) {
      if (!c.done) continue;
      ks.clear(), ys.clear();
      for (size_t k = 0; k < c.cosine.size(); ++k) {
        ks.push_back(static_cast<double>(k + 1));
        ys.push_back(panel == 0 ? c.cosine[k] : 1 - c.cosine[k]);
      }
      plot::PlotLine(cell_label(c.cell), ks.data(), ys.data(), static_cast<int>(ks.size()),
                     line_of(c.cell));
    }
    if (config.truncate > 0) plot::PlotVLine("truncate", config.truncate, dashed_white(0.7f));
    plot::EndPlot();
  }
}
