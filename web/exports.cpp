// Sharing and export: the link, the numbers behind the view in focus as CSV, the canvas as PNG.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/number_format.h"
#include <string>

#include "bridge.h"
#include "views.h"

namespace {

// log10 values in number_format.h's encoding: empty (exactly zero), "overflow", or the number.
void append_number(std::string& out, double value) { out += gs::format_log10(value); }

}  // namespace

std::string decay_csv(const App& app) {
  const Results& c = app.results;
  std::string out = "cell,seed,t,lag,log10_grad_norm,sequence\n";
  const int sequences = c.config.sequences;
  for (const DecayResult& job : c.decay)
    for (size_t k = 0; k < job.curves.size(); ++k) {  // probe k: seed-major
      const std::vector<double>& curve = job.curves[k];
      const int T = static_cast<int>(curve.size());
      const std::string seed = std::to_string(c.config.seed + k / sequences);
      const std::string sequence = std::to_string(k % sequences);
      for (int t = 1; t <= T; ++t) {
        out += std::string(gs::cell_name(job.cell)) + "," + seed + "," + std::to_string(t) + "," +
               std::to_string(T - t) + ",";
        append_number(out, curve[t - 1]);
        out += "," + sequence + "\n";
      }
    }
  return out;
}

std::string sweep_csv(const App& app) {
  const Results& c = app.results;
  std::string out = "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences\n";
  for (const gs::SweepPoint& p : c.sweep_points) {
    out += std::string(gs::cell_name(p.cell)) + "," + std::to_string(p.length);
    for (double value : {p.mean, p.stddev, p.min, p.max}) {
      out += ",";
      append_number(out, value);
    }
    out += "," + std::to_string(c.config.seeds) + "," + std::to_string(c.config.sequences) + "\n";
  }
  return out;
}

// What the heatmap shows: one row per unit and column of steps t_first..t_last (a single step
// up to kMaxHeatmapColumns steps), the largest log10 |dL/dh_t[j]| over those steps.
std::string heatmap_csv(const App& app) {
  const Results& c = app.results;
  std::string out = "cell,t_first,t_last,unit,log10_abs_grad\n";
  for (const DecayResult& job : c.decay) {
    if (!job.done) continue;
    const int H = c.config.hidden;  // a row per unit (the LRU's: its complex units' sizes)
    const int columns = static_cast<int>(job.heat_columns.size() / H);
    for (int k = 0; k < columns; ++k) {
      const int first = k * job.steps_per_column + 1;
      const int last = std::min(job.steps, first + job.steps_per_column - 1);
      for (int j = 0; j < H; ++j) {
        out += std::string(gs::cell_name(job.cell)) + "," + std::to_string(first) + "," +
               std::to_string(last) + "," + std::to_string(j) + ",";
        append_number(out, job.heat_columns[static_cast<size_t>(j) * columns + k]);
        out += "\n";
      }
    }
  }
  return out;
}

// The spectra: every singular value at the sampled steps, then the Lyapunov exponents.
std::string spectra_csv(const App& app) {
  std::string out = "cell,quantity,t,index,value\n";
  for (const WhyResult& w : app.results.why) {
    const std::string cell = gs::cell_name(w.cell);
    for (size_t k = 0; k < w.step_sv.size(); ++k)
      for (size_t i = 0; i < w.step_sv[k].size(); ++i)
        out += cell + ",singular_value," + std::to_string(static_cast<int>(w.sv_steps[k])) + "," +
               std::to_string(i + 1) + "," + gs::format_value(w.step_sv[k][i]) + "\n";
    for (size_t i = 0; i < w.lyapunov.size(); ++i)
      out += cell + ",lyapunov_exponent,," + std::to_string(i + 1) + "," +
             gs::format_log10(w.lyapunov[i]) + "\n";
  }
  return out;
}

std::string saturation_csv(const App& app) {
  std::string out = "cell,quantity,t,mean,q25,median,q75\n";
  for (const WhyResult& w : app.results.why)
    for (const StepSeries& s : w.saturation)
      for (size_t i = 0; i < s.steps.size(); ++i) {
        out += std::string(gs::cell_name(w.cell)) + "," + s.name + "," +
               std::to_string(static_cast<int>(s.steps[i])) + "," + gs::format_value(s.mean[i]);
        for (const std::vector<double>* q : {&s.q25, &s.median, &s.q75})
          out += "," + (q->empty() ? std::string() : gs::format_value((*q)[i]));
        out += "\n";
      }
  return out;
}

std::string lag_split_csv(const App& app) {
  std::string out = "cell,t,lag,log10_term_norm,log10_share\n";
  for (const WhyResult& w : app.results.why) {
    const StepSeries& s = w.lag_terms;
    for (size_t i = 0; i < s.steps.size(); ++i)
      out += std::string(gs::cell_name(w.cell)) + "," +
             std::to_string(static_cast<int>(s.steps[i])) + "," +
             std::to_string(w.steps - static_cast<int>(s.steps[i])) + "," +
             gs::format_log10(s.mean[i]) + "," + gs::format_log10(s.mean[i] - w.log10_total) +
             "\n";
  }
  return out;
}

