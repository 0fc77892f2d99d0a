// The critical-length experiment in core (critical.h): runs in canonical order, shards that
// partition them, the page's incremental runs equal to one go, scoring and the summary.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "training/critical.h"

using namespace gs;

namespace {

Config small_experiment() {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,gru&lengths=4,8&seeds=3&seed=5&hidden=4&batch=4&"
                       "iters=20") == "");
  return config;
}

}  // namespace

TEST_CASE("critical: runs in the order cell, length, seed, and shards that partition them") {
  const Config config = small_experiment();
  const std::vector<CriticalRun> runs = critical_runs(config);
  REQUIRE(runs.size() == 12);
  CHECK(runs[0].cell == CellKind::RnnTanh);
  CHECK(runs[0].length == 4);
  CHECK(runs[0].seed == 5);
  CHECK(runs[2].seed == 7);
  CHECK(runs[3].length == 8);
  CHECK(runs[6].cell == CellKind::Gru);
  for (int shards : {1, 2, 5, 12, 20}) {
    std::multiset<int> seen;
    for (int shard = 1; shard <= shards; ++shard)
      for (const CriticalRun& run : begin_critical(config, shard, shards).runs)
        seen.insert(run.index);
    CHECK(seen == std::multiset<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  }
}

TEST_CASE("critical: sliced runs equal one go, and rows, scores and summary follow the rules") {
  const Config config = small_experiment();
  const CriticalExperiment whole = run_critical(config);
  CriticalExperiment sliced = begin_critical(config);
  int calls = 0;
  while (!advance_critical(sliced, 3)) ++calls;
  CHECK(calls > 100);
  CHECK(sliced.iterations_done == sliced.iterations_total);
  REQUIRE(sliced.runs.size() == whole.runs.size());
  for (size_t i = 0; i < whole.runs.size(); ++i) {
    const CriticalRun& run = whole.runs[i];
    CHECK(critical_row(sliced.runs[i]) == critical_row(run));
    CHECK(run.done);
    // the final loss is the mean over the last 10% (2) of the run's iterations
    Trainer trainer = make_trainer(run.cell, critical_run_config(config, run));
    train_iterations(trainer, config.iters);
    CHECK(
        run.final_loss ==
        doctest::Approx((trainer.history[18].loss + trainer.history[19].loss) / 2).epsilon(1e-12));
    CHECK(run.solved == (run.final_loss < 0.1 * run.chance_loss));
  }
  // another threshold re-scores without training again
  CriticalExperiment rescored = whole;
  rescore_critical(rescored, 1.0);
  for (const CriticalRun& run : rescored.runs)
    CHECK(run.solved == (run.final_loss < run.chance_loss));
  CHECK(rescored.config.solve_threshold == 1.0);
  // the summary: the longest length at least half of the seeds (2 of 3) solve
  std::vector<CriticalRun> runs = whole.runs;
  for (CriticalRun& run : runs) run.solved = run.cell == CellKind::Gru && run.seed != 7;
  runs[3 + 2].solved = true;  // rnn-tanh, length 8, one seed of three: not enough
  const auto cells = critical_summary(config, runs);
  REQUIRE(cells.size() == 2);
  CHECK(cells[0].critical_length == 0);
  CHECK(cells[0].shares[1].solved == 1);
  CHECK(cells[1].critical_length == 8);
  CHECK(cells[1].shares[0].done == 3);
  CHECK(cells[1].shares[0].solved == 2);
  CHECK(critical_summary_lines(cells) == "# rnn-tanh critical_length=0\n# gru critical_length=8\n");
}

TEST_CASE("critical: a run that diverged is not solved and has no final loss") {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh&scale=2&optimizer=sgd&lr=0.1&momentum=0&clip=0&"
                       "lengths=10&seeds=1&iters=100&solve_threshold=1&seed=1") == "");
  const CriticalExperiment experiment = run_critical(config);
  const CriticalRun& run = experiment.runs[0];
  CHECK(run.diverged_at > 0);
  CHECK_FALSE(run.solved);
  CHECK(std::isnan(run.final_loss));
  CHECK(critical_row(run) == "rnn-tanh,10,1,overflow,0.1666666667,0");
}
