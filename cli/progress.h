// One progress line on stderr for the commands that can run for minutes (critical,
// trainability, train, long sweeps): what is done of the total, the time so far and an estimate
// of the time left, redrawn in place. Only when stderr is a terminal: piped or redirected, the
// command prints exactly what it printed before, so scripts and shards see no change.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gs {

// The work between two looks at the clock: time steps of a probe or of training (a few ms).
inline constexpr int kStepsBetweenProgress = 1 << 14;

class ProgressLine {
 public:
  explicit ProgressLine(std::string what);  // "critical", "train lstm", ...
  ~ProgressLine();                          // erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `done` of `total` units of work (steps or iterations: only their ratio is shown).
  void show(int64_t done, int64_t total);

 private:
  std::string what_;
  bool on_terminal_;
  std::chrono::steady_clock::time_point start_, drawn_at_;
  bool drawn_ = false;
};

// Erases the progress line on the terminal, if one is drawn (before an error message).
void erase_progress_line();

}  // namespace gs