// The columns of `gradscope trainability`, the exponent in nats per step.
std::string trainability_csv(const App& app) {
  const TrainabilityResult& t = app.results.trainability;
  std::string out = "cell,scale,length,log10_ratio,lyapunov_max\n";
  const size_t cols = t.lengths.size();
  for (const TrainabilityResult::Cell& c : t.cells)
    for (size_t row = 0; row < t.scales.size(); ++row)
      for (size_t col = 0; col < cols; ++col)
        out += std::string(gs::cell_name(c.cell)) + "," + gs::format_value(t.scales[row]) + "," +
               std::to_string(static_cast<int>(t.lengths[col])) + "," +
               gs::format_log10(c.log10_ratio[row * cols + col]) + "," +
               gs::format_log10(c.lyapunov_max[row * cols + col]) + "\n";
  return out;
}

std::string training_csv(const App& app) {
  // The columns of `gradscope train`.
  std::string out = "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped\n";
  for (const TrainResult& job : app.results.train)
    for (const gs::TrainRecord& r : job.history) {
      char rest[120];
      std::snprintf(rest, sizeof rest, ",%.6g,%d,%d\n", r.accuracy, r.skipped, r.clipped);
      out += std::string(gs::cell_name(job.cell)) + "," + std::to_string(r.iteration) + "," +
             gs::format_value(r.loss) + "," + gs::format_value(job.chance_loss) + "," +
             gs::format_value(r.grad_norm) + rest;
    }
  return out;
}

// The critical experiment's finished runs and summary, as `gradscope critical` prints them.
std::string critical_csv(const App& app) {
  const CriticalResult& c = app.results.critical;
  std::string out = std::string(gs::kCriticalHeader) + "\n";
  for (const gs::CriticalRun& run : c.runs) out += gs::critical_row(run) + "\n";
  if (c.done) out += gs::critical_summary_lines(c.cells);
  return out;
}

// The cliff's surface, as `gradscope cliff` prints it at its default grid.
std::string cliff_csv(const App& app) {
  const CliffResult& c = app.results.cliff;
  std::string out = "w,b,loss,grad_w,grad_b\n";
  if (!c.done) return out;
  for (size_t i = 0; i < c.w.size(); ++i)
    for (size_t j = 0; j < c.b.size(); ++j) {
      const size_t k = i * c.b.size() + j;
      out += gs::format_exact(c.w[i]) + "," + gs::format_exact(c.b[j]) + "," +
             gs::format_exact(c.loss[k]) + "," + gs::format_exact(c.grad_w[k]) + "," +
             gs::format_exact(c.grad_b[k]) + "\n";
    }
  return out;
}

// The truncation cosines, as `gradscope truncation` prints them (with the cell in front).
std::string truncation_csv(const App& app) {
  std::string out = "cell,k,cosine\n";
  for (const TruncationResult::Cell& c : app.results.truncation.cells)
    for (size_t k = 0; k < c.cosine.size(); ++k)
      out += std::string(gs::cell_name(c.cell)) + "," + std::to_string(k + 1) + "," +
             gs::format_value(c.cosine[k]) + "\n";
  return out;
}

// The new cells' page: the eigenvalues as pairs; the curse of memory's curves and its descent
// (the CSV `gradscope memory-descent` prints for the same keys).
std::string eigenvalues_csv(const App& app) {
  std::string out = "cell,step,re,im\n";
  for (const WhyResult& w : app.results.why)
    for (size_t s = 0; s < w.step_eigenvalues.size() && s < w.eigenvalue_steps.size(); ++s)
      for (size_t i = 0; i + 1 < w.step_eigenvalues[s].size(); i += 2)
        out += std::string(gs::cell_name(w.cell)) + "," +
               std::to_string(static_cast<int>(w.eigenvalue_steps[s])) + "," +
               gs::format_exact(w.step_eigenvalues[s][i]) + "," +
               gs::format_exact(w.step_eigenvalues[s][i + 1]) + "\n";
  return out;
}

std::string landscape_csv(const App& app) {
  const MemoryCurves& m = app.memory;
  std::string out =
      "lambda,loss,normalized_loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp\n";
  for (size_t i = 0; i < m.points.size(); ++i) {
    const gs::MemoryPoint& p = m.points[i];
    out += gs::format_exact(p.lambda) + "," + gs::format_exact(p.loss) + "," +
           gs::format_exact(m.normalized_loss[i]) + "," + gs::format_exact(p.sensitivity_plain) +
           "," + gs::format_exact(p.sensitivity_normalized) + "," +
           gs::format_exact(p.sensitivity_expexp) + "\n";
  }
  return out;
}

std::string learning_csv(const App& app) {
  return gs::memory_descent_csv(app.memory.paths, app.memory.descent.iterations);
}

// Presets and the tour are links: their numbers are the decay curves they set up; Why and the
// controls are never in focus (only the plot views are).
std::string view_csv(const App& app, View view) {
  const ViewRow* row = view_row(view);
  return row ? row->csv(app) : decay_csv(app);
}

void copy_link(const App&) {
  bridge_copy_link();  // the page's URL, whose hash is the whole configuration
}

void download_csv(const App& app) {
  const std::string name = std::string("gradscope-") + view_name(app.focus) + ".csv";
  bridge_download(name.c_str(), "text/csv", view_csv(app, app.focus));
}

void save_png_now(App& app) {
  app.save_png_requested = false;
  bridge_download_canvas_png("gradscope.png");
}
