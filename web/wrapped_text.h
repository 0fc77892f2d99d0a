// Text wrapped to the window's width, breaking lines at spaces only.
//
// ImGui::TextWrapped also breaks after '.', ',' and ';', which splits numbers: "-0.186 nats" ended
// one line with "-0." and began the next with "186", two numbers a reader would take at their
// word. Every sentence that carries a number goes through here instead.
#pragma once
#include <string>

void text_wrapped(const std::string& text);
