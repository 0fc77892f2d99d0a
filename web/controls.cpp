// The controls panel: a widget for each key whose row in the table of keys gives it a place
// (core/model/config.h, KeyControl: its group, its place in the group, its slider's range, scale and
// format), labelled with the key itself (the same word as in the URL hash and the CLI flags).
// The widget follows the key's type: a slider for a number, a combo for a name, and
// - cell: one checkbox per cell, in the cell's colour: a set (at least one), shown as the plots
//   show its lines;
// - seed: an input box with +/- buttons: a seed names a random stream, so a slider over
//   0..2^53 would mean nothing.
// Keys without a place (a list such as lengths has no slider), and any exact value, go into
// the text field, which takes key=value text as the URL hash does.
// Widgets edit a copy; the copy goes through the one parser and validator (core/model/config.cpp) like
// any other text.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bridge.h"
#include "cell_style.h"
#include "imgui.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

void tooltip_for(const gs::ConfigKey& key) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", key.help);
}

// The labels' column right of the widgets, so that they line up: as wide as the widest label of
// a control in the table.
float label_width() {
  float widest = 0;
  for (const gs::ConfigKey& key : gs::config_keys())
    if (key.control.group != gs::ControlGroup::None)
      widest = std::max(widest, ImGui::CalcTextSize(key.name).x);
  return widest + 8;
}

// The cells as checkboxes, two columns, each in its colour; the list keeps the canonical order.
bool cell_checkboxes(const gs::ConfigKey& key, gs::Config& next) {
  bool changed = false;
  const float second_column = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x * 0.5f;
  for (int i = 0; i < key.names->count; ++i) {
    const auto cell = static_cast<gs::CellKind>(i);
    bool selected = false;
    for (gs::CellKind c : next.cells) selected |= c == cell;
    if (i % 2) ImGui::SameLine(second_column);
    ImGui::PushStyleColor(ImGuiCol_CheckMark, cell_color(cell));
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(cell));
    if (ImGui::Checkbox(cell_label(cell), &selected) && (selected || next.cells.size() > 1)) {
      std::vector<gs::CellKind> cells;
      for (int k = 0; k < key.names->count; ++k) {
        const auto c = static_cast<gs::CellKind>(k);
        bool keep = false;
        for (gs::CellKind s : next.cells) keep |= s == c;
        if (c == cell) keep = selected;
        if (keep) cells.push_back(c);
      }
      next.cells = cells;
      changed = true;
    }
    ImGui::PopStyleColor(2);
    tooltip_for(key);
  }
  return changed;
}

// A number's widget: a slider, or for a logarithmic key (length, hidden, iters, lr: decades of
// range) a drag box that moves from where the value is, 1/500 of the range's decades a pixel:
// a slider jumps to wherever it is clicked, and 4 decades in 200 pixels made a small drag a
// 50-fold change. Double-click (or Ctrl+click) types a value.
bool number_widget(const gs::ConfigKey& key, ImGuiDataType type, void* value, const void* lo,
                   const void* hi, const char* format) {
  if (!key.control.log) return ImGui::SliderScalar(key.name, type, value, lo, hi, format);
  const ImGuiSliderFlags flags = ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp;
  // ImGui divides a logarithmic drag's speed by the range: this is 1/500 of it a pixel
  const float speed = static_cast<float>((key.control.max - key.control.min) / 500);
  return ImGui::DragScalar(key.name, type, value, speed, lo, hi, format, flags);
}

