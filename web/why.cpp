// "Why": a short explanation of the view in focus, written from the numbers on screen.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "cell_style.h"
#include "imgui.h"
#include "own_model_ui.h"
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

// A factor per step near 1 with the digits that tell it from 1: 0.985 is not 0.99 (whose 100th
// power, 0.37, is not 0.22), and 0.99995 is not 1. Elsewhere power_text's two digits.
std::string factor_text(double log10_value) {
  if (!std::isfinite(log10_value) || std::abs(log10_value) >= 0.05) return power_text(log10_value);
  const double distance = std::abs(std::pow(10.0, log10_value) - 1);  // from 1, below 0.13
  const int digits = distance > 0 ? std::clamp(2 - static_cast<int>(std::floor(std::log10(distance))), 3, 12) : 3;
  char buffer[48];
  plot::FormatPowerOfTen(log10_value, digits, buffer, sizeof buffer);
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

// Decades (log10 units) per step as the sentences print them, to 3 decimals, so that the parts
// printed add up to the total printed (each within 5e-4 of its value).
double decades(double log10_per_step) { return std::round(log10_per_step * 1000) / 1000 + 0.0; }

const char* derivative_name(gs::CellKind cell) {
  switch (gs::cell_info(cell).activation) {
    case gs::Activation::Tanh: return "tanh'";
    case gs::Activation::Sigmoid: return "sigmoid'";
    case gs::Activation::Relu: return "relu'";
    case gs::Activation::Identity:
    case gs::Activation::None: break;
  }
  return "act'";
}

// "tanh' (mean 0.97 along this sequence)": the derivative the identity twin leaves out.
std::string derivative_label(const DecayResult& d) {
  const gs::ProbeAnalysis& a = d.analysis;
  switch (gs::cell_info(d.cell).activation) {
    case gs::Activation::Tanh:
      return format("tanh' (mean %.2f along this sequence)", a.mean_derivative);
    case gs::Activation::Sigmoid:
      return format("sigmoid' (at most 0.25; mean %.2f along this sequence)", a.mean_derivative);
    case gs::Activation::Relu:
      return format("relu' (0 on the %.0f%% of unit steps that are off, 1 on the rest)",
                    100 * a.fraction_zero_derivative);
    case gs::Activation::Identity:
    case gs::Activation::None: break;
  }
  return "act'";
}

// What W_hh's largest singular value and spectral radius say about W_hh's part, and the twin's
// average over these steps beside the radius' rate far back.
std::string radius_text(const WhyResult& w, int steps) {
  const double s = w.sigma_max_whh, r = w.spectral_radius_whh;
  if (!(r > 0) || !std::isfinite(r) || !std::isfinite(s))
    return format(" W_hh's largest singular value is %.2f and its spectral radius %.2g.", s, r);
  const double rate = decades(std::log10(r));  // the linear recurrence's decades per step far back
  std::string text;
  if (rate > 0)
    text = format(" W_hh's spectral radius is %.2f, above 1 (largest singular value %.2f): over "
                  "many steps W_hh alone grows a gradient, by %.3f decades per step far back.",
                  r, s, rate);
  else if (rate == 0)
    text = format(" W_hh's spectral radius is %.2f: far back W_hh alone neither grows nor shrinks "
                  "a gradient (its largest singular value, %.2f, only bounds one step).",
                  r, s);
  else if (s > 1)
    text = format(" W_hh's largest singular value is %.2f, above 1, yet its spectral radius is "
                  "%.2f: one step can grow a gradient, but over many steps the product shrinks at "
                  "the radius' rate, %.3f decades per step far back (the largest singular value "
                  "only bounds one step).",
                  s, r, -rate);
  else
    text = format(" W_hh's largest singular value is %.2f, so no step of W_hh alone can grow a "
                  "gradient; far back it shrinks at its spectral radius' rate, %.2f per step "
                  "(%.3f decades).",
                  s, r, -rate);
  const double twin = decades(w.twin_log10_per_step);
  if (rate < 0 && twin < 0 && std::abs(twin - rate) >= 0.01)
    text += format(" Over these %d steps W_hh alone loses %.3f per step on average, %s than that "
                   "rate: the average still holds the first steps back, which lose %s.",
                   steps, -twin, twin > rate ? "less" : "more", twin > rate ? "less" : "more");
  return text;
}

}  // namespace

