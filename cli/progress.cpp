#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace gs {
namespace {

bool g_line_drawn = false;

// 75 s as "1:15", 3725 s as "1:02:05".
std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

void erase_progress_line() {
  if (!g_line_drawn) return;
  std::fputs("\r\x1b[K", stderr);  // back to the start of the line, then clear it
  std::fflush(stderr);
  g_line_drawn = false;
}

ProgressLine::ProgressLine(std::string what)
    : what_(std::move(what)),
      on_terminal_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      drawn_at_(start_) {}

ProgressLine::~ProgressLine() { erase_progress_line(); }

void ProgressLine::show(int64_t done, int64_t total) {
  if (!on_terminal_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // Quick commands draw nothing; long ones redraw a few times a second, not at every step.
  if (elapsed < 0.5 || (drawn_ && now - drawn_at_ < std::chrono::milliseconds(200))) return;
  drawn_ = true;
  drawn_at_ = now;
  const double share = static_cast<double>(done) / static_cast<double>(total);
  std::string left = "estimating the time left";
  if (share > 0.01) left = "about " + clock_text(elapsed * (1 - share) / share) + " left";
  std::fprintf(stderr, "\r\x1b[K%s: %.0f%% done, %s so far, %s", what_.c_str(), 100 * share,
               clock_text(elapsed).c_str(), left.c_str());
  std::fflush(stderr);
  g_line_drawn = true;
}

}  // namespace gs
