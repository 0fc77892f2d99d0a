// The windows of the app, tiled to fill the canvas. Wide screens: controls and "Why" on the
// left, a bar of pages on the right and the page's four views in a 2 x 2 grid below it. Narrow
// screens (phones): the pages as buttons, one view at a time under a tab bar. A guided tour's
// step (tour.h) is shown above the views, as wide as they are (phones: above the tabs).
#include "ui.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "views.h"

namespace {

struct PageInfo {
  Page page;
  const char* label;
};
const PageInfo kPages[] = {{Page::Vanishing, "What vanishes"},
                           {Page::Why, "Why it vanishes"},
                           {Page::Remedies, "What fixes it"},
                           {Page::NewCells, "The new cells"}};

struct Tile {
  ImVec2 pos, size;
};

// Left: controls over Why. Right: the page bar, the tour's step while one is shown (as wide as
// the views, so that its paragraph reads without scrolling), and a 2 x 2 grid of the page's views.
struct Layout {
  Tile controls, why, pages, tour, views[kTilesPerPage];
};

Layout desktop_layout(const App& app, ImVec2 d) {
  Layout l;
  const float left = std::floor(std::clamp(d.x * 0.25f, 300.0f, 400.0f));
  const float controls_h = std::floor(d.y * 0.64f);
  l.controls = {ImVec2(0, 0), ImVec2(left, controls_h)};
  l.why = {ImVec2(0, controls_h), ImVec2(left, d.y - controls_h)};
  const float bar = std::floor(ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y);
  l.pages = {ImVec2(left, 0), ImVec2(d.x - left, bar)};
  const float padding = 2 * ImGui::GetStyle().WindowPadding.x;
  const float story = tour_panel_height(app, d.x - left - padding);
  // at most 40% of the height: a longer paragraph scrolls in its box
  const float tour_h =
      story > 0 ? std::floor(std::min(story + 2 * ImGui::GetStyle().WindowPadding.y, d.y * 0.4f))
                : 0;
  l.tour = {ImVec2(left, bar), ImVec2(d.x - left, tour_h)};
  const float top = bar + tour_h;
  const float w = std::floor((d.x - left) / 2), h = std::floor((d.y - top) / 2);
  l.views[0] = {ImVec2(left, top), ImVec2(w, h)};
  l.views[1] = {ImVec2(left + w, top), ImVec2(d.x - left - w, h)};
  l.views[2] = {ImVec2(left, top + h), ImVec2(w, d.y - top - h)};
  l.views[3] = {ImVec2(left + w, top + h), ImVec2(d.x - left - w, d.y - top - h)};
  return l;
}

constexpr ImGuiWindowFlags kTileFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                        ImGuiWindowFlags_NoCollapse |
                                        ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoBringToFrontOnFocus;

// A fixed tile; a click inside puts its view in focus, and the focused tile's title is lit.
bool begin_tile(const App& app, const char* title, const Tile& t, View view, Changes& out) {
  const bool focused = app.focus == view;
  ImGui::SetNextWindowPos(t.pos);
  ImGui::SetNextWindowSize(t.size);
  if (focused)
    ImGui::PushStyleColor(ImGuiCol_TitleBg, ImGui::GetStyleColorVec4(ImGuiCol_TitleBgActive));
  const bool open = ImGui::Begin(title, nullptr, kTileFlags);
  if (focused) ImGui::PopStyleColor();
  if (view != View::Controls && view != View::Why &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseClicked(0))
    out.push_back([view](App& app) { app.focus = view; });
  return open;
}

// One button per page; the page's first view takes the focus when it is picked.
void draw_page_buttons(const App& app, Widgets& widgets, Changes& out) {
  for (const PageInfo& p : kPages) {
    // on the line so far, or on the next when it would not fit (phones)
    const float w = ImGui::CalcTextSize(p.label).x + 2 * ImGui::GetStyle().FramePadding.x;
    if (&p != kPages && ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
    const bool current = app.page == p.page;
    if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(p.label) && !current) {
      const ViewRow* first = std::find_if(std::begin(kViewRows), std::end(kViewRows),
                                           [&](const ViewRow& info) { return info.page == p.page; });
      if (first != std::end(kViewRows))  // every page has views (kViewRows): always
        out.push_back([page = p.page, view = first->view](App& app) {
          app.page = page;
          app.focus = app.phone_tab = view;
        });
    }
    if (current) ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  // the tour from any page, apart from the pages; on a line of its own where they fill the
  // width (phones). While a step is shown its own box has Back, Next and End.
  const float tour_w = ImGui::CalcTextSize(kTourButton).x + 2 * ImGui::GetStyle().FramePadding.x;
  if (app.config.tour != 0) {
    ImGui::NewLine();
    std::fill(widgets.tour_button_rect, widgets.tour_button_rect + 4, 0.0f);
    return;
  }
  if (ImGui::GetContentRegionAvail().x > tour_w + ImGui::GetFontSize()) {
    ImGui::Dummy(ImVec2(ImGui::GetFontSize() * 0.5f, 0));
    ImGui::SameLine();
  } else {
    ImGui::NewLine();
  }
  draw_tour_button(app, out);
  remember_item_rect(widgets.tour_button_rect);
}

void draw_desktop(const App& app, const Layout& l, Widgets& widgets, Changes& out) {
  if (begin_tile(app, "gradscope: watch the gradient vanish", l.controls, View::Controls, out))
    draw_controls(app, widgets, out);
  ImGui::End();
  if (begin_tile(app, "Why", l.why, View::Why, out)) draw_why_view(app, widgets, out);
  ImGui::End();
  ImGui::SetNextWindowPos(l.pages.pos);
  ImGui::SetNextWindowSize(l.pages.size);
  if (ImGui::Begin("##pages", nullptr, kTileFlags | ImGuiWindowFlags_NoTitleBar))
    draw_page_buttons(app, widgets, out);
  ImGui::End();
  const float tour_rect[4] = {l.tour.pos.x, l.tour.pos.y, l.tour.size.x, l.tour.size.y};
  std::copy(tour_rect, tour_rect + 4, widgets.tour_rect);
  if (l.tour.size.y > 0) {  // the tour's step, while one is shown
    ImGui::SetNextWindowPos(l.tour.pos);
    ImGui::SetNextWindowSize(l.tour.size);
    if (ImGui::Begin("##tour", nullptr, kTileFlags | ImGuiWindowFlags_NoTitleBar))
      draw_tour_panel(app, out);
    ImGui::End();
  }
  int tile = 0;
  for (const ViewRow& info : kViewRows) {
    if (info.page != app.page) continue;  // at most kTilesPerPage (views.h)
    if (begin_tile(app, info.title, l.views[tile++], info.view, out))
      info.draw(app, widgets, out);
    ImGui::End();
  }
}

void draw_phone(const App& app, ImVec2 d, Widgets& widgets, Changes& out) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(d);
  ImGui::Begin("gradscope", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  draw_page_buttons(app, widgets, out);
  // the tour's step above the tabs: its place for the browser tests, from where it starts to
  // where the tabs start
  const ImVec2 tour_top = ImGui::GetCursorScreenPos();
  draw_tour_panel(app, out);
  const float tour_h = app.config.tour ? ImGui::GetCursorScreenPos().y - tour_top.y : 0;
  const float tour_rect[4] = {tour_top.x, tour_top.y, ImGui::GetContentRegionAvail().x, tour_h};
  std::copy(tour_rect, tour_rect + 4, widgets.tour_rect);
  struct Tab {
    const char* label;
    View view;
    void (*draw)(const App&, Widgets&, Changes&);
  };
  std::vector<Tab> tabs;
  for (const ViewRow& info : kViewRows)
    if (info.page == app.page) tabs.push_back({info.tab, info.view, info.draw});
  tabs.push_back({"Why", View::Why, draw_why_view});
  tabs.push_back({"Setup", View::Controls, draw_controls});
  if (ImGui::BeginTabBar("views", ImGuiTabBarFlags_FittingPolicyResizeDown)) {
    for (const Tab& tab : tabs) {
      // a view put in focus from outside (a tour step, a preset, focus()) is brought forward once
      const ImGuiTabItemFlags flags =
          app.phone_select_pending && app.phone_select == tab.view ? ImGuiTabItemFlags_SetSelected
                                                                   : 0;
      if (!ImGui::BeginTabItem(tab.label, nullptr, flags)) continue;
      const bool plot = tab.view != View::Controls && tab.view != View::Why;
      if (app.phone_tab != tab.view || (plot && app.focus != tab.view))
        out.push_back([view = tab.view, plot](App& app) {
          app.phone_tab = view;
          if (plot) app.focus = view;
        });
      ImGui::BeginChild(tab.label);
      if (tab.view == View::Decay || tab.view == View::Sweep) draw_length_control(app, out);
      if (tab.view != View::Controls) draw_own_model_line(app);  // which model, on every tab
      tab.draw(app, widgets, out);
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  // Brought forward: from now on the reader's taps decide. First in the queue, so that a view
  // put in focus by a change of this frame (a preset, a tour step) is brought forward next frame.
  if (app.phone_select_pending)
    out.insert(out.begin(), [](App& app) { app.phone_select_pending = false; });
  ImGui::End();
}

}  // namespace

const ViewRow* view_row(View view) {
  for (const ViewRow& row : kViewRows)
    if (row.view == view) return &row;
  return nullptr;
}

const char* view_name(View view) {
  if (const ViewRow* info = view_row(view)) return info->name;
  return view == View::Why ? "why" : view == View::Controls ? "controls" : "?";
}

bool view_from_name(const std::string& name, View& view) {
  for (const ViewRow& info : kViewRows)
    if (name == info.name) {
      view = info.view;
      return true;
    }
  if (name == "why") view = View::Why;
  return name == "why";
}

Page page_of(View view) {
  const ViewRow* info = view_row(view);
  return info ? info->page : Page::Vanishing;
}

void draw_ui(const App& app, Widgets& widgets, Changes& changes) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  if (app.phone)
    draw_phone(app, display, widgets, changes);
  else
    draw_desktop(app, desktop_layout(app, display), widgets, changes);
}