bool cell_state_on_solid_line(const Results& r, const DecayResult& d) {
  double lo = INFINITY, hi = -INFINITY;  // the plot's range of medians
  for (const DecayResult& job : r.decay)
    lo = std::min(lo, job.median_low), hi = std::max(hi, job.median_high);
  return std::isfinite(d.cell_state_gap) && d.cell_state_gap <= 0.015 * (hi - lo);
}

double log10_per_step_of(const std::vector<double>& curve) {
  int first = 0, last = static_cast<int>(curve.size()) - 1;
  while (first <= last && !std::isfinite(curve[first])) ++first;
  while (last >= first && !std::isfinite(curve[last])) --last;
  return last > first ? (curve[first] - curve[last]) / (last - first) : std::nan("");
}

std::string attribution_text(const DecayResult& d, const WhyResult& w) {
  if (!w.done || w.overflow_step || w.cell != d.cell || !std::isfinite(w.decay_log10_per_step) ||
      !std::isfinite(w.twin_log10_per_step))
    return "";
  const double total = decades(w.decay_log10_per_step), twin = decades(w.twin_log10_per_step);
  const double act = decades(total - twin);  // the activation's part, as printed
  std::string text;
  if (total < 0)
    text = format("its gradient loses %.3f decades per step back", -total);
  else if (total > 0)
    text = format("its gradient grows by %.3f decades per step back", total);
  else
    text = "its gradient neither grows nor shrinks measurably (0.000 decades per step back)";
  text += format(" (a factor %s per step on average: %s after 100 steps).",
                 power_text(w.decay_log10_per_step).c_str(),
                 power_text(100 * w.decay_log10_per_step).c_str());
  const char* alone = "W_hh alone (the same weights, inputs and seed gradient with no activation)";
  const std::string label = derivative_label(d);
  const char* name = derivative_name(d.cell);
  if (gs::cell_info(d.cell).activation == gs::Activation::Identity) {
    text += " There is no activation: the model is its own identity twin, so all of it is W_hh's.";
  } else if (total != 0 && twin * total > 0 && act * total >= 0) {  // both parts the same way
    text += format(" %s %s %.3f of them (%.0f%%); %s ", alone, total < 0 ? "loses" : "gives",
                   std::abs(twin), 100 * twin / total, label.c_str());
    text += act == 0 ? std::string("adds nothing measurable (0.000)")
                     : format("adds the other %.3f", std::abs(act));
    if (std::abs(act) > std::abs(twin))
      text += format(": here %s, not W_hh, does most of it", name);
    text += ".";
  } else if (total != 0 && twin * total > 0) {  // W_hh alone does more than all; act' pulls back
    text += format(" %s would %s %.3f decades per step, more than that; %s takes back %.3f: here "
                   "the activation adds %s.",
                   alone, total < 0 ? "lose" : "grow it by", std::abs(twin), label.c_str(),
                   std::abs(act), total < 0 ? "growth" : "decay");
  } else if (total != 0) {  // W_hh alone goes the other way, or nowhere: the activation decides
    const std::string w_alone =
        twin > 0   ? format("would grow it by %.3f decades per step", twin)
        : twin < 0 ? format("would lose %.3f decades per step", -twin)
                   : std::string("would keep it (0.000 decades per step)");
    text += format(" %s %s; %s adds %.3f decades of %s per step, so it %s: here %s, not W_hh, "
                   "makes it %s.",
                   alone, w_alone.c_str(), label.c_str(), std::abs(act),
                   act < 0 ? "decay" : "growth", total < 0 ? "vanishes" : "grows", name,
                   total < 0 ? "vanish" : "grow");
  } else {  // nothing in total: the two parts cancel
    text += format(" %s changes it by %+.3f decades per step and %s by %+.3f: they cancel.", alone,
                   twin, label.c_str(), act);
  }
  text += radius_text(w, w.steps);
  const double bound = w.gamma * w.sigma_max_whh;  // Pascanu et al.'s bound on ||J_t||
  if (gs::cell_info(d.cell).activation != gs::Activation::Identity && bound < 1)
    text += format(" With %s <= %.2g, no step can grow the gradient by more than %.2g x %.2f = "
                   "%.2f, below 1: vanishing is guaranteed (Pascanu et al. 2013).",
                   name, w.gamma, w.gamma, w.sigma_max_whh, bound);
  return text;
}