// One key's widget, as its row describes it. Returns whether `next` changed.
bool key_widget(const gs::ConfigKey& key, gs::Config& next) {
  if (key.type == gs::KeyType::CellList) return cell_checkboxes(key, next);
  if (key.type == gs::KeyType::IntList) return false;  // the text field
  const gs::KeyControl& control = key.control;
  ImGui::SetNextItemWidth(-label_width());
  bool changed = false;
  switch (key.type) {
    case gs::KeyType::Int: {
      int& value = *static_cast<int*>(gs::config_field(key, next));
      const int lo = static_cast<int>(control.min), hi = static_cast<int>(control.max);
      const char* format = key.range.zero && value == 0 ? key.range.zero : control.format;
      changed = number_widget(key, ImGuiDataType_S32, &value, &lo, &hi, format);
      break;
    }
    case gs::KeyType::Real: {
      double& value = *static_cast<double*>(gs::config_field(key, next));
      const char* format = key.range.zero && value == 0 ? key.range.zero : control.format;
      changed = number_widget(key, ImGuiDataType_Double, &value, &control.min, &control.max,
                              format);
      break;
    }
    case gs::KeyType::Enum: {
      const std::string now = gs::config_value_text(key, next);
      if (ImGui::BeginCombo(key.name, now.c_str())) {
        for (int i = 0; i < key.names->count; ++i)
          if (ImGui::Selectable(key.names->names[i], now == key.names->names[i]) &&
              now != key.names->names[i])
            changed = gs::set_config_value(next, key.name, key.names->names[i]).empty();
        ImGui::EndCombo();
      }
      break;
    }
    case gs::KeyType::Uint64: {
      const uint64_t one = 1;
      changed = ImGui::InputScalar(key.name, ImGuiDataType_U64, gs::config_field(key, next), &one);
      break;
    }
    case gs::KeyType::CellList:
    case gs::KeyType::IntList: break;  // above
  }
  tooltip_for(key);
  return changed;
}

// The keys of a group, in their places (the table is in to_text's order, the panel is not).
std::vector<const gs::ConfigKey*> controls_of(gs::ControlGroup group) {
  std::vector<const gs::ConfigKey*> keys;
  for (const gs::ConfigKey& key : gs::config_keys())
    if (key.control.group == group) keys.push_back(&key);
  std::stable_sort(keys.begin(), keys.end(), [](const gs::ConfigKey* a, const gs::ConfigKey* b) {
    return a->control.position < b->control.position;
  });
  return keys;
}

// A control that would change nothing (the row's shown_with: momentum with adam, r_min without
// an LRU among the cells) is hidden.
bool acts(const gs::ConfigKey& key, const gs::Config& config) {
  if (!key.control.shown_with) return true;
  const std::string condition = key.control.shown_with;  // "key=value"
  const size_t eq = condition.find('=');
  const std::string value = condition.substr(eq + 1);
  const gs::ConfigKey* other = gs::find_config_key(condition.substr(0, eq));
  if (!other) return false;
  if (other->type == gs::KeyType::CellList) {  // "cell=lru": the list holds it
    gs::CellKind cell;
    const auto& cells = config.cells;
    return gs::parse_cell_name(value, cell) &&
           std::find(cells.begin(), cells.end(), cell) != cells.end();
  }
  return gs::config_value_text(*other, config) == value;
}

// With a loaded model, the keys the file says (cell, hidden) and those that shape drawn weights
// only (init, scale, ...) are off.
bool off_with_own_model(const gs::ConfigKey& key) {
  return key.with_own_model == gs::WithOwnModel::FromFile ||
         key.with_own_model == gs::WithOwnModel::DrawsWeights;
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
}

// A changed control applies the whole configuration it shows, over the defaults.
void apply_controls(const gs::Config& next, Changes& out) {
  out.push_back([text = gs::to_text(next)](App& app) {
    apply_config(app, gs::Config(), text, ConfigSource::Controls);
  });
}

}  // namespace

// Where the last item is, in CSS pixels (for the browser tests, which click it).
void remember_item_rect(float rect[4]) {
  const ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
  rect[0] = r0.x, rect[1] = r0.y, rect[2] = r1.x - r0.x, rect[3] = r1.y - r0.y;
}

