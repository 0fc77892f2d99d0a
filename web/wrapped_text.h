// Text wrapped to the window's width, breaking lines at spaces only.
//
// ImGui::TextWrapped also breaks after '.', ',' and ';', which splits numbers: "-0.186 nats" ended
// one line with "-0." and began the next with "186", two numbers a reader would take at their
// word. Every sentence that carries a number goes through here instead.
#pragma once
#include <string>

void text_wrapped(const std::string& text);
// The height text_wrapped takes for `text` in a window `width` wide (for a layout decided before
// drawing).
float text_wrapped_height(const std::string& text, float width);

// The same in a message's colour, one each across the app: an error (an input refused, a run
// the worker refused), a warning (what a view cannot show: an overflow, an experiment the
// configuration does not fit) or a note (a caveat the numbers come with).
void error_text(const std::string& text);
void warning_text(const std::string& text);
void note_text(const std::string& text);
