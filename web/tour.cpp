#include "tour.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "bridge.h"
#include "cell_style.h"
#include "training/critical.h"
#include "imgui.h"
#include "text.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

// Pascanu et al.'s exploding run (README, "Exploding gradients and clipping"), and the same with
// clipping. Seed 1: the model whose run the README follows (not every seed's run diverges at this
// budget: seed 2's does not).
const char kExplodingPreset[] =
    "cell=rnn-tanh&scale=2&optimizer=sgd&lr=0.1&momentum=0&length=10&clip=0&seed=1";
const char kExplodingClippedPreset[] =
    "cell=rnn-tanh&scale=2&optimizer=sgd&lr=0.1&momentum=0&length=10&clip=1&seed=1";

// The order a course tells the story in: BPTT's product, the tanh RNN's geometric decay, the
// length, ReLU, clipping, the LSTM's cell path, the GRU, what still fails; then today's answer:
// the diagonal recurrence, its eigenvalues on the circle, and the curse of memory.
const TourStep kSteps[gs::kTourSteps] = {
    {"BPTT: a product of Jacobians", "", View::Decay, false, "", ""},
    {"The tanh RNN's geometric decay", "cell=rnn-tanh&length=200", View::Saturation, false, "", ""},
    {"The longer, the less arrives", "lengths=10,30,100,300,1000", View::Sweep, false, "", ""},
    {"ReLU: exploding and dead units", "cell=rnn-relu&init=identity&scale=1.1&length=100",
     View::Decay, false, "identity, scale 1", "scale=1"},
    {"Clipping the exploding gradient", kExplodingPreset, View::Training, true, "clip=1", "clip=1"},
    {"The LSTM's additive cell path", "cell=rnn-tanh,lstm&length=200", View::Decay, false,
     "forget_bias=5", "forget_bias=5"},
    {"The GRU: training opens its gates", "", View::Training, true, "", ""},
    {"Still failing: copy memory", "cell=lstm,gru&task=copy&length=100&iters=1000", View::Training,
     true, "", ""},
    {"A diagonal recurrence: the LRU", "cell=rnn-tanh,lstm,lru&length=200", View::Decay, false,
     "a ring at 0.5", "r_min=0.5&r_max=0.5"},
    {"Eigenvalues on the unit circle", "cell=rnn-tanh,lstm,mingru,lru&length=100",
     View::Eigenvalues, false, "", ""},
    {"The curse of memory", "", View::Learning, false, "teacher 0.999", "teacher=0.999"},
};

