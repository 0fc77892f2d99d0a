#include "ui.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "imgui.h"
#include "plot.h"

namespace {

// ------------------------------------------------------------------------------------------------
// Layout: fixed tiles that fill the canvas. Wide screens: panel left, views right; narrow
// (phones): panel, plots and heatmap stacked.
// ------------------------------------------------------------------------------------------------

struct Tile {
  ImVec2 pos, size;
};

struct Layout {
  Tile panel, plots, heatmap;
};

Layout layout_for(ImVec2 d) {
  Layout l;
  if (d.x >= 760) {
    const float pw = std::clamp(d.x * 0.27f, 300.0f, 420.0f);
    const float ph = std::floor(d.y * 0.56f);
    l.panel = {ImVec2(0, 0), ImVec2(pw, d.y)};
    l.plots = {ImVec2(pw, 0), ImVec2(d.x - pw, ph)};
    l.heatmap = {ImVec2(pw, ph), ImVec2(d.x - pw, d.y - ph)};
  } else {
    const float h0 = std::floor(d.y * 0.30f), h1 = std::floor(d.y * 0.42f);
    l.panel = {ImVec2(0, 0), ImVec2(d.x, h0)};
    l.plots = {ImVec2(0, h0), ImVec2(d.x, h1)};
    l.heatmap = {ImVec2(0, h0 + h1), ImVec2(d.x, d.y - h0 - h1)};
  }
  return l;
}

bool begin_tile(const char* name, const Tile& t) {
  ImGui::SetNextWindowPos(t.pos);
  ImGui::SetNextWindowSize(t.size);
  return ImGui::Begin(name, nullptr,
                      ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                          ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
}

// ------------------------------------------------------------------------------------------------
// Configuration panel
// ------------------------------------------------------------------------------------------------

const char* help_for(const std::string& key) {
  for (const gs::ConfigKey& k : gs::config_keys()) {
    if (key == k.name) return k.help;
  }
  return nullptr;
}

void draw_panel(App& app) {
  ImGui::TextWrapped(
      "Watch the gradient vanish: how much of the loss's gradient reaches each earlier step of a "
      "recurrent network under backpropagation through time.");

  if (!app.error.empty()) {  // one line, red: the bad text is rejected, the last good config kept
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 110, 90, 255));
    ImGui::TextWrapped("%s (keeping the last good configuration)", app.error.c_str());
    ImGui::PopStyleColor();
  }

  ImGui::Separator();
  ImGui::TextUnformatted("Configuration (also in the URL)");
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::InputTextWithHint("##edit", "key=value, e.g. cell=lstm&hidden=64", app.edit,
                               sizeof app.edit, ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (apply_config(app, app.config, app.edit, "Configuration", true).empty()) app.edit[0] = 0;
  }
  const ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
  app.edit_rect[0] = r0.x, app.edit_rect[1] = r0.y;
  app.edit_rect[2] = r1.x - r0.x, app.edit_rect[3] = r1.y - r0.y;

