// The windows of the app, tiled to fill the canvas. Wide screens: controls and "Why" on the
// left, the four views in a 2 x 2 grid on the right. Narrow screens (phones): one view at a
// time under a tab bar.
#include "ui.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "own_model_ui.h"
#include "views.h"

const char* view_name(View view) {
  switch (view) {
    case View::Decay: return "decay";
    case View::Sweep: return "sweep";
    case View::Heatmap: return "heatmap";
    case View::Training: return "training";
    case View::Why: return "why";
    case View::Controls: return "controls";
  }
  return "?";
}

namespace {

struct Tile {
  ImVec2 pos, size;
};

struct Layout {
  Tile controls, why, decay, sweep, heatmap, training;
};

Layout desktop_layout(ImVec2 d) {
  Layout l;
  const float left = std::floor(std::clamp(d.x * 0.25f, 300.0f, 400.0f));
  const float controls_h = std::floor(d.y * 0.64f);
  l.controls = {ImVec2(0, 0), ImVec2(left, controls_h)};
  l.why = {ImVec2(0, controls_h), ImVec2(left, d.y - controls_h)};
  const float w = std::floor((d.x - left) / 2), h = std::floor(d.y / 2);
  l.decay = {ImVec2(left, 0), ImVec2(w, h)};
  l.sweep = {ImVec2(left + w, 0), ImVec2(d.x - left - w, h)};
  l.heatmap = {ImVec2(left, h), ImVec2(w, d.y - h)};
  l.training = {ImVec2(left + w, h), ImVec2(d.x - left - w, d.y - h)};
  return l;
}

// A fixed tile; a click inside puts its view in focus, and the focused tile's title is lit.
bool begin_tile(App& app, const char* title, const Tile& t, View view) {
  const bool focused = app.focus == view;
  ImGui::SetNextWindowPos(t.pos);
  ImGui::SetNextWindowSize(t.size);
  if (focused)
    ImGui::PushStyleColor(ImGuiCol_TitleBg, ImGui::GetStyleColorVec4(ImGuiCol_TitleBgActive));
  const bool open = ImGui::Begin(
      title, nullptr,
      ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
          ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  if (focused) ImGui::PopStyleColor();
  if (view != View::Controls && view != View::Why &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseClicked(0))
    app.focus = view;
  return open;
}

void draw_view(App& app, View view) {
  switch (view) {
    case View::Decay: draw_decay_view(app); break;
    case View::Sweep: draw_sweep_view(app); break;
    case View::Heatmap: draw_heatmap_view(app); break;
    case View::Training: draw_training_view(app); break;
    case View::Why: draw_why_view(app); break;
    case View::Controls: draw_controls(app); break;
  }
}

void draw_desktop(App& app, const Layout& l) {
  if (begin_tile(app, "gradscope: watch the gradient vanish", l.controls, View::Controls))
    draw_controls(app);
  ImGui::End();
  if (begin_tile(app, "Why", l.why, View::Why)) draw_why_view(app);
  ImGui::End();
  if (begin_tile(app, "Gradient through time: loss at the last step", l.decay, View::Decay))
    draw_decay_view(app);
  ImGui::End();
  if (begin_tile(app, "As the sequence grows: gradient reaching step 1", l.sweep, View::Sweep))
    draw_sweep_view(app);
  ImGui::End();
  if (begin_tile(app, "Gradient flow heatmap", l.heatmap, View::Heatmap)) draw_heatmap_view(app);
  ImGui::End();
  if (begin_tile(app, "Training on a long-range task", l.training, View::Training))
    draw_training_view(app);
  ImGui::End();
}

void draw_phone(App& app, ImVec2 d) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(d);
  ImGui::Begin("gradscope", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  struct Tab {
    const char* label;
    View view;
  };
  const Tab tabs[] = {{"Decay", View::Decay}, {"Length", View::Sweep},
                      {"Map", View::Heatmap}, {"Train", View::Training},
                      {"Why", View::Why},     {"Setup", View::Controls}};
  if (ImGui::BeginTabBar("views", ImGuiTabBarFlags_FittingPolicyResizeDown)) {
    for (const Tab& tab : tabs) {
      if (!ImGui::BeginTabItem(tab.label)) continue;
      app.phone_tab = tab.view;
      if (tab.view != View::Controls && tab.view != View::Why) app.focus = tab.view;
      ImGui::BeginChild(tab.label);
      if (tab.view == View::Decay || tab.view == View::Sweep) draw_length_control(app);
      if (tab.view != View::Controls) draw_own_model_line(app);  // which model, on every tab
      draw_view(app, tab.view);
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace

void draw_ui(App& app) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  app.phone = display.x < 760;
  if (app.phone)
    draw_phone(app, display);
  else
    draw_desktop(app, desktop_layout(display));
}