// The paper presets. The verdicts are what `gradscope train` (critical, cliff) measured on the
// same configuration (README, "In the page: ... the paper presets"); the page trains the same
// numbers.
const Preset kPresets[] = {
    {"Adding problem, T = 100", "Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016",
     "cell=rnn-tanh,lstm,gru&task=adding&length=100&iters=2000", View::Training, true, Verdict::Reproduces,
     "reproduces", "tanh RNN 111% of chance, LSTM 0.225%, GRU 0.064%: the gated cells learn it"},
    {"Copy memory, T = 100", "Arjovsky et al. 2016",
     "cell=rnn-tanh,lstm,gru&task=copy&length=100&iters=2000", View::Training, true, Verdict::Reproduces,
     "reproduces",
     "tanh RNN 100% of chance, LSTM 97.9%, GRU 90.8%: at the memoryless baseline, as the "
     "paper's LSTM"},
    {"IRNN, adding, T = 150", "Le, Jaitly & Hinton 2015",
     "cell=rnn-relu&init=identity&task=adding&length=150&iters=2000", View::Training, true,
     Verdict::No, "no, not at this budget",
     "101% of chance at 2,000 iterations (and at 10,000). It learns with the paper's 100 units, "
     "a smaller step and more updates: --hidden 100 --lr 0.001 --iters 10000 reaches 3.16% of "
     "chance (53 s natively; 5,000 iterations are not enough)"},
    {"Chrono init, copy, T = 100", "Tallec & Ollivier 2018",
     "cell=lstm,gru&chrono=100&task=copy&length=100&iters=2000", View::Training, true,
     Verdict::Partly, "partly: it learns sooner",
     "LSTM 97.6% of chance, GRU 76.6% (without chrono 97.9% and 90.8%): it learns sooner, but "
     "neither solves it. With --iters 10000: LSTM 68.6% and GRU 67.3% against 83.5% and 86.8% "
     "without chrono"},
    {"minGRU, minLSTM, T = 200", "Feng et al. 2024, against the LSTM",
     "cell=lstm,mingru,minlstm&task=adding&length=200&iters=800", View::Training, true, Verdict::Reproduces,
     "reproduces",
     "LSTM 106% of chance, minGRU 7.72%, minLSTM 9.30%: gates that read only the input learn "
     "where the LSTM does not"},
    {"minGRU against the GRU", "Feng et al. 2024",
     "cell=gru,mingru&task=adding&length=100&iters=800", View::Training, true,
     Verdict::Partly, "partly: no speed-up here",
     "GRU 0.141% of chance, minGRU 4.64%: both learn it. The paper's speed comes from a "
     "parallel scan over time; gradscope runs the steps in order, and both took 2 s natively"},
    {"LRU, remember-first, T = 25", "Orvieto et al. 2023, against the LSTM",
     "cell=lstm,lru&task=remember-first&length=25&hidden=64&iters=2000", View::Training, true, Verdict::Reproduces,
     "reproduces",
     "LSTM 100% of chance, LRU 13.6% (accuracy 92.3%): the ring near the unit circle remembers"},
    {"LRU on a ring at 0.5", "Orvieto et al. 2023: the ring matters",
     "cell=lstm,lru&task=remember-first&length=25&hidden=64&iters=2000&r_min=0.5&r_max=0.5",
     View::Training, true, Verdict::Reproduces, "reproduces",
     "LSTM and LRU 100% of chance: with every |lambda| at 0.5 the LRU forgets in 1.4 steps"},
    {"Pascanu's cliff", "Pascanu, Mikolov & Bengio 2013, Fig. 6", "", View::Cliff, false, Verdict::Reproduces,
     "reproduces",
     "from (6, -3.4) plain descent is thrown off the map at step 62; clipped, it ends at loss "
     "0.0069"},
    {"Exploding: SGD, clip=0", "tanh RNN at scale 2, plain SGD", kExplodingPreset, View::Training,
     true, Verdict::Reproduces, "reproduces: diverges", "diverged at iteration 32"},
    {"The same with clip=1", "clipping by norm (Pascanu et al. 2013)", kExplodingClippedPreset,
     View::Training, true, Verdict::Reproduces, "reproduces: stays finite",
     "finite, 55.8% of chance after 600 iterations"},
    // play here means Run: the experiment's own defaults (core/training/critical.h), three cells
    {"Critical length: tanh, LSTM, GRU", "which lengths each cell learns (adding problem)",
     gs::kCriticalDefaults, View::Critical, true, Verdict::Reproduces, "reproduces (a few minutes)",
     "critical length 10 for the tanh RNN, 25 the LSTM, 100 the GRU (20 s natively; in the "
     "page 100 s with two workers and 168 s with one, on a 2-core machine)"},
};

const DecayResult* decay_of(const Results& r, gs::CellKind cell) {
  for (const DecayResult& d : r.decay)
    if (d.cell == cell && d.done) return &d;
  return nullptr;
}
const WhyResult* why_of(const Results& r, gs::CellKind cell) {
  for (const WhyResult& w : r.why)
    if (w.cell == cell && w.done) return &w;
  return nullptr;
}
const TrainResult* train_of(const Results& r, gs::CellKind cell) {
  for (const TrainResult& t : r.train)
    if (t.cell == cell) return &t;
  return nullptr;
}

