// The "why it vanishes" page: spectra, saturation, the lag split, the trainability map. Each view
// draws the worker's WhyResult / TrainabilityResult (worker/results.h) and computes nothing.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "cell_style.h"
#include "plot.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

plot::LineStyle style_of(gs::CellKind cell, bool dashed = false, float weight = 2.0f) {
  plot::LineStyle style;
  style.color = cell_color(cell);
  style.dashed = dashed;
  style.weight = weight;
  style.legend = !dashed;  // the dashed references are named in a line above the plots
  return style;
}

// Until the worker has them: progress, or why there is nothing.
bool why_ready(const App& app) {
  const Results& r = app.results;
  const bool done = !r.why.empty() && std::all_of(r.why.begin(), r.why.end(),
                                                   [](const WhyResult& w) { return w.done; });
  if (!done || !results_current(app)) {
    ImGui::TextDisabled("Computing: after the decay curves and the sweep...");
    return false;
  }
  return true;
}

void overflow_note(const WhyResult& w) {
  warning_text(std::string(cell_label(w.cell)) + ": the forward pass overflowed at step " +
               std::to_string(w.overflow_step) + ": no Jacobian to measure.");
}

// Two plots side by side when the tile is wide, else stacked.
ImVec2 half_size(int count) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool side = avail.x > 1.1f * avail.y;
  return side ? ImVec2(std::floor((avail.x - 8) / count), avail.y)
              : ImVec2(avail.x, std::floor((avail.y - 6 * (count - 1)) / count));
}
bool side_by_side() {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  return avail.x > 1.1f * avail.y;
}

}  // namespace

// Left: the measured decay (median) with the slope the largest Lyapunov exponent predicts from
// the loss back (dashed) and, for the RNNs, the slope of Pascanu's bound (thin, solid). Right:
// the largest singular value of each step's Jacobian at the sampled steps.
void draw_spectra_view(const App& app, Widgets&, Changes&) {
  if (!why_ready(app)) return;
  const Results& r = app.results;
  for (const WhyResult& w : r.why)
    if (w.overflow_step) overflow_note(w);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("dashed: the slope the largest Lyapunov exponent predicts; thin: Pascanu's "
                     "bound gamma sigma_max(W_hh) per step (above 1 it rises, and guarantees "
                     "nothing)");
  ImGui::PopStyleColor();
  const bool side = side_by_side();
  const ImVec2 size = half_size(2);
  char label[96];
  if (plot::BeginPlot("Decay and the predicted slope", size)) {
    plot::SetupAxis(plot::X, "steps back from the loss, k");
    plot::SetupAxis(plot::Y, "||dL/dh||", plot::Scale::Log10Exp);
    for (size_t i = 0; i < r.decay.size() && i < r.why.size(); ++i) {
      const DecayResult& d = r.decay[i];
      const WhyResult& w = r.why[i];
      if (!d.done || w.overflow_step || d.lags.empty()) continue;
      const int n = static_cast<int>(d.lags.size());
      plot::PlotLine(cell_label(d.cell), d.lags.data(), d.median_by_lag.data(), n,
                     style_of(d.cell));
      const double k_max = d.lags.back(), top = d.median_by_lag.front();
      if (!w.lyapunov.empty() && std::isfinite(w.lyapunov[0])) {
        const double xs[2] = {0, k_max};
        const double ys[2] = {top, top + k_max * w.lyapunov[0] / std::log(10.0)};
        std::snprintf(label, sizeof label, "%s: lambda_1 slope", cell_label(d.cell));
        plot::PlotLine(label, xs, ys, 2, style_of(d.cell, true, 1.5f));
      }
      if (w.pascanu_bound > 0 && std::isfinite(w.pascanu_bound)) {
        const double xs[2] = {0, k_max};
        const double ys[2] = {top, top + k_max * std::log10(w.pascanu_bound)};
        std::snprintf(label, sizeof label, "%s: bound gamma sigma_max", cell_label(d.cell));
        plot::PlotLine(label, xs, ys, 2, style_of(d.cell, false, 1.0f));
      }
    }
    plot::EndPlot();
  }
  if (side) ImGui::SameLine(0, 8);
  if (plot::BeginPlot("Largest singular value of J_t", size)) {
    plot::SetupAxis(plot::X, "step t");
    plot::SetupAxis(plot::Y, "sigma_1(J_t)", plot::Scale::Log10);
    std::vector<double> sv1;
    for (const WhyResult& w : r.why) {
      if (w.overflow_step || w.step_sv.empty()) continue;
      sv1.clear();
      for (const std::vector<double>& sv : w.step_sv) sv1.push_back(sv.empty() ? NAN : sv[0]);
      plot::PlotLine(cell_label(w.cell), w.sv_steps.data(), sv1.data(),
                     static_cast<int>(sv1.size()), style_of(w.cell));
    }
    plot::PlotHLine("##one", 1.0, [] {
      plot::LineStyle s;
      s.color = IM_COL32(255, 255, 255, 120);
      s.dashed = true;
      s.weight = 1.0f;
      return s;
    }());
    plot::EndPlot();
  }
}