namespace {

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(text[0]));
  return text;
}

// For a diagonal step Jacobian: the norm's factor per step against the mean keep factor. Each
// unit's gradient is the product of its own factors, so far back the norm is that of the units
// that keep the most, and it falls more slowly than the mean factor would say.
std::string follows_largest_keep(const gs::ProbeAnalysis& a) {
  const double factor = std::pow(10.0, a.log10_per_step);
  if (!std::isfinite(factor) || factor < a.mean_gate + 0.02) return "";
  return format(" The norm falls more slowly than the mean %.2f would say: each unit's gradient "
                "is the product of its own factors, so far back the units that keep the most "
                "carry it.",
                a.mean_gate);
}

// One paragraph about one cell's decay curve. `why`: the cell's why job (W_hh's part of the
// decay, the spectral radius), or null while it computes.
// `drawn`: the model was drawn from the config (not your own), so its keys can change it.
std::string explain_cell(const Results& r, const DecayResult& job, const WhyResult* why, int steps,
                         bool drawn) {
  const gs::ProbeAnalysis& a = job.analysis;
  const char* name = cell_label(job.cell);
  if (job.overflow_step && !gs::has_recurrent_weights(job.cell))
    return format(  // its state is a mix of the last state and g(W x + b): only the inputs grow it
        "%s: %s. The loss is then beyond range too, so there is no gradient to carry back. The "
        "cell's state %s at every step, so only inputs or weights out of range grow it this far.",
        name, job.overflow.c_str(),
        gs::has_complex_state(job.cell) ? "is |lambda| < 1 times its last state plus gamma B x_t"
                                        : "mixes its last state with g(W x_t + b)");
  if (job.overflow_step)
    return format(
        "%s: %s. The loss is then beyond range too, so there is no gradient to carry back: "
        "this is the exploding side of the same product of Jacobians, here in the forward pass "
        "(W_hh's largest singular value is %.2f).",
        name, job.overflow.c_str(), a.sigma_max_whh);
  const std::string per_step = factor_text(a.log10_per_step);
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
  switch (gs::cell_info(job.cell).family) {
    case gs::CellFamily::Rnn: {
      // Each step back multiplies by J_t^T = W_hh^T diag(act'(a_t)): the measured slope split
      // into the identity twin's (W_hh alone) and the rest (act'), core/analyses/attribution.h.
      const std::string split = why ? attribution_text(job, *why) : "";
      if (split.empty())
        return format(
            "%s: each step back multiplies the gradient by J_t^T = %s; %s%s", name,
            gs::cell_info(job.cell).activation == gs::Activation::Identity
                ? "W_hh^T (no activation)"
                : format("W_hh^T diag(%s)", derivative_name(job.cell)).c_str(),
            measured.c_str(),
            !why && steps >= 2 ? " How much of it is W_hh's and how much the activation's is "
                                 "being computed."
                               : "");
      return format("%s: %s%s", name, split.c_str(),
                    a.steps_to_zero >= 0 ? (" " + capitalized(measured)).c_str() : "");
    }
    case gs::CellFamily::Lstm: {
      std::string text = format(
          "%s: along the cell path dc_{t-1} = f_t * dc_t the gradient is multiplied "
          "only by the forget gate, mean f = %.2f here%s; %s",
          name, a.mean_gate, drawn ? " (raise forget_bias to bring it near 1)" : "",
          measured.c_str());
      // the slopes of the two lines drawn: the thin f-only product and the dashed dL/dc_t
      const double f_only = log10_per_step_of(job.curve_forget_path);
      const double dc = log10_per_step_of(job.curve_c);
      if (std::isfinite(f_only) && std::isfinite(dc))
        text += format(" Along f alone (the thin line: the product of the forget gates) it is "
                       "multiplied by %s per step; the dashed line is the whole ||dL/dc_t||, "
                       "which also takes in what reaches c_t from h_t at every step: %s per "
                       "step%s.",
                       power_text(f_only).c_str(), power_text(dc).c_str(),
                       cell_state_on_solid_line(r, job) ? " (here it lies on the solid line)" : "");
      return text;
    }
    case gs::CellFamily::Gru:
      return format(
          "%s: the update gate keeps a share z of the old state, h_t = (1-z) n + z "
          "h_{t-1}, so the gradient passes back multiplied by z, mean z = %.2f here; %s "
          "With z near 0.5, as at initialization, the GRU's gradient still vanishes "
          "geometrically, if slower than a tanh RNN's: its larger advantage comes from "
          "training, which can learn z near 1 where something must be kept (see Training).",
          name, a.mean_gate, measured.c_str());
    case gs::CellFamily::MinGru:
      return format(
          "%s: there is no W_hh. h_t = (1-z) h_{t-1} + z h~ with z computed from x_t alone, so "
          "each step back multiplies the gradient by 1 - z_t, unit by unit, and by nothing "
          "else: the step Jacobian is diagonal. Mean 1 - z = %.2f here; %s Training moves the "
          "gate's weights and bias, and so where and how long the cell keeps its state.%s",
          name, a.mean_gate, measured.c_str(), follows_largest_keep(a).c_str());
    case gs::CellFamily::MinLstm:
      return format(
          "%s: there is no W_hh. h_t = f' h_{t-1} + i' h~ with f' = f/(f+i) and i' = 1 - f' "
          "computed from x_t alone, so each step back multiplies the gradient by f'_t, unit by "
          "unit, and by nothing else: the step Jacobian is diagonal. Mean f' = %.2f here; %s%s",
          name, a.mean_gate, measured.c_str(), follows_largest_keep(a).c_str());
    case gs::CellFamily::Lru: {
      std::string text = format(
          "%s: there is no W_hh and no gate. h_t = lambda h_{t-1} + gamma B x_t, with one "
          "complex lambda_j per unit, the same at every step and for every input, so each step "
          "back multiplies unit j's gradient by conj(lambda_j): after k steps by exactly "
          "|lambda_j|^k. Mean |lambda| = %.3f here; %s%s",
          name, a.mean_gate, measured.c_str(), follows_largest_keep(a).c_str());
      if (a.max_gate > 0 && a.max_gate < 1)
        text += format(" Its largest |lambda|, %.4g, keeps a gradient longest: that unit loses a "
                       "factor e of it every -1/ln|lambda| = %s steps, and sets the slope far "
                       "back.",
                       a.max_gate, g3_text(-1 / std::log(a.max_gate)).c_str());
      if (drawn && r.config.r_max < 1)
        text += format(" It was drawn on the ring %.3g <= |lambda| <= %.4g%s: a unit at the "
                       "ring's edge would lose a factor e every %s steps.",
                       r.config.r_min, r.config.r_max,
                       r.config.scale != 1 ? format(", then its memory times %g", r.config.scale).c_str()
                                           : "",
                       g3_text(-r.config.scale / std::log(r.config.r_max)).c_str());
      return text;
    }
  }
  return "";
}

