#include "training/critical.h"

#include <algorithm>
#include <cmath>

#include "io/number_format.h"

namespace gs {

std::vector<CriticalRun> critical_runs(const Config& config) {
  std::vector<CriticalRun> runs;
  for (CellKind cell : config.cells)
    for (int length : config.lengths)
      for (int s = 0; s < config.seeds; ++s) {
        CriticalRun run;
        run.cell = cell;
        run.length = length;
        run.seed = config.seed + s;
        run.index = static_cast<int>(runs.size());
        run.chance_loss = task_shape(config.task, length).chance_loss;
        runs.push_back(run);
      }
  return runs;
}

Config critical_run_config(const Config& config, const CriticalRun& run) {
  Config c = config;
  c.cells = {run.cell};
  c.length = run.length;
  c.seed = run.seed;
  c.seeds = 1;
  return c;
}

std::string validate_critical(const Config& config) {
  for (int length : config.lengths) {
    Config one = config;
    one.cells = {config.cells.front()};  // the runs train one cell at a time
    one.length = length;
    if (const std::string error = validate_for_training(one); !error.empty())
      return "lengths=" + lengths_text(config.lengths) +
             " do not fit the critical experiment, which trains each selected cell (" +
             cells_text(config.cells) + ") alone at every length: " + error;
  }
  return "";
}

CriticalExperiment begin_critical(const Config& config, int shard, int shards) {
  CriticalExperiment experiment;
  experiment.config = config;
  experiment.shard = shard;
  experiment.shards = shards;
  for (const CriticalRun& run : critical_runs(config))
    if (run.index % shards == shard - 1) experiment.runs.push_back(run);
  experiment.iterations_total = static_cast<int64_t>(experiment.runs.size()) * config.iters;
  return experiment;
}

CriticalExperiment begin_critical_run(const Config& config, int index) {
  CriticalExperiment experiment;
  experiment.config = config;
  const std::vector<CriticalRun> all = critical_runs(config);
  if (index >= 0 && index < static_cast<int>(all.size())) experiment.runs = {all[index]};
  experiment.iterations_total = static_cast<int64_t>(experiment.runs.size()) * config.iters;
  return experiment;
}

namespace {

bool solves(const CriticalRun& run, double threshold) {
  return run.final_loss < threshold * run.chance_loss;  // false for NaN (diverged) too
}

// Final loss, solved and divergence of a finished run.
void score(CriticalRun& run, const Trainer& trainer, const Config& config) {
  run.done = true;
  run.diverged_at = trainer.diverged_at;
  if (trainer.diverged_at) {
    run.final_loss = std::nan("");
    run.solved = false;
    return;
  }
  const int tail = std::max(1, config.iters / 10);  // as `gradscope train` reports it
  double loss = 0;
  for (int i = config.iters - tail; i < config.iters; ++i) loss += trainer.history[i].loss / tail;
  run.final_loss = loss;
  run.solved = solves(run, config.solve_threshold);
}

}  // namespace

void rescore_critical(CriticalExperiment& experiment, double solve_threshold) {
  experiment.config.solve_threshold = solve_threshold;
  rescore_runs(experiment.runs, solve_threshold);
}

void rescore_runs(std::vector<CriticalRun>& runs, double solve_threshold) {
  for (CriticalRun& run : runs)
    if (run.done) run.solved = solves(run, solve_threshold);
}

bool advance_critical(CriticalExperiment& e, int budget) {
  while (budget > 0 && e.next < e.runs.size()) {
    CriticalRun& run = e.runs[e.next];
    if (!e.started) {
      e.trainer = make_trainer(run.cell, critical_run_config(e.config, run));
      e.started = true;
    }
    Trainer& trainer = e.trainer;
    if (static_cast<int>(trainer.history.size()) < e.config.iters && !trainer.diverged_at) {
      // advance_training stops after one iteration, or when the budget is spent within one
      if (!advance_training(trainer, budget)) break;
      ++e.iterations_done;
      budget -= 2 * trainer.shape.steps;  // about what an iteration costs: forward + backward
      continue;
    }
    score(run, trainer, e.config);
    e.iterations_done += e.config.iters - static_cast<int64_t>(trainer.history.size());
    e.trainer = Trainer();
    e.started = false;
    ++e.next;
  }
  return e.next == e.runs.size();
}

CriticalExperiment run_critical(const Config& config, int shard, int shards) {
  CriticalExperiment experiment = begin_critical(config, shard, shards);
  while (!advance_critical(experiment, 1 << 30)) {
  }
  return experiment;
}

std::string critical_row(const CriticalRun& run) {
  return std::string(cell_name(run.cell)) + "," + std::to_string(run.length) + "," +
         std::to_string(run.seed) + "," + format_value(run.final_loss) + "," +
         format_value(run.chance_loss) + "," + (run.solved ? "1" : "0");
}

std::vector<CriticalCell> critical_summary(const Config& config,
                                           const std::vector<CriticalRun>& runs) {
  std::vector<CriticalCell> cells;
  for (CellKind cell : config.cells) {
    CriticalCell summary;
    summary.cell = cell;
    for (int length : config.lengths) {
      CriticalShare share;
      share.length = length;
      for (const CriticalRun& run : runs)
        if (run.done && run.cell == cell && run.length == length) {
          ++share.done;
          share.solved += run.solved;
        }
      if (2 * share.solved >= config.seeds) summary.critical_length = length;
      summary.shares.push_back(share);
    }
    cells.push_back(summary);
  }
  return cells;
}

std::string critical_summary_lines(const std::vector<CriticalCell>& cells) {
  std::string text;
  for (const CriticalCell& cell : cells)
    text += "# " + std::string(cell_name(cell.cell)) +
            " critical_length=" + std::to_string(cell.critical_length) + "\n";
  return text;
}

}  // namespace gs