// "RNN-tanh 1.2e-9, LSTM 2.5e-5": what reaches step 1 of the gradient at the loss, per cell.
std::string reaching_step_1(const Results& r) {
  std::string text;
  for (const DecayResult& d : r.decay)
    text += format("%s%s %s", text.empty() ? "" : ", ", cell_label(d.cell),
                   d.overflow_step ? "nothing (the forward pass overflowed)"
                                   : power_text(d.analysis.log10_first_to_last).c_str());
  return text;
}

// After the training so far: "RNN-tanh 98% of chance, LSTM 1.2%" (or where it diverged).
std::string training_shares(const Results& r) {
  const int done = training_iterations(r);
  std::string text;
  for (const TrainResult& t : r.train) {
    text += text.empty() ? "" : ", ";
    if (t.diverged_at)
      text += format("%s diverged at iteration %d", cell_label(t.cell), t.diverged_at);
    else
      text += format("%s %.3g%% of chance", cell_label(t.cell),
                     100 * recent_loss(t, done) / t.chance_loss);
  }
  return text;
}

// Step 2: what sets the tanh RNN's rate, W_hh or tanh', from the measured split.
std::string tanh_rate_step(const Results& r, int T) {
  const DecayResult* d = decay_of(r, gs::CellKind::RnnTanh);
  if (!d) return "Open this step with the tanh RNN selected.";
  const gs::ProbeAnalysis& a = d->analysis;
  if (d->overflow_step) return d->overflow + ": the exploding side, in the forward pass.";
  // what is left at step 1, or how much it grew on the way there
  const std::string at_step_1 =
      a.log10_first_to_last > 0
          ? format("by step 1 it has grown %s-fold", power_text(a.log10_first_to_last).c_str())
          : format("%s of it reaches step 1", power_text(a.log10_first_to_last).c_str());
  std::string text =
      "A tanh RNN multiplies the gradient at each step back by J_t^T = W_hh^T "
      "diag(tanh'(a_t)): a part from W_hh and a part from tanh' (the orange line here). "
      "Which one sets the rate? ";
  const WhyResult* w = why_of(r, gs::CellKind::RnnTanh);
  const std::string split = w ? attribution_text(*d, *w) : "";
  if (split.empty())
    return text + format("Measured over these %d steps, each step back multiplies the "
                         "gradient by %s on average: %s. (W_hh's part and tanh''s are being "
                         "computed.)",
                         T, power_text(a.log10_per_step).c_str(), at_step_1.c_str());
  std::string last = at_step_1;  // a sentence of its own
  last[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(last[0])));
  text += format("Over these %d steps %s %s.", T, split.c_str(), last.c_str());
  const double total = w->decay_log10_per_step, twin = w->twin_log10_per_step;
  if (total < 0 && twin / total >= 0.5)  // W_hh alone gives half of the decay or more
    text += " So tanh' <= 1 is not the main cause: with the same W_hh and no squashing at "
            "all, most of the decay is still there.";
  else if (total < 0)
    text += format(" Here tanh' does most of it: its mean is %.2f, the units sit far from "
                   "0, and each step squashes the gradient.",
                   a.mean_derivative);
  if (!w->lyapunov.empty())
    text += format(" The largest Lyapunov exponent of the product, %.3g nats per step, "
                   "predicts %s per step far from the loss (Spectra view).",
                   w->lyapunov[0], power_text(w->lyapunov[0] / std::log(10.0)).c_str());
  return text;
}