// The cell's finished why job, or null.
const WhyResult* why_for(const Results& c, gs::CellKind cell) {
  for (const WhyResult& w : c.why)
    if (w.cell == cell && w.done) return &w;
  return nullptr;
}

// "Of the gradient at the loss (step 50), this much reaches step 1: LSTM 2.5e-5, GRU 3.1e-4." A
// cell whose gradient grew on the way back is said to grow ("... the gradient grows instead:
// RNN-tanh 66-fold"), one whose forward pass overflowed to have none.
std::string first_to_last_headline(const Results& c, int steps) {
  std::string reaching, growing, none;
  for (const DecayResult& d : c.decay) {
    const double v = d.analysis.log10_first_to_last;
    const char* name = cell_label(d.cell);
    if (d.overflow_step || std::isnan(v))
      none += format("%s%s", none.empty() ? "" : ", ", name);
    else if (v > 0)
      growing += format("%s%s %s-fold", growing.empty() ? "" : ", ", name, power_text(v).c_str());
    else
      reaching += format("%s%s %s", reaching.empty() ? "" : ", ", name, power_text(v).c_str());
  }
  std::string text;
  if (!reaching.empty())
    text = format("Of the gradient at the loss (step %d), this much reaches step 1: %s.", steps,
                  reaching.c_str());
  if (!growing.empty())
    text += format("%sFrom the loss (step %d) back to step 1 the gradient grows%s: %s.",
                   text.empty() ? "" : " ", steps, reaching.empty() ? "" : " instead",
                   growing.c_str());
  if (!none.empty())
    text += format("%sNo gradient reaches back for %s: the forward pass overflowed.",
                   text.empty() ? "" : " ", none.c_str());
  return text;
}

