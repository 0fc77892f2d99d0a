// Gradient flow heatmaps: for each selected cell, log10 |dL/dh_t[j]| for every step t (columns,
// the loss at the right) and hidden unit j (rows), coloured by shaders/colormap.frag on the GPU,
// all on one shared scale so the cells can be compared, with one colour bar.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "cell_style.h"
#include "plot.h"
#include "views.h"
#include "wrapped_text.h"

void draw_colorbar(const App& app, float lo, float hi, float width, float height) {
  const ImVec2 size(width, height);
  const ImVec2 bar = ImGui::GetCursorScreenPos();
  if (!app.colorbar.image_tex) return;
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(app.colorbar.image_tex)), size);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float font = ImGui::GetFontSize();
  // Labels at round decades: every 1, 2, 5, 10, 20, 50, ... decades, as many as fit.
  const float wanted = (hi - lo) / std::max(1.0f, size.y / (font * 2));
  int step = 1;
  for (int scale = 1; step < wanted; scale *= 10)
    for (int m : {1, 2, 5})
      if (step < wanted) step = m * scale;
  for (int e = static_cast<int>(std::floor(hi / step)) * step; e >= lo; e -= step) {
    const float y = bar.y + (hi - e) / (hi - lo) * size.y;
    draw->AddLine(ImVec2(bar.x + size.x, y), ImVec2(bar.x + size.x + 4, y), text);
    plot::DrawPowerLabel(
        draw, ImVec2(bar.x + size.x + 9, std::clamp(y - font / 2, bar.y, bar.y + size.y - font)),
        text, e);
  }
}