// Step 6: the LSTM's cell path: the thin f-only line, the dashed ||dL/dc_t|| and the whole
// gradient, each rate the slope of its line.
std::string lstm_path_step(const Results& r, const gs::Config& c, int T) {
  const DecayResult* lstm = decay_of(r, gs::CellKind::Lstm);
  if (!lstm) return "Open this step with the LSTM selected.";
  if (lstm->overflow_step) return lstm->overflow + ".";
  // "is multiplied by 0.73 per step (0.137 decades lost)"; 3 decimals near 1
  const auto rate = [](double log10_per_step) {
    const double factor = std::pow(10.0, log10_per_step);
    return format("is multiplied by %s per step (%.3f decades %s)",
                  std::abs(log10_per_step) < 0.01 ? format("%.3f", factor).c_str()
                                                  : power_text(log10_per_step).c_str(),
                  std::abs(log10_per_step), log10_per_step > 0 ? "gained: it grows" : "lost");
  };
  // "keeps 2.5e-55 of it" / "has grown 62-fold": at step 1
  const auto at_step_1 = [](double log10_first_to_last) {
    return log10_first_to_last > 0
               ? format("has grown %s-fold", power_text(log10_first_to_last).c_str())
               : format("keeps %s of it", power_text(log10_first_to_last).c_str());
  };
  std::string text = format(
      "The LSTM's cell state is updated by addition, c_t = f_t * c_{t-1} + i_t * g_t, so "
      "along the cell path alone the gradient is multiplied only by the forget gate f, with "
      "no squashing derivative. Here f averages %.2f (forget_bias=%g)",
      lstm->analysis.mean_gate, c.forget_bias);
  // the thin line, f alone, and the dashed ||dL/dc_t||, measured as the solid one
  if (const double f_only = log10_per_step_of(lstm->curve_forget_path); std::isfinite(f_only))
    text += format(", so along f alone (the thin line, the product of the forget gates) the "
                   "gradient %s",
                   rate(f_only).c_str());
  if (const double dc = log10_per_step_of(lstm->curve_c); std::isfinite(dc))
    text += format(". The dashed line is not that path alone but the whole ||dL/dc_t||, which "
                   "at every step also takes in what reaches c_t from h_t (through o_t and "
                   "tanh'(c_t)): it %s%s",
                   rate(dc).c_str(),
                   cell_state_on_solid_line(r, *lstm) ? " (here it lies on the solid LSTM line)"
                                                      : "");
  text += format(". The whole ||dL/dh_t|| (solid) %s",
                 rate(lstm->analysis.log10_per_step).c_str());
  const DecayResult* tanh = decay_of(r, gs::CellKind::RnnTanh);
  if (tanh && !tanh->overflow_step)
    text += format("; the tanh RNN's %s. At step 1, with the loss at step %d, the LSTM's "
                   "gradient %s, the tanh RNN's %s",
                   rate(tanh->analysis.log10_per_step).c_str(), T,
                   at_step_1(lstm->analysis.log10_first_to_last).c_str(),
                   at_step_1(tanh->analysis.log10_first_to_last).c_str());
  return text + ". With forget_bias=5, f starts near 0.99 and the path of f alone nearly "
                "stops vanishing.";
}

// Step 9: the LRU's diagonal, input-independent step against the LSTM and the tanh RNN.
std::string lru_step(const Results& r, const gs::Config& c, int T) {
  const DecayResult* lru = decay_of(r, gs::CellKind::Lru);
  if (!lru) return "Open this step with the LRU selected.";
  if (lru->overflow_step) return lru->overflow + ".";
  std::string text = format(
      "The LRU (Orvieto et al. 2023) drops W_hh and the squashing: h_t = lambda h_{t-1} + gamma "
      "B x_t, with one complex lambda per unit. Its step Jacobian is diagonal and the same at "
      "every step, whatever the input, so going back each unit's gradient is multiplied by "
      "|lambda| exactly, and the model is drawn with every |lambda| on the ring from r_min = %g "
      "to r_max = %g. Over these T = %d steps its gradient is multiplied by %s per step and %s "
      "reaches step 1",
      c.r_min, c.r_max, T, factor_text(lru->analysis.log10_per_step).c_str(),
      power_text(lru->analysis.log10_first_to_last).c_str());
  for (gs::CellKind other : {gs::CellKind::Lstm, gs::CellKind::RnnTanh})
    if (const DecayResult* d = decay_of(r, other); d && !d->overflow_step)
      text += format("; the %s's %s", cell_label(other),
                     power_text(d->analysis.log10_first_to_last).c_str());
  return text +
         ". The memory is set where the eigenvalues are drawn, not learned against a "
         "vanishing gradient: a ring at 0.5 forgets in a step or two.";
}