// What the initialization in effect does to the factor per step (issue 9: identity, orthogonal,
// chrono); the measured factors are in each cell's paragraph.
std::string explain_init(const gs::Config& c) {
  std::string text = format("Initialization: init=%s, scale %g", gs::init_name(c.init), c.scale);
  if (c.radius > 0) text += format(", W_hh rescaled to spectral radius %g", c.radius);
  text += ". ";
  switch (c.init) {
    case gs::InitKind::Uniform:
      // U(-b, b) entries have variance b^2 / 3 = 1 / (3 H): the circular law puts the eigenvalues
      // in a disc of radius sqrt(H / (3 H)) = 1/sqrt(3), the largest singular value near twice it.
      text += c.scale == 1 && c.radius == 0
                  ? "PyTorch's default: every weight of an RNN, LSTM or GRU from "
                    "U(-1/sqrt(H), 1/sqrt(H))."
                  : format("Every weight from U(-1/sqrt(H), 1/sqrt(H)) as PyTorch draws them, "
                           "then W_hh%s%s (PyTorch's default is scale 1%s).",
                           c.scale != 1 ? format(" multiplied by %g", c.scale).c_str() : "",
                           c.radius > 0 ? " rescaled as above" : "",
                           c.radius > 0 ? ", no rescaling" : "");
      if (c.radius == 0)
        text += format(" Such a W_hh's eigenvalues fill a disc of radius about %.2f (%g/sqrt(3), "
                       "the circular law) while its largest singular value is about twice that: "
                       "the radius sets the rate far back, the singular value only bounds one "
                       "step.",
                       c.scale / std::sqrt(3.0), c.scale);
      break;
    case gs::InitKind::Xavier:
      text += "Glorot's U(+-sqrt(6 / (fan_in + fan_out))) per gate block: for an RNN, LSTM or GRU "
              "larger weights than PyTorch's default, so the factor per step starts larger.";
      if (c.scale != 1) text += format(" W_hh is then multiplied by %g.", c.scale);
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
  const bool gated = std::any_of(c.cells.begin(), c.cells.end(),
                                 [](gs::CellKind k) { return gs::cell_info(k).chrono_applies; });
  if (c.chrono > 0 && gated)
    text += format(" chrono=%d (Tallec & Ollivier 2018): the LSTM's forget gate and the GRU's "
                   "update gate start between 1/2 and 1 - 1/%d per unit, the factor per step "
                   "along the kept path, so memory times spread up to %d steps.",
                   c.chrono, c.chrono, c.chrono);
  std::string without_whh;  // the selected gated cells that have no W_hh: "minGRU and minLSTM"
  for (size_t i = 0; i < c.cells.size(); ++i)
    if (!gs::has_recurrent_weights(c.cells[i]) && !gs::has_complex_state(c.cells[i]))
      without_whh += std::string(without_whh.empty() ? "" : " and ") + gs::cell_info(c.cells[i]).label;
  if (gs::selects(c, gs::CellKind::Lru))
    text += format(" The LRU has no W_hh and ignores init and radius: its eigenvalues are drawn "
                   "on the ring %.3g <= |lambda| <= %.4g with phases up to %.3g%s, its input gain "
                   "gamma = sqrt(1 - |lambda|^2), and B, C and D Gaussian.",
                   c.r_min, c.r_max, c.max_phase,
                   c.scale != 1 ? format(", then each |lambda| raised to 1/%g (its memory times "
                                         "%g)", c.scale, c.scale).c_str()
                                : "");
  if (!without_whh.empty())
    text += format(" The %s %s no W_hh: scale and radius leave %s as drawn, and %s its input "
                   "weights%s.",
                   without_whh.c_str(), without_whh.find(" and ") == std::string::npos ? "has" : "have",
                   without_whh.find(" and ") == std::string::npos ? "it" : "them",
                   c.init == gs::InitKind::Uniform ? "torch.nn.Linear's default draws"
                                                   : "init draws only",
                   c.init == gs::InitKind::Uniform ? ", U(-1/sqrt(I), 1/sqrt(I)) with I inputs" : "");
  return text;
}

// The "why it vanishes" page's views, from the worker's WhyResult per cell: a paragraph per cell
// (`per_cell`, given the cell's label), then the view's closing sentences.
std::string explain_why_page(const App& app,
                             std::string (*per_cell)(const WhyResult&, const char* name),
                             const char* closing) {
  if (!results_current(app)) return "Computing...";
  const Results& c = app.results;
  const bool done = !c.why.empty() && std::all_of(c.why.begin(), c.why.end(),
                                                  [](const WhyResult& w) { return w.done; });
  if (!done) return "Computing the spectra, the gates and the lag split...";
  std::string text;
  for (const WhyResult& w : c.why) {
    const char* name = cell_label(w.cell);
    if (w.overflow_step) {
      text += format("%s: the forward pass overflowed at step %d, so there is no Jacobian to "
                     "measure.\n\n", name, w.overflow_step);
      continue;
    }
    text += per_cell(w, name);
  }
  return text + closing;
}

std::string spectra_cell_text(const WhyResult& w, const char* name) {
  std::string text;
  const double ln10 = std::log(10.0);
  const double lambda = w.lyapunov.empty() ? NAN : w.lyapunov[0];
  text += format(
      "%s: the largest Lyapunov exponent is %.3g nats per step: far back, each step "
      "multiplies the gradient by %s; measured along this sequence, by %s.",
      name, lambda, power_text(lambda / ln10).c_str(),
      power_text(w.decay_log10_per_step).c_str());
  if (w.pascanu_bound > 0) {
    text += format(
        " W_hh's largest singular value is %.2f and act' <= %.2g, so no step can grow it "
        "by more than %.2f%s",
        w.sigma_max_whh, w.gamma, w.pascanu_bound,
        w.pascanu_bound < 1 ? ": vanishing is guaranteed."
        : !(lambda < 0)     ? ": above 1 the bound guarantees nothing."
                            : ": above 1 the bound guarantees nothing, yet the typical "
                              "direction still shrinks.");
    if (std::isfinite(w.spectral_radius_whh))
      text += format(" Far back, W_hh alone (no activation) multiplies it by its spectral "
                     "radius, %.2f, per step: a linear recurrence's rate; the largest "
                     "singular value only bounds one step.",
                     w.spectral_radius_whh);
  } else if (!w.keep_path.name.empty() && std::isfinite(w.keep_path_log10_per_step))
    text += format(" Along the %s alone, a typical unit's gradient (the geometric mean "
                   "over units) is multiplied by %s per step.",
                   w.keep_path.name.c_str(), power_text(w.keep_path_log10_per_step).c_str());
  text += "\n\n";
  return text;
}

std::string saturation_cell_text(const WhyResult& w, const char* name) {
  std::string text;
  for (const StepSeries& s : w.saturation) {
    double sum = 0;
    for (double v : s.mean) sum += v / s.mean.size();
    text += format("%s%s %s %.2f", &s == &w.saturation[0] ? name : "",
                   &s == &w.saturation[0] ? ": mean" : ",", s.name.c_str(), sum);
  }
  text += ".";
  // RNNs: what the derivative adds to the decay per step, beside W_hh's part
  if (gs::cell_info(w.cell).activation != gs::Activation::Identity && std::isfinite(w.twin_log10_per_step) &&
      std::isfinite(w.decay_log10_per_step)) {
    const double total = decades(w.decay_log10_per_step);
    const double twin = decades(w.twin_log10_per_step), act = decades(total - twin);
    text += format(
        " Of the %.3f decades per step its gradient %s, W_hh alone (no activation) %s "
        "%.3f and %s adds %.3f decades of %s.",
        std::abs(total), total > 0 ? "grows by" : "loses",
        twin > 0 ? "grows it by" : "loses", std::abs(twin), derivative_name(w.cell),
        std::abs(act), act > 0 ? "growth" : "decay");
  }
  text += "\n\n";
  return text;
}

std::string lag_split_cell_text(const WhyResult& w, const char* name) {
  std::string text;
  text += format("%s: ", name);
  for (size_t i = 0; i < w.share_above_lags.size(); ++i)
    text += format("%slags above %.0f carry %s of the update", i ? "; " : "",
                   w.share_above_lags[i], power_text(w.log10_share_above[i]).c_str());
  text += ".\n\n";
  return text;
}

std::string trainability_text(const Results& c) {
  const TrainabilityResult& t = c.trainability;
  if (!t.done) return "Mapping the gradient over recurrent scale and sequence length...";
  std::string text = format(
      "Each map shows, for a scale of W_hh (the LRU: of its memory; rows, %.2g to %.3g) and a length T (columns, %.0f to "
      "%.0f), how much of the gradient of a loss at step T reaches step 1.\n\n",
      t.scales.front(), t.scales.back(), t.lengths.front(), t.lengths.back());
  for (const TrainabilityResult::Cell& cell : t.cells) {
    if (gs::has_complex_state(cell.cell)) {  // its scale is its memory: |lambda| < 1 at any
      const double top = cell.lyapunov_max.empty() ? NAN : cell.lyapunov_max.back();
      text += format("%s: its rows scale each unit's memory, |lambda|^(1/scale), so it has no "
                     "edge: its largest exponent is ln max|lambda| < 0 at every scale (%.2g "
                     "nats per step at scale %.3g, T = %.0f), the edge approached but never "
                     "crossed, so the gradient never explodes.\n",
                     cell_label(cell.cell), top, t.scales.back(), t.lengths.back());
      continue;
    }
    text += std::isfinite(cell.edge_of_chaos)
                ? format("%s: the edge of chaos (largest Lyapunov exponent 0 at T = %.0f) is at "
                         "scale %.2g.\n",
                         cell_label(cell.cell), t.lengths.back(), cell.edge_of_chaos)
                : format("%s: no edge of chaos within these scales.\n", cell_label(cell.cell));
  }
  std::string unmapped;  // the cells without W_hh, which begin_trainability leaves out
  for (gs::CellKind cell : c.config.cells)
    if (!gs::scale_applies(cell))
      unmapped += std::string(unmapped.empty() ? "" : " and ") + cell_label(cell);
  if (!unmapped.empty())
    text += format("%s: not mapped, no W_hh for the scale to multiply.\n", unmapped.c_str());
  text += "\nBelow the edge the gradient vanishes at a constant rate per step, so the longer the "
          "sequence the less arrives; above it the dynamics are chaotic and gradients explode. "
          "Only near the edge does it travel far (Chen, Pennington & Schoenholz 2018).";
  return text;
}

}  // namespace

