// "Why" for the "what fixes it" page: what the critical experiment, the cliff, truncation and the
// presets show, written from the results the views draw (never numbers in the text).
#include <algorithm>
#include <cmath>

#include "cell_style.h"
#include "text.h"
#include "tour.h"
#include "views.h"

namespace {

std::string explain_critical(const App& app) {
  const Results& r = app.results;
  const CriticalResult& c = r.critical;
  const gs::Config& config = r.config;
  if (!c.error.empty()) return "The page cannot run this experiment: " + c.error + ".";
  std::string text = format(
      "Each selected cell is trained on the %s task at every length of lengths= with %d seed%s and "
      "the same budget (%d iterations, batch %d, %s lr %g, clip %g). A run is solved when its "
      "final loss (mean of its last 10%% of iterations) is below %g x the chance loss. A cell's "
      "critical length is the longest length that at least half of the seeds solve: the length "
      "it can learn with this budget.\n\n",
      gs::task_name(config.task), config.seeds, config.seeds == 1 ? "" : "s", config.iters,
      config.batch,
      gs::optimizer_name(config.optimizer), config.lr, config.clip, config.solve_threshold);
  if (c.runs.empty())
    return text + format("Press Run: %d runs, trained in the worker one after another (Stop "
                         "pauses). Defaults sets the experiment's own: %s.",
                         c.runs_total, gs::kCriticalDefaults);
  text += format("%d of %d runs done in %.0f s%s.\n\n", static_cast<int>(c.runs.size()),
                 c.runs_total, c.elapsed_ms / 1000, c.done ? "" : " so far");
  for (const gs::CriticalCell& cell : c.cells) {
    std::string shares;
    for (const gs::CriticalShare& s : cell.shares)
      if (s.done) shares += format("%sT=%d %d/%d", shares.empty() ? "" : ", ", s.length, s.solved, s.done);
    text += format("%s: %s (solved: %s).\n", cell_label(cell.cell),
                   cell.critical_length ? format("critical length %d", cell.critical_length).c_str()
                                        : "no length solved by half of the seeds",
                   shares.empty() ? "none done yet" : shares.c_str());
  }
  int diverged = 0;
  for (const gs::CriticalRun& run : c.runs) diverged += run.diverged_at != 0;
  if (diverged) text += format("%d run(s) diverged and count as not solved.\n", diverged);
  return text + "\nA cell whose gradient vanishes over T steps gets no signal about the early "
                "inputs the task needs, so its share falls to 0 as T grows; the gated cells keep "
                "a path open and learn longer lengths.";
}

std::string explain_cliff(const App& app) {
  const CliffResult& c = app.results.cliff;
  if (!c.done) return "Computing the loss surface...";
  double lo = INFINITY, hi = 0, steepest = 0;
  for (size_t k = 0; k < c.loss.size(); ++k) {
    if (std::isfinite(c.loss[k])) lo = std::min(lo, c.loss[k]), hi = std::max(hi, c.loss[k]);
    steepest = std::max(steepest, std::hypot(c.grad_w[k], c.grad_b[k]));  // inf stays inf
  }
  std::string text = format(
      "Pascanu, Mikolov & Bengio (2013), Fig. 6: the one-unit RNN x_t = w sigmoid(x_{t-1}) + b, "
      "x_0 = 0.5, loss (sigmoid(x_50) - 0.7)^2. Over this grid the loss goes from %.2g to %.2g. "
      "Where the map of x_t switches from one fixed point to two, a tiny change of (w, b) moves "
      "x_50 across: a wall in the surface, where the gradient reaches %s (log10 |gradient| shows "
      "it).\n\n",
      lo, hi, std::isfinite(steepest) ? format("%.3g", steepest).c_str() : "overflow");
  if (c.plain.w.empty()) return text;
  int clipped = 0;
  for (uint8_t k : c.clipped.clipped) clipped += k;
  double jump = 0;  // the plain path's longest step
  for (size_t i = 1; i < c.plain.w.size(); ++i)
    jump = std::max(jump, std::hypot(c.plain.w[i] - c.plain.w[i - 1], c.plain.b[i] - c.plain.b[i - 1]));
  text += format(
      "From (%.3g, %.3g), %d steps of gradient descent at lr %g: without clipping the longest "
      "step is %s in (w, b)%s. Clipped to norm %g, %d of its steps were scaled down and it "
      "ends at loss %.2g: the direction is kept and the step capped, so hitting the wall no "
      "longer throws the weights away.",
      c.start_w, c.start_b, kCliffIterations, kCliffLr,
      std::isfinite(jump) ? format("%.3g", jump).c_str() : "overflow",
      c.plain.off_step ? format(", and it is thrown off the map at step %d", c.plain.off_step).c_str()
                       : format(" and it ends at loss %.2g", c.plain.loss.back()).c_str(),
      kCliffClip, clipped, c.clipped.loss.back());
  return text;
}

std::string explain_truncation(const App& app) {
  const TruncationResult& t = app.results.truncation;
  const gs::Config& config = app.results.config;
  if (!t.error.empty()) return t.error;
  const int T = gs::task_shape(config.task, config.length).steps;
  std::string text = format(
      "Truncated BPTT carries each loss's gradient back at most k steps (truncate=k; 0 = all). "
      "Here, on training's first minibatch at T = %d, the cosine between the truncated gradient "
      "of every weight and the full one, for k = 1..%d:\n\n",
      T, T);
  for (const TruncationResult::Cell& c : t.cells) {
    if (!c.done) {
      text += format("%s: computing...\n", cell_label(c.cell));
      continue;
    }
    const auto at = [&](int k) { return c.cosine[std::clamp(k, 1, static_cast<int>(c.cosine.size())) - 1]; };
    int k99 = 0;  // the smallest k from which on the cosine stays above 0.99
    for (int k = static_cast<int>(c.cosine.size()); k >= 1 && at(k) > 0.99; --k) k99 = k;
    text += format("%s: cosine %s at k = 1, %s at k = %d", cell_label(c.cell),
                   std::isfinite(at(1)) ? format("%.4f", at(1)).c_str() : "overflow",
                   std::isfinite(at(T / 4)) ? format("%.4f", at(T / 4)).c_str() : "overflow",
                   std::max(1, T / 4));
    if (config.truncate > 0)
      text += format(", %s at truncate=%d", format("%.4f", at(config.truncate)).c_str(),
                     config.truncate);
    text += k99 ? format("; above 0.99 from k = %d.\n", k99) : "; never above 0.99.\n";
  }
  return text + "\nWhere the full gradient vanishes with the lag, the old lags add almost "
                "nothing and truncation changes little, which is also why it cannot help: a task "
                "whose answer lies further back than k steps gets no gradient from it at all. "
                "Train with truncate= below the task's lag to see it fail.";
}

std::string explain_presets(const App& app) {
  (void)app;
  std::string text =
      "Each preset is a link: it sets a configuration over the defaults, shows its view and, for "
      "training, presses Play; the hash in the address bar is the link to share.\n\n";
  int count = 0;
  const Preset* list = presets(count);
  for (int i = 0; i < count; ++i) {
    text += format("%s (%s): #%s\n", list[i].name, list[i].source,
                   *list[i].config ? list[i].config : "(the cliff needs no keys)");
    text += format("  Does it reproduce? %s. Measured: %s. Natively: %s\n", list[i].verdict,
                   list[i].measured, preset_command(list[i]).c_str());
  }
  text +=
      "\nThe guided tour (tour=1..11) tells the story in the order of a course; each step's "
      "paragraph is written from the numbers computed now:";
  for (int n = 1; n <= gs::kTourSteps; ++n) text += format(" %d. %s.", n, tour_step(n)->title);
  return text;
}

}  // namespace

// The experiment draws its models from the configuration (every run its own seed), so a loaded
// model of your own is not what it shows. (The truncation probe starts from it, as training.)
const char kDrawnNote[] =
    "\n\n(Drawn models from the configuration, one per seed: your own model is not used here.)";

std::string why_critical(const App& app) {
  if (!results_current(app)) return "Computing...";
  return explain_critical(app) + (app.own_model.model ? kDrawnNote : "");
}

std::string why_cliff(const App& app) {
  return results_current(app) ? explain_cliff(app) : "Computing...";
}

std::string why_truncation(const App& app) {
  return results_current(app) ? explain_truncation(app) : "Computing...";
}

std::string why_presets(const App& app) {
  return results_current(app) ? explain_presets(app) : "Computing...";
}
