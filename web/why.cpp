// "Why": a short explanation of the view in focus, written from the numbers on screen.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "cell_style.h"
#include "imgui.h"
#include "plot.h"
#include "text.h"
#include "views.h"
#include "wrapped_text.h"

std::string power_text(double log10_value) {
  if (!std::isfinite(log10_value)) return log10_value == -INFINITY ? "exactly 0" : "overflow";
  char buffer[48];
  plot::FormatPowerOfTen(log10_value, 2, buffer, sizeof buffer);
  return buffer;
}

std::string format(const char* pattern, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

namespace {

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(text[0]));
  return text;
}

// One paragraph about one cell's decay curve.
// `drawn`: the model was drawn from the config (not your own), so its keys can change it.
std::string explain_cell(const DecayResult& job, int steps, bool drawn) {
  const gs::ProbeAnalysis& a = job.analysis;
  const char* name = cell_label(job.cell);
  if (job.overflow_step)
    return format(
        "%s: %s. The loss is then beyond range too, so there is no gradient to carry back: "
        "this is the exploding side of the same product of Jacobians, here in the forward pass "
        "(W_hh's largest singular value is %.2f).",
        name, job.overflow.c_str(), a.sigma_max_whh);
  const std::string per_step = power_text(a.log10_per_step);
  const std::string after_100 = power_text(100 * a.log10_per_step);
  std::string measured = format(
      "measured over these %d steps, each step back multiplies the gradient by %s on "
      "average: after 100 steps, by %s.",
      steps, per_step.c_str(), after_100.c_str());
  if (a.steps_to_zero >= 0)
    measured = format(
        "measured here, the gradient is exactly 0 from %d steps back on: no "
        "signal at all reaches the steps before.",
        a.steps_to_zero);
  else if (steps < 2)
    measured = "with a single step there is nothing to pass back.";
  switch (job.cell) {
    case gs::CellKind::RnnTanh:
    case gs::CellKind::RnnSigmoid: {
      // ||J_t|| <= max act' * sigma_max(W_hh) = gamma sigma_max (Pascanu et al. 2013)
      const char* act = job.cell == gs::CellKind::RnnTanh ? "tanh'" : "sigmoid'";
      const double bound = a.gamma * a.sigma_max_whh;
      return format(
          "%s: each step back multiplies the gradient by J_t^T = W_hh^T diag(%s). "
          "Here W_hh's largest singular value is %.2f and %s <= %.2g, so no step can "
          "grow it by more than %.2f%s; along this sequence the mean %s is %.2f. %s",
          name, act, a.sigma_max_whh, act, a.gamma, bound,
          bound < 1 ? " (below 1: vanishing is guaranteed)"
                    : " (above 1: vanishing is not forced, and it may explode)",
          act, a.mean_derivative, capitalized(measured).c_str());
    }
    case gs::CellKind::RnnRelu:
      return format(
          "%s: active units pass the gradient with derivative 1, but %.0f%% of unit "
          "steps here are off (derivative 0) and W_hh's largest singular value is %.2f; "
          "%s",
          name, 100 * a.fraction_zero_derivative, a.sigma_max_whh, measured.c_str());
    case gs::CellKind::RnnIdentity:
      return format(
          "%s: no squashing at all, so only W_hh acts: largest singular value %.2f "
          "(above 1 it explodes, below it vanishes); %s",
          name, a.sigma_max_whh, measured.c_str());
    case gs::CellKind::Lstm:
      return format(
          "%s: along the cell path dc_{t-1} = f_t * dc_t the gradient is multiplied "
          "only by the forget gate, mean f = %.2f here%s; %s",
          name, a.mean_gate, drawn ? " (raise forget_bias to bring it near 1)" : "",
          measured.c_str());
    case gs::CellKind::Gru:
      return format(
          "%s: the update gate keeps a share z of the old state, h_t = (1-z) n + z "
          "h_{t-1}, so the gradient passes back multiplied by z, mean z = %.2f here; %s "
          "With z near 0.5, as at initialization, the GRU's gradient vanishes about as fast as "
          "a tanh RNN's: its advantage comes from training, which can learn z near 1 where "
          "something must be kept (see Training).",
          name, a.mean_gate, measured.c_str());
  }
  return "";
}