  if (ImGui::BeginTable(
          "config", 2,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY,
          ImVec2(0, -ImGui::GetFrameHeightWithSpacing()))) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    size_t start = 0;
    const std::string& text = app.config_text;
    while (start < text.size()) {
      size_t end = text.find('&', start);
      if (end == std::string::npos) end = text.size();
      const std::string pair = text.substr(start, end - start);
      start = end + 1;
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = pair.substr(0, eq);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(key.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(pair.c_str() + eq + 1);
      const char* help = help_for(key);
      if (help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
    }
    ImGui::EndTable();
  }
}

// ------------------------------------------------------------------------------------------------
// Decay plots
// ------------------------------------------------------------------------------------------------

void draw_decay(App& app) {
  const DecayPattern& p = app.pattern;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool side = avail.x >= 1.6f * avail.y;
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const ImVec2 size = side ? ImVec2(std::floor((avail.x - 8) / 2), avail.y)
                           : ImVec2(avail.x, std::floor((avail.y - gap) / 2));
  char label[32];

  if (plot::BeginPlot("Gradient through time", size)) {
    plot::SetupAxis(plot::X, "steps back from the loss, k");
    plot::SetupAxis(plot::Y, "|dL/dh(T-k)|", plot::Scale::Log10Exp);
    for (size_t i = 0; i < p.rates.size(); ++i) {
      std::snprintf(label, sizeof label, "a = %.2f", p.rates[i]);
      plot::PlotLine(label, p.lags.data(), p.log10s[i].data(), static_cast<int>(p.lags.size()));
    }
    plot::EndPlot();
  }
  if (side) ImGui::SameLine(0, 8);
  if (plot::BeginPlot("As the sequence grows", size)) {
    plot::SetupAxis(plot::X, "sequence length T", plot::Scale::Log10);
    plot::SetupAxis(plot::Y, "gradient at step 1", plot::Scale::Log10Exp);
    for (size_t i = 0; i < p.rates.size(); ++i) {
      std::snprintf(label, sizeof label, "a = %.2f", p.rates[i]);
      plot::PlotLine(label, p.lengths.data(), p.reach[i].data(),
                     static_cast<int>(p.lengths.size()));
    }
    plot::LineStyle current;
    current.color = IM_COL32(255, 255, 255, 140);
    current.weight = 1.5f;
    current.dashed = true;
    plot::PlotVLine("current length", app.config.length, current);
    plot::EndPlot();
  }
}

// ------------------------------------------------------------------------------------------------
// Heatmap with its colour bar
// ------------------------------------------------------------------------------------------------

void draw_power_label(ImDrawList* dl, ImVec2 pos, ImU32 col, int exponent) {
  const float font = ImGui::GetFontSize();
  char sup[16];
  std::snprintf(sup, sizeof sup, "%d", exponent);
  dl->AddText(pos, col, "10");
  dl->AddText(ImGui::GetFont(), font * 0.72f,
              ImVec2(pos.x + ImGui::CalcTextSize("10").x + 1, pos.y - font * 0.28f), col, sup);
}

void draw_heatmap(App& app) {
  const Heatmap& map = app.heatmap;
  if (!app.colormap.log.empty()) {
    ImGui::TextWrapped("The colormap shader failed: %s", app.colormap.log.c_str());
    return;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("|dL/dh| per unit (rows) and time step (columns), loss at the last step");
  ImGui::PopStyleColor();
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bar_w = 14, labels_w = font * 3.2f;
  const ImVec2 size(std::max(40.0f, avail.x - bar_w - labels_w - 12), std::max(20.0f, avail.y - 4));
  if (!map.image_tex || !app.colorbar.image_tex) return;

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(map.image_tex)), size);
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int col = static_cast<int>((m.x - origin.x) / size.x * map.width);
    const int row = static_cast<int>((m.y - origin.y) / size.y * map.height);
    const float v = heatmap_value(map, col, row);
    if (!std::isnan(v)) {
      char value[48];
      plot::FormatValue(plot::Scale::Log10Exp, v, value, sizeof value);
      ImGui::SetTooltip("step t = %d of %d, unit %d\n|dL/dh| = %s  (log10 %.2f)", col + 1,
                        map.width, row, value, v);
    }
  }

  // Colour bar: the 1 x 256 ramp rendered by the same shader, hi at the top.
  ImGui::SameLine(0, 8);
  const ImVec2 bar = ImGui::GetCursorScreenPos();
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(app.colorbar.image_tex)),
               ImVec2(bar_w, size.y));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float lo = app.colorbar.lo, hi = app.colorbar.hi;
  const int step =
      std::max(1, static_cast<int>(std::ceil((hi - lo) / std::max(1.0f, size.y / (font * 2)))));
  for (int e = static_cast<int>(std::floor(hi)); e >= lo; e -= step) {
    const float y = bar.y + (hi - e) / (hi - lo) * size.y;
    dl->AddLine(ImVec2(bar.x + bar_w, y), ImVec2(bar.x + bar_w + 4, y), text);
    draw_power_label(
        dl, ImVec2(bar.x + bar_w + 6, std::clamp(y - font / 2, bar.y, bar.y + size.y - font)), text,
        e);
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------------

void views_init(App& app) {
  DecayPattern& p = app.pattern;
  p.rates = {0.90, 0.97, 0.99, 1.00};
  for (int k = 0; k <= 300; ++k) p.lags.push_back(k);
  for (double T = 10; T <= 3000 * 1.0001; T *= std::pow(10.0, 0.05))
    p.lengths.push_back(std::round(T));
  for (double a : p.rates) {
    std::vector<double> curve, reach;
    for (double k : p.lags) curve.push_back(k * std::log10(a));
    for (double T : p.lengths) reach.push_back((T - 1) * std::log10(a));
    p.log10s.push_back(curve);
    p.reach.push_back(reach);
  }

  // Heatmap test pattern: 48 units with rates a_u from 0.80 to 1.00, 160 steps, loss at the last;
  // a small ripple marks the time direction.
  const int T = 160, H = 48;
  std::vector<float> values(static_cast<size_t>(T) * H);
  for (int u = 0; u < H; ++u) {
    const double a = 0.80 + 0.20 * u / (H - 1);
    for (int t = 0; t < T; ++t) {
      values[static_cast<size_t>(u) * T + t] =
          static_cast<float>((T - 1 - t) * std::log10(a) + 0.15 * std::sin(0.35 * t + 0.7 * u));
    }
  }
  heatmap_set(app.heatmap, values.data(), T, H);
  heatmap_set_range(app.heatmap, -16, 0);

  std::vector<float> ramp(256);
  for (int i = 0; i < 256; ++i) ramp[i] = 0.0f + (-16.0f - 0.0f) * i / 255.0f;
  heatmap_set(app.colorbar, ramp.data(), 1, 256);
  heatmap_set_range(app.colorbar, -16, 0);
}

void views_render_gpu(App& app) {
  heatmap_render(app.colormap, app.heatmap);
  heatmap_render(app.colormap, app.colorbar);
}

void draw_ui(App& app) {
  const Layout l = layout_for(ImGui::GetIO().DisplaySize);
  if (begin_tile("gradscope", l.panel)) draw_panel(app);
  ImGui::End();
  // Until the views show core's numbers, their titles say what they show instead.
  if (begin_tile("Gradient decay: closed-form test pattern, |dL/dh(T-k)| = a^k", l.plots)) {
    draw_decay(app);
  }
  ImGui::End();
  if (begin_tile("Gradient flow heatmap: test pattern, a from 0.80 (top) to 1.00", l.heatmap)) {
    draw_heatmap(app);
  }
  ImGui::End();

  // Status line in the panel's corner: frame time and the drawing surface.
  ImDrawList* fg = ImGui::GetForegroundDrawList();
  char status[128];
  std::snprintf(status, sizeof status, "%.1f ms work, %.0f ms frame  dpr %.2g  %s", app.work_ms,
                app.frame_ms, app.font_dpr, app.webgl2 ? "WebGL2" : "no WebGL2");
  const ImVec2 ts = ImGui::CalcTextSize(status);
  fg->AddText(
      ImVec2(l.panel.pos.x + l.panel.size.x - ts.x - 8, l.panel.pos.y + l.panel.size.y - ts.y - 6),
      ImGui::GetColorU32(ImGuiCol_TextDisabled), status);
}