// The decay curves' story: also what Why says while no view with a text of its own is in focus.
std::string why_decay(const App& app) {
  const Results& c = app.results;
  const int steps = gs::task_shape(c.config.task, c.config.length).steps;
  if (!decay_done(c) || !results_current(app)) return "Computing the decay curves...";
  // The headline first: how much of the gradient at the loss is left at step 1, or how
  // much it grew on the way there.
  std::string text = first_to_last_headline(c, steps) + "\n\n";
  text += format(
      "BPTT carries dL/dh back one step at a time: dL/dh_{t-1} = J_t^T dL/dh_t. "
      "Over %d steps that is a product of %d Jacobians.\n\n",
      steps, steps - 1);
  for (const DecayResult& job : c.decay)
    text += explain_cell(c, job, why_for(c, job.cell), steps, !app.own_model.model) + "\n\n";
  if (!app.own_model.model)  // a loaded model's weights are its own: no initialization to explain
    text += explain_init(c.config) + "\n\n";
  return text;
}

// With your own model loaded, Why starts by saying which model and what its curve measures.
std::string explain(const App& app, View view) {
  const ViewRow* row = view_row(view);
  return own_model_why(app) + (row ? row->why(app) : why_decay(app));
}

std::string why_heatmap(const App& app) {
  std::string text = why_decay(app);
  if (decay_done(app.results) && results_current(app)) {
    text += std::string("In the heatmap each row is one hidden unit") +
            (gs::selects(app.results.config, gs::CellKind::Lru)
                 ? " (the LRU's are complex: a row is the size of the pair, "
                   "|(dL/dRe h_j, dL/dIm h_j)|, which falls as |lambda_j|^k)"
                 : "") +
            ": a dark left side means the units near the start of the sequence get (almost) no "
            "gradient, whatever the loss says.";
  }
  return text;
}