// The quantity that scales the gradient unit by unit at each step: act' for the RNNs, the keep
// gate for LSTM (f) and GRU (z): the mean over units and a 25-75% band. ReLU's dead share apart.
void draw_saturation_view(const App& app, Widgets&, Changes&) {
  if (!why_ready(app)) return;
  const Results& r = app.results;
  const bool relu = std::any_of(r.why.begin(), r.why.end(), [](const WhyResult& w) {
    return !w.saturation.empty() && w.saturation.back().name == "dead_share";
  });
  const bool side = side_by_side();
  const ImVec2 size = relu ? half_size(2) : ImGui::GetContentRegionAvail();
  char label[96];
  if (plot::BeginPlot("What each step multiplies by, unit by unit", size)) {
    plot::SetupAxis(plot::X, "step t");
    plot::SetupAxis(plot::Y, "mean over units, 25-75% band");
    for (const WhyResult& w : r.why) {
      if (w.overflow_step || w.saturation.empty()) continue;
      // act' of an RNN is the first series; else what the keep path multiplies by: f (LSTM),
      // z (GRU), 1-z (minGRU), f' (minLSTM)
      const char* keep = gs::cell_info(w.cell).keep_factor_name;
      const std::string wanted = keep ? keep : "";
      const StepSeries* s = &w.saturation[0];
      for (const StepSeries& series : w.saturation)
        if (series.name == wanted) s = &series;
      const int n = static_cast<int>(s->steps.size());
      if (!s->q25.empty()) {
        std::snprintf(label, sizeof label, "##band %s", cell_label(w.cell));
        plot::PlotShaded(label, s->steps.data(), s->q25.data(), s->q75.data(), n,
                         style_of(w.cell));
      }
      std::snprintf(label, sizeof label, "%s: %s", cell_label(w.cell), s->name.c_str());
      plot::PlotLine(label, s->steps.data(), s->mean.data(), n, style_of(w.cell));
    }
    plot::EndPlot();
  }
  if (!relu) return;
  if (side) ImGui::SameLine(0, 8);
  if (plot::BeginPlot("Dead units (ReLU exactly off)", size)) {
    plot::SetupAxis(plot::X, "step t");
    plot::SetupAxis(plot::Y, "share of units");
    for (const WhyResult& w : r.why)
      if (!w.overflow_step && !w.saturation.empty() && w.saturation.back().name == "dead_share") {
        const StepSeries& s = w.saturation.back();
        plot::PlotLine(cell_label(w.cell), s.steps.data(), s.mean.data(),
                       static_cast<int>(s.steps.size()), style_of(w.cell));
      }
    plot::EndPlot();
  }
}

