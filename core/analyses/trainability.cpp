#include "analyses/trainability.h"

#include <cmath>

#include "analyses/sweep.h"

namespace gs {

std::vector<double> scale_grid(double lo, double hi, int n, bool geometric) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const double u = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
    out.push_back(i == n - 1 && n > 1 ? hi
                  : geometric         ? lo * std::pow(hi / lo, u)
                                      : lo + (hi - lo) * u);
  }
  return out;
}

TrainabilityMap begin_trainability(const Config& config, const std::vector<double>& scales,
                                   std::shared_ptr<const GivenModel> given) {
  TrainabilityMap map;
  map.config = config;
  map.scales = scales;
  map.given = std::move(given);
  for (CellKind cell : config.cells) {
    if (!scale_applies(cell)) continue;  // the minimal cells: nothing for the scale to act on
    for (double scale : scales)
      for (int length : config.lengths) {
        TrainabilityPoint point;
        point.cell = cell;
        point.scale = scale;
        point.length = length;
        map.points.push_back(point);
        map.steps_total += int64_t{3} * probe_length(map.given.get(), config.task, length);
      }
  }
  return map;
}

bool advance_trainability(TrainabilityMap& map, int budget) {
  SpectrumOptions top_one;  // the largest exponent only: Q with one column, no singular values
  top_one.max_full_state = 0;
  top_one.top = 1;
  top_one.max_sampled_steps = 0;
  while (budget > 0 && map.next_point < map.points.size()) {
    TrainabilityPoint& point = map.points[map.next_point];
    if (map.stage == 0) {
      Config config = map.config;
      config.scale = point.scale;
      config.length = point.length;
      if (map.given) {
        GivenModel scaled = *map.given;
        scaled.model.params.weight_hh *= point.scale;
        // the LRU's memory times the scale: ln|lambda| = -exp(nu_log) divided by it
        scaled.model.params.nu_log.array() -= std::log(point.scale);
        map.probe = begin_probe(scaled, config, config.seed);
      } else {
        map.probe = begin_probe(point.cell, config, config.seed);
      }
      map.stage = 1;
    }
    if (map.stage == 1) {  // the forward pass and the decay curve
      if (!advance_probe_within(map.probe, budget, map.steps_done)) continue;
      point.log10_ratio = first_to_last_log10_ratio(map.probe.curve);
      with_lane(map.probe, [&](const auto& lane) {
        begin_spectrum(lane.model, lane.fwd, top_one, map.lyapunov);
      });
      map.stage = 2;
    }
    const int before = map.lyapunov.next_step;
    const bool done = with_lane(map.probe, [&](const auto& lane) {
      return spectrum_steps(lane.fwd, map.lyapunov, budget);
    });
    const int taken = map.lyapunov.next_step - before;
    budget -= std::max(1, taken);
    map.steps_done += taken;
    if (!done) continue;
    const Spectrum& s = map.lyapunov.result;
    point.lyapunov_max = s.overflow_step > 0 || s.lyapunov.empty() ? std::nan("") : s.lyapunov[0];
    if (s.overflow_step > 0) map.steps_done += s.steps;  // skipped: nothing to take
    map.probe = Probe();
    map.lyapunov = SpectrumJob();
    map.stage = 0;
    ++map.next_point;
  }
  return map.next_point == map.points.size();
}

TrainabilityMap run_trainability(const Config& config, const std::vector<double>& scales,
                                 std::shared_ptr<const GivenModel> given) {
  TrainabilityMap map = begin_trainability(config, scales, std::move(given));
  while (!advance_trainability(map, 1 << 30)) {
  }
  return map;
}

double edge_of_chaos(const TrainabilityMap& map, CellKind cell, int length) {
  const TrainabilityPoint* below = nullptr;
  for (const TrainabilityPoint& p : map.points) {
    if (p.cell != cell || p.length != length) continue;
    if (std::isnan(p.lyapunov_max)) {  // overflow: no number to cross with
      below = nullptr;
      continue;
    }
    if (below && below->lyapunov_max < 0 && p.lyapunov_max >= 0) {
      if (std::isinf(below->lyapunov_max)) return p.scale;  // from exactly 0: no slope to follow
      return below->scale + (p.scale - below->scale) * (0 - below->lyapunov_max) /
                                (p.lyapunov_max - below->lyapunov_max);
    }
    below = &p;
  }
  return std::nan("");
}

}  // namespace gs