std::string why_sweep(const App& app) {
  const Results& c = app.results;
  if (!c.sweep_done || !results_current(app)) return "Sweeping sequence lengths...";
  std::string text =
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

std::string why_training(const App& app) {
  const Results& c = app.results;
  if (!c.train_error.empty()) return c.train_error;
  const int done = training_iterations(c);
  if (done == 0)
    return format(
        "Press Play to train every selected cell on the %s task (T = %d) with the "
        "same budget. Chance level, the loss of a model that remembers nothing, is "
        "the dashed line: %.3g.",
        gs::task_name(c.config.task), c.config.length,
        c.train.empty() ? 0.0 : c.train[0].chance_loss);
  std::string text =
      format("After %d iterations (mean of the last %d):\n\n", done, std::max(1, done / 10));
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

std::string why_spectra(const App& app) {
  return explain_why_page(
      app, spectra_cell_text,
      "Each backward step multiplies the gradient by J_t^T. The Lyapunov exponents are "
      "the average log stretching of their product: the largest one sets the decay "
      "slope far from the loss (dashed lines), whatever the loss's own direction.");
}

std::string why_saturation(const App& app) {
  return explain_why_page(
      app, saturation_cell_text,
      "act' <= 1 (tanh), <= 1/4 (sigmoid) or 0 (a dead ReLU unit) scales each unit's "
      "gradient at every step; the LSTM's forget gate f and the GRU's update gate z "
      "scale the paths that carry it without a squashing derivative, and the minGRU's 1 - z "
      "and the minLSTM's f' are each the whole step.");
}

std::string why_lag_split(const App& app) {
  return explain_why_page(
      app, lag_split_cell_text,
      "dL/dW_hh (dL/dW_ih for a cell without W_hh) is a sum of one term per step (Pascanu et "
      "al. 2013, eq. 4). The terms of "
      "long lags are what would teach long-range dependencies: when their share is tiny "
      "the update is made of short lags, however large dL/dh_1 is.");
}

std::string why_trainability(const App& app) {
  if (!results_current(app)) return "Computing...";
  return trainability_text(app.results);
}

void draw_why_view(const App& app, Widgets&, Changes&) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::Text("About: %s (%s)", view_name(app.focus),
              app.phone ? "the last view tab picked" : "click a view to explain it");
  ImGui::PopStyleColor();
  ImGui::Separator();
  text_wrapped(explain(app, app.focus));
}