// Step 10: the largest |eigenvalue| of each cell's J_t and the memory it gives.
std::string eigenvalues_step(const Results& r) {
  std::string list;
  double lru = NAN, tanh = NAN;
  for (const WhyResult& w : r.why) {
    if (!w.done) return "Computing the eigenvalues...";
    if (w.step_eigenvalues.empty()) continue;
    list += (list.empty() ? "" : ", ") + eigenvalue_memory_text(w);
    if (w.cell == gs::CellKind::Lru) lru = largest_eigenvalue_modulus(w);
    if (w.cell == gs::CellKind::RnnTanh) tanh = largest_eigenvalue_modulus(w);
  }
  if (list.empty()) return "No eigenvalues here: the state is above 128 numbers.";
  std::string text =
      "Each step back multiplies the gradient, along each eigenvector of J_t, by its "
      "eigenvalue; one of modulus r keeps 1/e of it for -1/ln r steps. The largest moduli "
      "here, and the memory each gives: " +
      list + ".";
  if (lru > 0.95 && tanh < 0.8)
    text += " On the disk the LRU's sit against the circle and the tanh RNN's deep inside.";
  if (why_of(r, gs::CellKind::MinGru))
    text += " The minGRU's are its 1 - z, set by the input at every step.";
  if (why_of(r, gs::CellKind::Lru))
    text += " The LRU's are its parameters, the same at every step.";
  return text;
}

// Step 11: one lambda learning another's, three ways (the Learn view's Why, with its setting).
std::string memory_step(const App& app) {
  const MemoryCurves& m = app.memory;
  const gs::MemoryPoint at = gs::memory_point(m.problem, m.problem.teacher);
  return format("A gradient that neither vanishes nor explodes is not the end of the story "
                "(Zucchet & Orvieto 2024). One number, a student's lambda, learns a teacher's "
                "lambda* = %.4g by gradient descent from %.4g, learning rate %.3g. ",
                m.problem.teacher, m.descent.start, m.descent.learning_rate) +
         memory_paths_text(m, " ") +
         format(" At lambda*, E[(dh/dlambda)^2] = %s but E[(dh/dnu)^2] = %s (the Sensitivity "
                "view): the longer the memory, the larger the first grows, while the second %s.",
                g3_text(at.sensitivity_plain).c_str(), g3_text(at.sensitivity_expexp).c_str(),
                m.problem.rho == 0
                    ? "stays below 1/2, for white noise"
                    : format("would stay below 1/2 for white noise; inputs correlated at rho = "
                             "%.3g raise it",
                             m.problem.rho)
                          .c_str());
}

// Step 5: the exploding run without clipping (it diverges) and with clip=1 (it stays finite).
std::string clipping_step(const Results& r, const gs::Config& c, int iterations) {
  const TrainResult* t = train_of(r, gs::CellKind::RnnTanh);
  if (!t || t->history.empty())
    return format("A tanh RNN at scale %g trained with plain SGD (lr %g, no momentum) on the "
                  "adding problem at T = %d: training starts...",
                  c.scale, c.lr, c.length);
  double largest = 0;
  int clipped = 0;
  for (const gs::TrainRecord& h : t->history) {
    if (std::isfinite(h.grad_norm)) largest = std::max(largest, h.grad_norm);
    clipped += h.clipped;
  }
  if (t->diverged_at)
    return format(
        "Without clipping this run diverged at iteration %d: %s. Before that the gradient "
        "norm reached %.3g. Pascanu et al. explain it with cliffs in the loss surface: where "
        "the recurrence switches between fixed points the gradient is huge, and one step "
        "throws the weights far away (the Cliff view shows one). The clip=1 button runs the "
        "same training with each step's gradient scaled down to norm 1.",
        t->diverged_at, t->divergence.c_str(), largest);
  const double first = t->history.front().loss;
  return format(
      "With clip=%g the same run stays finite: after %d iterations clipping acted on %d of "
      "them (largest gradient norm %.3g), and the loss went from %.3g at the first iteration "
      "to %.3g (mean of the last 10%%), %.3g%% of chance. Clipping keeps the direction and "
      "caps the step.",
      c.clip, iterations, clipped, largest, first, recent_loss(*t, iterations),
      100 * recent_loss(*t, iterations) / t->chance_loss);
}