bool heatmaps_update(App& app) {
  const Results& c = app.results;
  if (app.heatmaps_generation != c.decay_generation) {  // new jobs: new (empty) maps
    for (CellHeatmap& h : app.heatmaps) heatmap_destroy(h.map);
    app.heatmaps.clear();
    for (const DecayResult& job : c.decay) {
      CellHeatmap h;
      h.cell = job.cell;
      app.heatmaps.push_back(h);
    }
    app.heatmaps_generation = c.decay_generation;
  }
  bool changed = false;
  for (size_t i = 0; i < app.heatmaps.size(); ++i) {
    CellHeatmap& h = app.heatmaps[i];
    const DecayResult& job = c.decay[i];
    if (h.filled || job.heat_columns.empty()) continue;
    const int H = c.config.hidden;  // a row per unit (the LRU's: its complex units' sizes)
    h.steps = job.steps;
    h.steps_per_column = job.steps_per_column;
    heatmap_set(h.map, job.heat_columns.data(), static_cast<int>(job.heat_columns.size() / H), H);
    h.filled = true;
    changed = true;
  }
  if (changed) {  // one shared window: from the smallest to the largest finite value shown
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (const CellHeatmap& h : app.heatmaps)
      for (float v : h.map.values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (lo < hi) {
      app.heat_lo = std::floor(lo);
      app.heat_hi = std::ceil(hi);
      if (app.heat_hi - app.heat_lo < 2) app.heat_lo = app.heat_hi - 2;
    }
  }
  for (CellHeatmap& h : app.heatmaps) heatmap_set_range(h.map, app.heat_lo, app.heat_hi);
  if (app.colorbar.width == 0 || app.colorbar.lo != app.heat_lo || app.colorbar.hi != app.heat_hi) {
    std::vector<float> ramp(256);
    for (int i = 0; i < 256; ++i) ramp[i] = app.heat_hi + (app.heat_lo - app.heat_hi) * i / 255.0f;
    heatmap_set(app.colorbar, ramp.data(), 1, 256);
    heatmap_set_range(app.colorbar, app.heat_lo, app.heat_hi);
  }
  bool drawn = false;
  for (CellHeatmap& h : app.heatmaps) drawn |= heatmap_render(app.colormap, h.map);
  drawn |= heatmap_render(app.colormap, app.colorbar);
  trainability_maps_update(app);
  for (Heatmap& map : app.trainability_maps) drawn |= heatmap_render(app.colormap, map);
  cliff_map_update(app);
  drawn |= heatmap_render(app.colormap, app.cliff_map);
  return drawn;
}

void draw_heatmap_view(const App& app, Widgets&, Changes&) {
  if (!app.colormap.log.empty()) {
    ImGui::TextWrapped("The colormap shader failed: %s", app.colormap.log.c_str());
    return;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped(
      "log10 |dL/dh_t[j]|: hidden units j (rows%s) by step t (columns); the loss is at the last "
      "step, on the right. Grey: exactly zero.",
      gs::selects(app.config, gs::CellKind::Lru) ? "; the LRU's are complex: their size"
                                                                : "");
  ImGui::PopStyleColor();
  if (app.heatmaps.empty()) return;
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bar_w = 14, labels_w = font * 3.4f, gap = ImGui::GetStyle().ItemSpacing.y;
  const int n = static_cast<int>(app.heatmaps.size());
  const float map_w = std::max(40.0f, avail.x - bar_w - labels_w - 12);
  // Per cell: its name, the map, and an item gap after each; one line of step labels below.
  const float map_h = std::max(12.0f, (avail.y - font - n * (font + 2 * gap)) / n);

  const ImVec2 top = ImGui::GetCursorScreenPos();
  ImGui::BeginGroup();
  for (size_t i = 0; i < app.heatmaps.size(); ++i) {
    const CellHeatmap& h = app.heatmaps[i];
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(h.cell));
    ImGui::TextUnformatted(cell_label(h.cell));
    ImGui::PopStyleColor();
    const DecayResult& result = app.results.decay[i];
    if (result.overflow_step) {  // nothing to colour: every value is beyond range
      ImGui::PushID(static_cast<int>(i));
      ImGui::BeginChild("overflow", ImVec2(map_w, map_h));
      warning_text(result.overflow + ".");
      ImGui::EndChild();
      ImGui::PopID();
      continue;
    }
    if (!h.filled || !h.map.image_tex) {
      ImGui::Dummy(ImVec2(map_w, map_h));
      continue;
    }
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(h.map.image_tex)),
                 ImVec2(map_w, map_h));
    if (ImGui::IsItemHovered()) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const int column = static_cast<int>((m.x - origin.x) / map_w * h.map.width);
      const int row = static_cast<int>((m.y - origin.y) / map_h * h.map.height);
      const float v = heatmap_value(h.map, column, row);
      if (!std::isnan(v)) {
        char value[48];
        plot::FormatValue(plot::Scale::Log10Exp, v, value, sizeof value);
        const int first = column * h.steps_per_column + 1;
        const int last = std::min(h.steps, first + h.steps_per_column - 1);
        if (first == last)
          ImGui::SetTooltip("%s, step t = %d of %d, unit %d\n|dL/dh| = %s", cell_label(h.cell),
                            first, h.steps, row, value);
        else
          ImGui::SetTooltip("%s, steps %d-%d of %d, unit %d\nlargest |dL/dh| = %s",
                            cell_label(h.cell), first, last, h.steps, row, value);
      }
    }
  }
  // The time axis, shared by the maps above.
  const int steps = gs::task_shape(app.results.config.task, app.results.config.length).steps;
  char right[48];
  std::snprintf(right, sizeof right, "step %d (loss)", steps);
  const float right_w = ImGui::CalcTextSize(right).x;
  ImGui::TextDisabled("step 1");
  ImGui::SameLine(std::max(0.0f, map_w - right_w + ImGui::GetStyle().WindowPadding.x));
  ImGui::TextDisabled("%s", right);
  ImGui::EndGroup();
  if (!app.colorbar.image_tex) return;
  ImGui::SetCursorScreenPos(ImVec2(top.x + map_w + 8, top.y + font + gap));
  draw_colorbar(app, app.heat_lo, app.heat_hi, bar_w,
                std::max(20.0f, avail.y - 2 * font - 3 * gap));
}
