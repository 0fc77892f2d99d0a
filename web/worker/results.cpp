#include "worker/results.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analyses/quantiles.h"

std::string page_training_error(const gs::Config& c) {
  const std::string error = gs::validate_for_training(c);
  if (!error.empty()) return error;
  const int I = gs::task_shape(c.task, c.length).input_size;
  const double step_cost = 4.0 * c.hidden * (c.hidden + I) * c.batch * 3;  // LSTM, fwd + bwd
  if (step_cost > 2e7)
    return "hidden=" + std::to_string(c.hidden) + " with batch=" + std::to_string(c.batch) +
           " is too large to train in the page: lower them, or train with the CLI "
           "(gradscope train)";
  return "";
}

bool decay_done(const Results& results) {
  return std::all_of(results.decay.begin(), results.decay.end(),
                     [](const DecayResult& r) { return r.done; });
}

int lockstep_iterations(const std::vector<int>& done, const std::vector<char>& diverged) {
  int fewest = std::numeric_limits<int>::max(), most = 0;
  for (size_t i = 0; i < done.size(); ++i) {
    most = std::max(most, done[i]);
    if (!diverged[i]) fewest = std::min(fewest, done[i]);
  }
  return fewest == std::numeric_limits<int>::max() ? most : fewest;
}

int training_iterations(const Results& results) {
  std::vector<int> done;
  std::vector<char> diverged;
  for (const TrainResult& r : results.train) {
    done.push_back(static_cast<int>(r.history.size()));
    diverged.push_back(r.diverged_at != 0);
  }
  return lockstep_iterations(done, diverged);
}

double recent_loss(const TrainResult& r, int iterations) {
  iterations = std::min(iterations, static_cast<int>(r.history.size()));
  if (iterations <= 0) return NAN;
  const int tail = std::max(1, iterations / 10);
  double loss = 0;
  for (int i = iterations - tail; i < iterations; ++i) loss += r.history[i].loss / tail;
  return loss;
}

void summarize_decay(DecayResult& r) {
  // At 100,000 steps these arrays are megabytes, made while a frame waits: filled by assign (one
  // copy, no zero fill first), and one probe's quantiles are not copies of its curve.
  const size_t T = r.curves[0].size();
  r.lags.resize(T);
  for (size_t k = 0; k < T; ++k) r.lags[k] = static_cast<double>(k);
  if (r.curves.size() == 1) {  // one probe is its own median; no band
    r.median_by_lag.assign(r.curves[0].rbegin(), r.curves[0].rend());  // k = T - t
    r.lo_by_lag.clear();
    r.hi_by_lag.clear();
  } else {
    r.median_by_lag.resize(T);
    r.lo_by_lag.resize(T);
    r.hi_by_lag.resize(T);
    std::vector<double> at_t(r.curves.size());
    for (size_t k = 0; k < T; ++k) {
      for (size_t i = 0; i < r.curves.size(); ++i) at_t[i] = r.curves[i][T - 1 - k];
      double q[3];
      gs::quantiles(at_t, {0.5, 0.1, 0.9}, q);
      r.median_by_lag[k] = q[0], r.lo_by_lag[k] = q[1], r.hi_by_lag[k] = q[2];
    }
  }
  r.c_by_lag.assign(r.curve_c.rbegin(), r.curve_c.rend());
  r.forget_path_by_lag.assign(r.curve_forget_path.rbegin(), r.curve_forget_path.rend());

  r.median_low = INFINITY, r.median_high = -INFINITY;
  for (double v : r.median_by_lag)
    if (std::isfinite(v))
      r.median_low = std::min(r.median_low, v), r.median_high = std::max(r.median_high, v);
  r.cell_state_gap = NAN;
  if (r.curve_c.size() == T)
    for (size_t t = 0; t < T; ++t) {
      const double gap = std::abs(r.curve_c[t] - r.curves[0][t]);
      if (std::isfinite(gap))
        r.cell_state_gap = std::isnan(r.cell_state_gap) ? gap : std::max(r.cell_state_gap, gap);
    }
}

void make_heat_columns(DecayResult& r, const std::vector<float>& unit_map, int H) {
  const int T = static_cast<int>(unit_map.size() / H);
  const int per = std::max(1, (T + kMaxHeatmapColumns - 1) / kMaxHeatmapColumns);
  const int columns = (T + per - 1) / per;
  r.steps_per_column = per;
  r.steps = T;
  r.heat_columns.assign(static_cast<size_t>(H) * columns, -std::numeric_limits<float>::infinity());
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < H; ++j) {
      float& cell = r.heat_columns[static_cast<size_t>(j) * columns + t / per];
      const float value = unit_map[static_cast<size_t>(t) * H + j];
      cell = std::isnan(value) || std::isnan(cell) ? NAN : std::max(cell, value);  // overflow wins
    }
}