std::string step_text(const App& app, int step) {
  const Results& r = app.results;
  const gs::Config& c = r.config;
  const int T = gs::task_shape(c.task, c.length).steps;
  const int iterations = training_iterations(r);
  switch (step) {
    case 1:
      return format(
          "Backpropagation through time carries the loss's gradient back one step at a time: "
          "dL/dh_{t-1} = J_t^T dL/dh_t, one Jacobian per step. Over the T = %d steps here that "
          "is a product of %d Jacobians, and of the gradient at the loss this much reaches step "
          "1: %s. On this plot's log y axis a constant factor per step is a straight line.",
          T, T - 1, reaching_step_1(r).c_str());
    case 2:
      return tanh_rate_step(r, T);
    case 3: {
      std::string text = "The gradient of a loss at step T that reaches step 1, as T grows: ";
      const size_t per_cell = c.lengths.size();
      for (size_t i = 0; i < c.cells.size(); ++i) {
        if (r.sweep_points.size() < (i + 1) * per_cell) break;
        const gs::SweepPoint& a = r.sweep_points[i * per_cell];
        const gs::SweepPoint& b = r.sweep_points[(i + 1) * per_cell - 1];
        text += format("%s%s %s at T = %d, %s at T = %d", i ? "; " : "", cell_label(a.cell),
                       power_text(a.mean).c_str(), a.length, power_text(b.mean).c_str(),
                       b.length);
      }
      return text + ". A constant factor per step makes it fall exponentially in T (both axes "
                    "are logarithmic here, so the curves bend down instead of running "
                    "straight): to learn a dependency across T steps, this is the signal "
                    "training gets.";
    }
    case 4: {
      const DecayResult* d = decay_of(r, gs::CellKind::RnnRelu);
      if (!d) return "Open this step with the ReLU RNN selected.";
      const gs::ProbeAnalysis& a = d->analysis;
      if (d->overflow_step) return d->overflow + ": the exploding side, in the forward pass.";
      return format(
          "A ReLU unit passes the gradient with derivative exactly 1 while it is on: nothing "
          "squashes it, so W_hh alone decides. Initialized at %g x the identity (W_hh's largest "
          "singular value %.2f), each step back multiplies the gradient by %s on average: %s "
          "at step 1, %d steps back from the loss, %s. And a unit that is off passes exactly "
          "nothing: at %.0f%% of the (unit, step) pairs here the unit is off (one off at every "
          "step is a dead unit; the Saturation view, on Why it vanishes, shows them). With the "
          "identity itself (scale 1, Le et al.'s IRNN) the factor stays near 1.",
          c.scale, a.sigma_max_whh, power_text(a.log10_per_step).c_str(),
          power_text(a.log10_first_to_last).c_str(), T - 1,
          a.log10_per_step > 0 ? "exploding" : "vanishing", 100 * a.fraction_zero_derivative);
    }
    case 5:
      return clipping_step(r, c, iterations);
    case 6:
      return lstm_path_step(r, c, T);
    case 7: {
      std::string text;
      const DecayResult* gru = decay_of(r, gs::CellKind::Gru);
      const DecayResult* tanh = decay_of(r, gs::CellKind::RnnTanh);
      if (gru && tanh)
        text = format(
            "The GRU keeps a share z of its state, h_t = (1 - z) n + z h_{t-1}. At "
            "initialization z averages %.2f, so its gradient still vanishes geometrically: it "
            "is multiplied by %s per step, the tanh RNN's by %s, and at step 1 it keeps %s "
            "against %s. ",
            gru->analysis.mean_gate, power_text(gru->analysis.log10_per_step).c_str(),
            power_text(tanh->analysis.log10_per_step).c_str(),
            power_text(gru->analysis.log10_first_to_last).c_str(),
            power_text(tanh->analysis.log10_first_to_last).c_str());
      if (iterations == 0) return text + "Training starts...";
      return text + format("Training on the %s task at T = %d, after %d of %d iterations: %s. "
                           "The gates learn to keep what the task needs (z and f near 1), which "
                           "opens the path the gradient travels; the tanh RNN has no such path."
                           "%s",
                           gs::task_name(c.task), c.length, iterations, c.iters,
                           training_shares(r).c_str(),
                           iterations < c.iters ? " The gated cells pull away late: watch the "
                                                  "loss until the run ends."
                                                : "");
    }
    case 8: {
      const double chance = r.train.empty() ? NAN : r.train[0].chance_loss;
      std::string text = format(
          "Copy memory: read 10 symbols, wait %d steps, repeat them. A model that remembers "
          "nothing scores the chance loss 10 ln 8 / (T + 20) = %.3g (dashed). ",
          c.length, chance);
      if (iterations == 0) return text + "Training starts...";
      return text + format(
          "After %d of %d iterations: %s. The gates keep a path open, yet what to store must "
          "be learned from a gradient that crosses the whole delay, and this task stays hard "
          "for them: Arjovsky et al. (2016) built unitary RNNs for it.",
          iterations, c.iters, training_shares(r).c_str());
    }
    case 9: return lru_step(r, c, T);
    case 10: return eigenvalues_step(r);
    case 11: return memory_step(app);
  }
  return "";
}

}  // namespace