// What the initialization in effect does to the factor per step (issue 9: identity, orthogonal,
// chrono); the measured factors are in each cell's paragraph.
std::string explain_init(const gs::Config& c) {
  std::string text = format("Initialization: init=%s, scale %g", gs::init_name(c.init), c.scale);
  if (c.radius > 0) text += format(", W_hh rescaled to spectral radius %g", c.radius);
  text += ". ";
  switch (c.init) {
    case gs::InitKind::Uniform:
      text += "PyTorch's default, every weight from U(-1/sqrt(H), 1/sqrt(H)): W_hh's largest "
              "singular value, times the activation's derivative, bounds the factor per step.";
      break;
    case gs::InitKind::Xavier:
      text += "Glorot's U(+-sqrt(6 / (fan_in + fan_out))) per gate block: larger weights than "
              "PyTorch's default, so the factor per step starts larger.";
      break;
    case gs::InitKind::Orthogonal:
      text += "W_hh orthogonal (Saxe et al. 2014): every singular value equals the scale, so "
              "W_hh itself neither shrinks nor grows any direction at scale 1, and only the "
              "activation's derivative or the gates make the gradient vanish.";
      break;
    case gs::InitKind::Identity:
      text += "W_hh = scale x I (Le et al. 2015; with ReLU, the IRNN): at scale 1 a unit that "
              "stays on passes the gradient back unchanged, a factor of exactly 1 per step.";
      break;
  }
  const bool gated = std::any_of(c.cells.begin(), c.cells.end(), [](gs::CellKind k) {
    return k == gs::CellKind::Lstm || k == gs::CellKind::Gru;
  });
  if (c.chrono > 0 && gated)
    text += format(" chrono=%d (Tallec & Ollivier 2018): the LSTM's forget gate and the GRU's "
                   "update gate start between 1/2 and 1 - 1/%d per unit, the factor per step "
                   "along the kept path, so memory times spread up to %d steps.",
                   c.chrono, c.chrono, c.chrono);
  return text;
}