// Each step's term of dL/dW_hh as a share of the whole, against its lag k = T - t.
void draw_lag_split_view(const App& app, Widgets&, Changes&) {
  if (!why_ready(app)) return;
  const Results& r = app.results;
  for (const WhyResult& w : r.why)
    if (w.overflow_step) overflow_note(w);
  if (!plot::BeginPlot("##lags", ImGui::GetContentRegionAvail())) return;
  plot::SetupAxis(plot::X, "lag k = T - t (steps between the input and the loss)");
  const bool all_recurrent = std::all_of(app.config.cells.begin(), app.config.cells.end(),
                                         gs::has_recurrent_weights);
  const bool none_recurrent = std::none_of(app.config.cells.begin(), app.config.cells.end(),
                                           gs::has_recurrent_weights);
  plot::SetupAxis(plot::Y,
                  all_recurrent    ? "share of dL/dW_hh"
                  : none_recurrent ? "share of dL/dW_ih"
                                   : "share of dL/dW_hh (no W_hh: of dL/dW_ih)",
                  plot::Scale::Log10Exp);
  std::vector<double> lags, shares;
  for (const WhyResult& w : r.why) {
    if (w.overflow_step) continue;
    const StepSeries& s = w.lag_terms;
    lags.clear(), shares.clear();
    for (size_t i = 0; i < s.steps.size(); ++i) {
      lags.push_back(w.steps - s.steps[i]);
      shares.push_back(s.mean[i] - w.log10_total);  // log10 share
    }
    plot::PlotLine(cell_label(w.cell), lags.data(), shares.data(), static_cast<int>(lags.size()),
                   style_of(w.cell));
  }
  plot::EndPlot();
}

// The scale ticks left of the maps: the rows are a geometric grid (lo .. hi) and each row's value
// is at its centre, so a round scale v sits (log(v/lo) / log(hi/lo)) (rows - 1) + 0.5 rows up.
// Powers of 2 (0.25, 0.5, 1, 2, ...), as many as are a line of text apart.
void draw_scale_ticks(const std::vector<double>& scales, ImVec2 map_origin, float map_h) {
  const int rows = static_cast<int>(scales.size());
  const double lo = scales.front(), hi = scales.back();
  if (rows < 2 || !(lo > 0) || !(hi > lo)) return;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 color = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float font = ImGui::GetFontSize();
  const double octaves = std::log2(hi / lo), px_per_octave = map_h / rows * (rows - 1) / octaves;
  const int every = std::max(1, static_cast<int>(std::ceil(font * 1.2 / px_per_octave)));
  for (int e = static_cast<int>(std::ceil(std::log2(lo))); e <= std::log2(hi) + 1e-9; ++e) {
    if (e % every) continue;
    const double v = std::ldexp(1.0, e);
    const float row = static_cast<float>(std::log(v / lo) / std::log(hi / lo) * (rows - 1) + 0.5);
    const float y = map_origin.y + map_h - row / rows * map_h;
    char text[16];
    std::snprintf(text, sizeof text, "%g", v);
    const float w = ImGui::CalcTextSize(text).x;
    draw->AddLine(ImVec2(map_origin.x - 4, y), ImVec2(map_origin.x, y), color);
    draw->AddText(ImVec2(map_origin.x - 6 - w, y - font / 2), color, text);
  }
}

// The length ticks below a map: each column's T at its centre, or every other one (always the
// first and the last) where the labels would touch.
void draw_length_ticks(const std::vector<double>& lengths, ImVec2 map_origin, float map_w,
                       float map_h) {
  const int cols = static_cast<int>(lengths.size());
  if (cols < 1) return;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 color = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  char text[16];
  std::snprintf(text, sizeof text, "%.0f", lengths.back());
  const float widest = ImGui::CalcTextSize(text).x + 6, column_w = map_w / cols;
  const int every = std::max(1, static_cast<int>(std::ceil(widest / column_w)));
  const float y = map_origin.y + map_h;
  for (int col = 0; col < cols; ++col) {
    if (col % every && col != cols - 1) continue;
    if (col != cols - 1 && col + every > cols - 1 && (cols - 1 - col) * column_w < widest)
      continue;  // would touch the last label
    const float x = map_origin.x + (col + 0.5f) * column_w;
    std::snprintf(text, sizeof text, "%.0f", lengths[col]);
    const float w = ImGui::CalcTextSize(text).x;
    draw->AddLine(ImVec2(x, y), ImVec2(x, y + 4), color);
    draw->AddText(ImVec2(std::clamp(x - w / 2, map_origin.x, map_origin.x + map_w - w), y + 5),
                  color, text);
  }
}