const TourStep* tour_step(int step) {
  return step >= 1 && step <= gs::kTourSteps ? &kSteps[step - 1] : nullptr;
}

const Preset* presets(int& count) {
  count = static_cast<int>(sizeof kPresets / sizeof kPresets[0]);
  return kPresets;
}

std::string tour_text(const App& app, int step) {
  if (!tour_step(step)) return "";
  if (!results_current(app)) return "Computing...";
  return step_text(app, step);
}

void apply_preset(App& app, const Preset& preset) {
  if (apply_config(app, gs::Config(), preset.config, ConfigSource::Link).empty()) {
    focus_view(app, preset.view);
    if (preset.view == View::Cliff) cliff_start(app, kCliffStartW, kCliffStartB);
    if (preset.play && preset.view == View::Critical)
      critical_action(app, CriticalAction::Run);
    else if (preset.play)
      train_action(app, TrainAction::Play);
  }
}

void after_tour_step(App& app, const TourStep& step) {
  focus_view(app, step.view);
  if (step.play) train_action(app, TrainAction::Play);
}

namespace {
// A tour link: the step over the current configuration (apply_config then sets it up).
void go_to_step(int step, Changes& out) {
  out.push_back([step](App& app) {
    apply_config(app, app.config, "tour=" + std::to_string(step), ConfigSource::Link);
  });
}
}  // namespace

void draw_tour_panel(const App& app, Changes& out) {
  const int n = app.config.tour;
  const TourStep* step = tour_step(n);
  if (!step) return;
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 200, 90, 255));
  ImGui::TextWrapped("Tour %d/%d: %s", n, gs::kTourSteps, step->title);
  ImGui::PopStyleColor();
  ImGui::BeginDisabled(n == 1);
  if (ImGui::SmallButton("< Back")) go_to_step(n - 1, out);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(n == gs::kTourSteps);
  if (ImGui::SmallButton("Next >")) go_to_step(n + 1, out);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::SmallButton("End")) go_to_step(0, out);
  if (*step->try_config) {
    ImGui::SameLine();
    if (ImGui::SmallButton(step->try_label))
      out.push_back([step](App& app) {
        apply_config(app, app.config, step->try_config, ConfigSource::Link);
        if (step->play) train_action(app, TrainAction::Play);
      });
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("try %s", step->try_config);
  }
  text_wrapped(tour_text(app, n));
  ImGui::Separator();
}

