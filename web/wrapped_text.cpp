#include "wrapped_text.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "imgui.h"

namespace {

using Line = std::pair<const char*, const char*>;

// One paragraph (no '\n'): as many whole words per line as fit in `width`; a word wider than the
// line gets a line of its own, clipped like any other overlong text.
void wrap_paragraph(const char* begin, const char* end, float width, std::vector<Line>& lines) {
  const char* line = begin;
  if (begin == end) lines.push_back({begin, end});  // an empty line between paragraphs
  while (line < end) {
    const char* fits = nullptr;  // the end of the longest run of words that fits
    for (const char* word = line; word < end;) {
      const char* word_end = std::find(word, end, ' ');
      if (fits && ImGui::CalcTextSize(line, word_end).x > width) break;
      fits = word_end;
      word = word_end + 1;
    }
    lines.push_back({line, fits});
    line = fits;
    while (line < end && *line == ' ') ++line;
  }
}

std::vector<Line> wrapped_lines(const std::string& text, float width) {
  std::vector<Line> lines;
  const char* p = text.data();
  const char* const end = p + text.size();
  for (;;) {
    const char* paragraph_end = std::find(p, end, '\n');
    wrap_paragraph(p, paragraph_end, width, lines);
    if (paragraph_end == end) break;
    p = paragraph_end + 1;
  }
  return lines;
}

}  // namespace

float text_wrapped_height(const std::string& text, float width) {
  const size_t lines = wrapped_lines(text, width).size();
  return lines * ImGui::GetTextLineHeight() + ImGui::GetStyle().ItemSpacing.y;
}

void text_wrapped(const std::string& text) {
  const std::vector<Line> lines = wrapped_lines(text, ImGui::GetContentRegionAvail().x);
  // Lines of one text sit as close as ImGui::TextWrapped's; the usual spacing follows the last.
  const ImVec2 spacing = ImGui::GetStyle().ItemSpacing;
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing.x, 0));
  for (size_t i = 0; i + 1 < lines.size(); ++i) ImGui::TextUnformatted(lines[i].first, lines[i].second);
  ImGui::PopStyleVar();
  ImGui::TextUnformatted(lines.back().first, lines.back().second);
}

namespace {
void colored_text(ImU32 color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  text_wrapped(text);
  ImGui::PopStyleColor();
}
}  // namespace

void error_text(const std::string& text) { colored_text(IM_COL32(255, 110, 90, 255), text); }
void warning_text(const std::string& text) { colored_text(IM_COL32(255, 160, 90, 255), text); }
void note_text(const std::string& text) { colored_text(IM_COL32(240, 200, 90, 255), text); }