// Per cell, log10 of the gradient reaching step 1 over scale (rows) x length (columns), coloured
// by the colormap shader on the shared scale of the gradient heatmaps' colour bar window; the
// edge of chaos, where the largest Lyapunov exponent crosses 0, marked on each map.
void draw_trainability_view(const App& app, Widgets&, Changes&) {
  const TrainabilityResult& t = app.results.trainability;
  if (!t.done || !results_current(app)) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "mapping scale x length %.0f%%", 100 * t.progress);
    ImGui::ProgressBar(static_cast<float>(t.progress), ImVec2(-FLT_MIN, 0), overlay);
    return;
  }
  char caption[400];
  std::snprintf(caption, sizeof caption,
                "Gradient reaching step 1 (dark: 10^-30 and below; bright: 1 and above, where it "
                "grows) by the weights' scale (rows, %.2g at the bottom to %.3g%s) and length T "
                "(columns); white: the edge of chaos.",
                t.scales.front(), t.scales.back(),
                gs::selects(app.config, gs::CellKind::Lru)
                    ? "; for the LRU its memory's scale, |lambda|^(1/scale)"
                    : "");
  text_wrapped(caption);
  std::string unmapped;  // the cells with no W_hh for the scale to multiply
  for (gs::CellKind cell : app.config.cells)
    if (!gs::scale_applies(cell))
      unmapped += std::string(unmapped.empty() ? "" : ", ") + cell_label(cell);
  if (!unmapped.empty())
    text_wrapped(("Not mapped: " + unmapped + ", which ha" +
                  (unmapped.find(',') == std::string::npos ? "s" : "ve") +
                  " no W_hh for the scale to multiply.")
                     .c_str());
  const int n = static_cast<int>(t.cells.size());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float font = ImGui::GetFontSize(), gap = 8;
  const float bar_w = 12, bar_labels = font * 3.4f;  // one colour bar for all maps, right
  const float scale_labels = ImGui::CalcTextSize("0.25").x + 8;  // the scale ticks, left
  const float map_w = std::max(
      40.0f, (avail.x - scale_labels - n * gap - bar_w - bar_labels) / std::max(1, n));
  // Each map's title, "LSTM: edge 4.5", on two lines where the map is narrower than it; the maps
  // start below the tallest title, side by side.
  std::vector<std::string> titles;
  float title_h = 0;
  for (const TrainabilityResult::Cell& c : t.cells) {
    std::string title = cell_label(c.cell);
    if (std::isfinite(c.edge_of_chaos)) {
      char edge[32];
      std::snprintf(edge, sizeof edge, "edge %.2g", c.edge_of_chaos);
      const bool fits = ImGui::CalcTextSize((title + ": " + edge).c_str()).x <= map_w;
      title += (fits ? ": " : ":\n") + std::string(edge);
    }
    title_h = std::max(title_h, ImGui::CalcTextSize(title.c_str()).y);
    titles.push_back(title);
  }
  const float map_h = std::max(40.0f, avail.y - title_h - 3 * font);
  const ImVec2 maps_top(ImGui::GetCursorScreenPos().x + scale_labels, ImGui::GetCursorScreenPos().y);
  for (int i = 0; i < n && i < static_cast<int>(app.trainability_maps.size()); ++i) {
    const TrainabilityResult::Cell& c = t.cells[i];
    const float x = maps_top.x + i * (map_w + gap);
    ImGui::SetCursorScreenPos(ImVec2(x, maps_top.y));
    ImGui::BeginGroup();
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(c.cell));
    ImGui::TextUnformatted(titles[i].c_str());
    ImGui::PopStyleColor();
    ImGui::SetCursorScreenPos(ImVec2(x, maps_top.y + title_h + ImGui::GetStyle().ItemSpacing.y));
    const Heatmap& map = app.trainability_maps[i];
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    if (map.image_tex)
      ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(map.image_tex)),
                   ImVec2(map_w, map_h), ImVec2(0, 1), ImVec2(1, 0));  // small scales at the bottom
    else
      ImGui::Dummy(ImVec2(map_w, map_h));
    const int rows = static_cast<int>(t.scales.size()), cols = static_cast<int>(t.lengths.size());
    // The edge: per length, where the exponent changes sign between two scales.
    ImDrawList* draw = ImGui::GetWindowDrawList();
    std::vector<ImVec2> edge;
    for (int col = 0; col < cols; ++col)
      for (int row = 0; row + 1 < rows; ++row) {
        const double a = c.lyapunov_max[row * cols + col], b = c.lyapunov_max[(row + 1) * cols + col];
        if (!(a < 0 && b >= 0)) continue;
        const float frac = static_cast<float>(row + 0.5 + a / (a - b));
        edge.push_back(ImVec2(origin.x + (col + 0.5f) / cols * map_w,
                              origin.y + map_h - frac / rows * map_h));
        break;
      }
    if (edge.size() > 1)
      draw->AddPolyline(edge.data(), static_cast<int>(edge.size()), IM_COL32(255, 255, 255, 230),
                        ImDrawFlags_None, 2.0f);
    if (ImGui::IsItemHovered()) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const int col = std::clamp(static_cast<int>((m.x - origin.x) / map_w * cols), 0, cols - 1);
      const int row =
          std::clamp(static_cast<int>((origin.y + map_h - m.y) / map_h * rows), 0, rows - 1);
      char value[48];
      plot::FormatValue(plot::Scale::Log10Exp, c.log10_ratio[row * cols + col], value,
                        sizeof value);
      ImGui::SetTooltip("%s, scale %.3g, T = %.0f\nreaching step 1: %s\nlargest Lyapunov "
                        "exponent %.3g per step",
                        cell_label(c.cell), t.scales[row], t.lengths[col], value,
                        c.lyapunov_max[row * cols + col]);
    }
    draw_length_ticks(t.lengths, origin, map_w, map_h);
    if (i == 0) draw_scale_ticks(t.scales, origin, map_h);
    ImGui::Dummy(ImVec2(map_w, font + 4));  // the length labels
    ImGui::EndGroup();
  }
  if (app.trainability_maps.empty()) return;
  ImGui::SetCursorScreenPos(
      ImVec2(maps_top.x + n * (map_w + gap), maps_top.y + title_h + ImGui::GetStyle().ItemSpacing.y));
  draw_colorbar(app, app.trainability_maps[0].lo, app.trainability_maps[0].hi, bar_w, map_h);
}

// The maps' textures follow the results (called with heatmaps_update, before ImGui's frame).
void trainability_maps_update(App& app) {
  const TrainabilityResult& t = app.results.trainability;
  if (app.trainability_maps_generation == app.results.trainability_generation &&
      app.trainability_maps.size() == t.cells.size())
    return;
  for (Heatmap& map : app.trainability_maps) heatmap_destroy(map);
  app.trainability_maps.clear();
  if (!t.done) return;
  app.trainability_maps_generation = app.results.trainability_generation;
  const int rows = static_cast<int>(t.scales.size()), cols = static_cast<int>(t.lengths.size());
  for (const TrainabilityResult::Cell& c : t.cells) {
    std::vector<float> values(c.log10_ratio.begin(), c.log10_ratio.end());
    for (float& v : values)
      if (std::isnan(v)) v = std::numeric_limits<float>::infinity();  // overflow: off the top
    Heatmap map;
    heatmap_set(map, values.data(), cols, rows);
    heatmap_set_range(map, -30, 0);  // 10^-30 and below: as dark as it gets
    app.trainability_maps.push_back(map);
  }
}