// The "why it vanishes" page, from the worker's WhyResult per cell.
std::string explain_why_page(const Results& c, View view) {
  const bool done = !c.why.empty() && std::all_of(c.why.begin(), c.why.end(),
                                                  [](const WhyResult& w) { return w.done; });
  if (!done) return "Computing the spectra, the gates and the lag split...";
  std::string text;
  const double ln10 = std::log(10.0);
  for (const WhyResult& w : c.why) {
    const char* name = cell_label(w.cell);
    if (w.overflow_step) {
      text += format("%s: the forward pass overflowed at step %d, so there is no Jacobian to "
                     "measure.\n\n", name, w.overflow_step);
      continue;
    }
    switch (view) {
      case View::Spectra: {
        const double lambda = w.lyapunov.empty() ? NAN : w.lyapunov[0];
        text += format(
            "%s: the largest Lyapunov exponent is %.3g nats per step: far back, each step "
            "multiplies the gradient by %s; measured along this sequence, by %s.",
            name, lambda, power_text(lambda / ln10).c_str(),
            power_text(w.decay_log10_per_step).c_str());
        if (w.pascanu_bound > 0)
          text += format(
              " W_hh's largest singular value is %.2f and act' <= %.2g, so no step can grow it "
              "by more than %.2f%s",
              w.sigma_max_whh, w.gamma, w.pascanu_bound,
              w.pascanu_bound < 1 ? ": vanishing is guaranteed."
                                  : ": above 1 the bound guarantees nothing, yet the typical "
                                    "direction still shrinks.");
        else if (std::isfinite(w.keep_path_log10_per_step))
          text += format(" Along the %s alone the gradient falls by %s per step.",
                         w.keep_path.name.c_str(), power_text(w.keep_path_log10_per_step).c_str());
        text += "\n\n";
        break;
      }
      case View::Saturation: {
        for (const StepSeries& s : w.saturation) {
          double sum = 0;
          for (double v : s.mean) sum += v / s.mean.size();
          text += format("%s%s %s %.2f", &s == &w.saturation[0] ? name : "",
                         &s == &w.saturation[0] ? ": mean" : ",", s.name.c_str(), sum);
        }
        text += ".\n\n";
        break;
      }
      case View::LagSplit: {
        text += format("%s: ", name);
        for (size_t i = 0; i < w.share_above_lags.size(); ++i)
          text += format("%slags above %.0f carry %s of the update", i ? "; " : "",
                         w.share_above_lags[i], power_text(w.log10_share_above[i]).c_str());
        text += ".\n\n";
        break;
      }
      case View::Decay: case View::Sweep: case View::Heatmap: case View::Training:
      case View::Trainability: case View::Critical: case View::Cliff: case View::Truncation:
      case View::Presets: case View::Why: case View::Controls:
        break;  // explained elsewhere (explain_view)
    }
  }
  switch (view) {
    case View::Spectra:
      text += "Each backward step multiplies the gradient by J_t^T. The Lyapunov exponents are "
              "the average log stretching of their product: the largest one sets the decay "
              "slope far from the loss (dashed lines), whatever the loss's own direction.";
      break;
    case View::Saturation:
      text += "act' <= 1 (tanh), <= 1/4 (sigmoid) or 0 (a dead ReLU unit) scales each unit's "
              "gradient at every step; the LSTM's forget gate f and the GRU's update gate z "
              "scale the paths that carry it without a squashing derivative.";
      break;
    case View::LagSplit:
      text += "dL/dW_hh is a sum of one term per step (Pascanu et al. 2013, eq. 4). The terms of "
              "long lags are what would teach long-range dependencies: when their share is tiny "
              "the update is made of short lags, however large dL/dh_1 is.";
      break;
    case View::Decay: case View::Sweep: case View::Heatmap: case View::Training:
    case View::Trainability: case View::Critical: case View::Cliff: case View::Truncation:
    case View::Presets: case View::Why: case View::Controls:
      break;  // explained elsewhere (explain_view)
  }
  return text;
}

std::string explain_trainability(const Results& c) {
  const TrainabilityResult& t = c.trainability;
  if (!t.done) return "Mapping the gradient over recurrent scale and sequence length...";
  std::string text = format(
      "Each map shows, for a scale of W_hh (rows, %.2g to %.3g) and a length T (columns, %.0f to "
      "%.0f), how much of the gradient of a loss at step T reaches step 1.\n\n",
      t.scales.front(), t.scales.back(), t.lengths.front(), t.lengths.back());
  for (const TrainabilityResult::Cell& cell : t.cells)
    text += std::isfinite(cell.edge_of_chaos)
                ? format("%s: the edge of chaos (largest Lyapunov exponent 0 at T = %.0f) is at "
                         "scale %.2g.\n",
                         cell_label(cell.cell), t.lengths.back(), cell.edge_of_chaos)
                : format("%s: no edge of chaos within these scales.\n", cell_label(cell.cell));
  text += "\nBelow the edge the gradient vanishes at a constant rate per step, so the longer the "
          "sequence the less arrives; above it the dynamics are chaotic and gradients explode. "
          "Only near the edge does it travel far (Chen, Pennington & Schoenholz 2018).";
  return text;
}

}  // namespace

std::string explain_view(const App& app, View view);

// With your own model loaded, Why starts by saying which model and what its curve measures.
std::string explain(const App& app, View view) {
  return own_model_why(app) + explain_view(app, view);
}