float tour_panel_height(const App& app, float width) {
  const TourStep* step = tour_step(app.config.tour);
  if (!step) return 0;
  const ImGuiStyle& style = ImGui::GetStyle();
  char title[160];
  std::snprintf(title, sizeof title, "Tour %d/%d: %s", app.config.tour, gs::kTourSteps, step->title);
  return text_wrapped_height(title, width) + ImGui::GetFrameHeightWithSpacing() +
         text_wrapped_height(tour_text(app, app.config.tour), width) + 2 * style.ItemSpacing.y;
}

void draw_tour_button(const App& app, Changes& out) {
  if (app.config.tour != 0) return;  // the step's own box has Back, Next and End
  if (ImGui::Button(kTourButton)) go_to_step(1, out);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "eleven steps, from BPTT's product of Jacobians to the curse of memory "
        "(#tour=1)");
}

std::string preset_command(const Preset& preset) {
  std::string command = std::string("gradscope ") + (preset.view == View::Critical ? "critical"
                                                     : preset.view == View::Cliff  ? "cliff"
                                                                                   : "train");
  std::string pair;
  for (const char* ch = preset.config;; ++ch) {  // key=value&... -> --key value ...
    if (*ch && *ch != '&') {
      pair += *ch == '=' ? ' ' : *ch;
      continue;
    }
    if (!pair.empty()) command += " --" + pair;
    pair.clear();
    if (!*ch) return command;
  }
}

// The presets, each a link with its verdict under it (two columns where they fit), and the tour's
// steps as numbered links.
void draw_presets_view(const App& app, Widgets& widgets, Changes& out) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped(
      "Paper presets: a click sets one up and runs it; under it, whether it "
      "shows the paper's effect here (Why: what was measured)");
  ImGui::PopStyleColor();
  int count = 0;
  const Preset* list = presets(count);
  widgets.preset_rects.resize(count);
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const int columns = ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 26 ? 2 : 1;
  const float column_w = (ImGui::GetContentRegionAvail().x - spacing * (columns - 1)) / columns;
  for (int i = 0; i < count; ++i) {
    if (i % columns) ImGui::SameLine(0, spacing);
    ImGui::BeginGroup();
    ImGui::PushID(i);
    if (ImGui::Button(list[i].name, ImVec2(column_w, 0)))
      out.push_back([preset = &list[i]](App& app) { apply_preset(app, *preset); });
    remember_item_rect(widgets.preset_rects[i].data());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s\n#%s", list[i].source,
                        *list[i].config ? list[i].config : "(any configuration)");
    // the verdict in words (and a mark), not by colour alone
    const Verdict v = list[i].reproduces;
    ImGui::PushStyleColor(ImGuiCol_Text, v == Verdict::Reproduces ? IM_COL32(150, 210, 150, 255)
                                         : v == Verdict::Partly   ? IM_COL32(230, 210, 120, 255)
                                                                  : IM_COL32(240, 170, 90, 255));
    ImGui::Text("%s %s", v == Verdict::Reproduces ? "+" : v == Verdict::Partly ? "~" : "-",
                list[i].verdict);
    ImGui::PopStyleColor();
    ImGui::PopID();
    ImGui::EndGroup();
  }
  ImGui::Spacing();
  ImGui::TextDisabled("Guided tour, each step a link (#tour=N):");
  for (int n = 1; n <= gs::kTourSteps; ++n) {
    ImGui::PushID(100 + n);
    const bool current = app.config.tour == n;
    if (current)
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    char label[8];
    std::snprintf(label, sizeof label, "%d", n);
    // on the row so far while it fits (ImGui's available width counts from the line's start)
    const float w = ImGui::GetFontSize() * 2;
    if (n > 1 && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <=
                     ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
      ImGui::SameLine();
    if (ImGui::Button(label, ImVec2(w, 0))) go_to_step(n, out);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d. %s", n, tour_step(n)->title);
    if (current) ImGui::PopStyleColor();
    ImGui::PopID();
  }
  if (app.phone)  // no hover on a touch screen: the titles, listed
    for (int n = 1; n <= gs::kTourSteps; ++n) ImGui::TextDisabled("%d. %s", n, tour_step(n)->title);
}