void draw_length_control(const App& app, Changes& out) {
  gs::Config next = app.config;
  if (key_widget(*gs::find_config_key("length"), next)) apply_controls(next, out);
}

void draw_controls(const App& app, Widgets& widgets, Changes& out) {
  gs::Config next = app.config;
  bool changed = false;

  // --- any keys as text, as in the URL (lengths of the sweep, exact values) ---
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::InputTextWithHint("##edit", "type key=value, e.g. length=1000&cell=lstm",
                               widgets.edit, sizeof widgets.edit,
                               ImGuiInputTextFlags_EnterReturnsTrue)) {
    out.push_back([text = std::string(widgets.edit)](App& app) {
      if (apply_config(app, app.config, text, ConfigSource::TextField).empty())
        app.widgets.edit[0] = 0;  // taken: the field is free for the next change
    });
  }
  remember_item_rect(widgets.edit_rect);
  // Below the field, so that the field stays where it is when a message comes and goes.
  if (!app.error.empty()) {  // the bad text is rejected and the last good config kept
    error_text(app.error + " (keeping the last good configuration)");
  }

  // --- sharing: the link (the hash is the whole configuration), the numbers, the picture ---
  if (ImGui::Button("Copy link")) out.push_back(copy_link);
  remember_item_rect(widgets.share_rects[0]);
  ImGui::SameLine();
  if (ImGui::Button("Download CSV")) out.push_back(download_csv);
  remember_item_rect(widgets.share_rects[1]);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the numbers behind the view in focus (%s)", view_name(app.focus));
  ImGui::SameLine();
  if (ImGui::Button("Save PNG")) out.push_back([](App& app) { app.save_png_requested = true; });
  remember_item_rect(widgets.share_rects[2]);
  // gradscope is MIT-licensed; the software it embeds has licences of its own, in one file.
  const char* licences = "Licences";
  const float licences_w = ImGui::CalcTextSize(licences).x + 2 * ImGui::GetStyle().FramePadding.x;
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < licences_w) ImGui::NewLine();
  if (ImGui::Button(licences)) bridge_open("THIRD_PARTY_NOTICES.txt");
  remember_item_rect(widgets.notices_rect);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("gradscope is MIT-licensed; the licences of Dear ImGui, SDL, Eigen, "
                      "nlohmann/json, the Inter font and Emscripten's runtime");
  if (!app.notice.empty()) ImGui::TextWrapped("%s", app.notice.c_str());

  // --- your own model, or the drawn ones ---
  draw_own_model_section(app, widgets, out);
  // A loaded model fixes the cell and the weights: the keys that draw them are off.
  const bool own = app.own_model.model != nullptr;

  // --- every key with a control, group by group, each in its place ---
  // (the curse of memory's keys only with its page, first there)
  struct Group {
    gs::ControlGroup group;
    const char* title;
  };
  std::vector<Group> groups = {{gs::ControlGroup::Cells, "cell"},
                               {gs::ControlGroup::Model, "model and sequence"},
                               {gs::ControlGroup::Training, "training"}};
  if (app.page == Page::NewCells)
    groups.insert(groups.begin(), {gs::ControlGroup::Memory, "curse of memory (this page)"});
  for (const Group& group : groups) {
    section(group.title);
    for (const gs::ConfigKey* key : controls_of(group.group)) {
      if (!acts(*key, next)) continue;
      ImGui::BeginDisabled(own && off_with_own_model(*key));
      changed |= key_widget(*key, next);
      if (std::string(key->name) == "length") remember_item_rect(widgets.length_rect);
      ImGui::EndDisabled();
    }
  }

  if (changed) apply_controls(next, out);

  section("the whole configuration (the URL hash)");
  std::string readable;  // "a=1 & b=2": lets the text wrap between pairs, not inside them
  for (char ch : app.config_text) readable += ch == '&' ? std::string(" & ") : std::string(1, ch);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  text_wrapped(readable);
  ImGui::PopStyleColor();
}