std::string explain_view(const App& app, View view) {
  const Results& c = app.results;
  const int steps = gs::task_shape(c.config.task, c.config.length).steps;
  std::string text;
  switch (view) {
    case View::Spectra:
    case View::Saturation:
    case View::LagSplit:
      if (!results_current(app)) return "Computing...";
      return explain_why_page(c, view);
    case View::Trainability:
      if (!results_current(app)) return "Computing...";
      return explain_trainability(c);
    case View::Critical:
    case View::Cliff:
    case View::Truncation:
    case View::Presets: return explain_remedy(app, view);
    case View::Decay:
    case View::Heatmap:
    case View::Why:
    case View::Controls: {
      if (!decay_done(c) || !results_current(app)) return "Computing the decay curves...";
      // The headline first: how much of the gradient at the loss is left at step 1.
      text = format("Of the gradient at the loss (step %d), this much reaches step 1: ", steps);
      for (size_t i = 0; i < c.decay.size(); ++i) {
        const gs::ProbeAnalysis& a = c.decay[i].analysis;
        text += format("%s%s %s", i ? ", " : "", cell_label(c.decay[i].cell),
                       power_text(a.log10_first_to_last).c_str());
      }
      text += ".\n\n";
      text += format(
          "BPTT carries dL/dh back one step at a time: dL/dh_{t-1} = J_t^T dL/dh_t. "
          "Over %d steps that is a product of %d Jacobians.\n\n",
          steps, steps - 1);
      for (const DecayResult& job : c.decay) text += explain_cell(job, steps, !app.own_model.model) + "\n\n";
      text += explain_init(c.config) + "\n\n";
      if (view == View::Heatmap)
        text +=
            "In the heatmap each row is one hidden unit: a dark left side means the units "
            "near the start of the sequence get (almost) no gradient, whatever the loss says.";
      return text;
    }
    case View::Sweep: {
      if (!c.sweep_done || !results_current(app)) return "Sweeping sequence lengths...";
      text =
          "How much of the gradient at the last step reaches the first, "
          "||dL/dh_1|| / ||dL/dh_T||, as the sequence grows:\n\n";
      const size_t per_cell = c.config.lengths.size();
      for (size_t i = 0; i < c.config.cells.size(); ++i) {
        const gs::SweepPoint& shortest = c.sweep_points[i * per_cell];
        const gs::SweepPoint& longest = c.sweep_points[i * per_cell + per_cell - 1];
        const double per_step =
            (longest.mean - shortest.mean) / std::max(1, longest.length - shortest.length);
        text += format("%s: %s at T = %d, %s at T = %d; every extra step costs a factor %s.\n\n",
                       cell_label(c.config.cells[i]), power_text(shortest.mean).c_str(),
                       shortest.length, power_text(longest.mean).c_str(), longest.length,
                       power_text(per_step).c_str());
      }
      text +=
          "A constant factor per step makes the ratio fall exponentially in T: on these log "
          "axes the curve bends down ever more steeply. Learning a dependency that spans T "
          "steps needs this ratio far from 0.";
      return text;
    }
    case View::Training: {
      if (!c.train_error.empty()) return c.train_error;
      const int done = training_iterations(c);
      if (done == 0)
        return format(
            "Press Play to train every selected cell on the %s task (T = %d) with the "
            "same budget. Chance level, the loss of a model that remembers nothing, is "
            "the dashed line: %.3g.",
            gs::task_name(c.config.task), c.config.length,
            c.train.empty() ? 0.0 : c.train[0].chance_loss);
      text = format("After %d iterations (mean of the last %d):\n\n", done, std::max(1, done / 10));
      for (const TrainResult& job : c.train) {
        const double loss = recent_loss(job, done);
        if (job.diverged_at)
          text += format("%s: diverged at iteration %d: %s.\n", cell_label(job.cell),
                         job.diverged_at, job.divergence.c_str());
        else
          text += format("%s: loss %.3g = %.3g%% of chance.\n", cell_label(job.cell), loss,
                         100 * loss / job.chance_loss);
      }
      text +=
          "\nThe loss only falls below chance once some gradient from the loss reaches the step "
          "that holds the answer; a cell whose gradient vanishes over that span gets no signal "
          "about it and stays near chance.";
      return text;
    }
  }
  return text;
}

void draw_why_view(const App& app, Widgets&, Changes&) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::Text("About: %s (%s)", view_name(app.focus),
              app.phone ? "the last view tab picked" : "click a view to explain it");
  ImGui::PopStyleColor();
  ImGui::Separator();
  text_wrapped(explain(app, app.focus));
}
