// The page's "what fixes it" jobs (web/worker/remedy_jobs.cpp), run by the compute worker a slice at a
// time, give exactly the numbers of the one-shot core calls the CLI prints (critical, cliff,
// truncation), and the worker's messages carry them to the page's Results unchanged.
#include <doctest/doctest.h>

#include "analyses/cliff.h"
#include "worker/compute.h"
#include "worker/protocol.h"

using namespace gs;

namespace {

double fake_clock_ms = 0;
double fake_now() { return fake_clock_ms += 0.01; }

// Advances and delivers every message until the worker is idle.
void run_to_idle(Compute& compute, Outbox& outbox, Results& page) {
  std::vector<uint8_t> message;
  for (int slice = 0; slice < 10000000; ++slice) {
    const bool more = compute_advance(compute, 0.05, fake_now);
    encode_update(compute, WorkerStatus(), outbox, message);
    REQUIRE(apply_update(page, message.data(), message.size()) == "");
    if (!more) return;
  }
  FAIL("the worker never went idle");
}

}  // namespace

TEST_CASE("the cliff, the truncation cosines and the critical experiment reach the page as core computes them") {
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-tanh,lstm&length=12&hidden=4&batch=3&lengths=4,8&"
                               "seeds=2&iters=30&task=adding") == "");
  Compute compute;
  Outbox outbox;
  Results page;
  compute_sync(compute, config);
  run_to_idle(compute, outbox, page);

  // the cliff: the default grid, every point as cliff_point computes it; the first paths
  const CliffResult& cliff = page.cliff;
  REQUIRE(cliff.done);
  REQUIRE(cliff.w.size() == 81);
  REQUIRE(cliff.b.size() == 81);
  const CliffProblem problem;
  for (size_t i : {size_t(0), size_t(40), size_t(80)})
    for (size_t j : {size_t(0), size_t(33), size_t(80)}) {
      const CliffPoint p = cliff_point(problem, cliff.w[i], cliff.b[j]);
      CHECK(cliff.loss[i * 81 + j] == p.loss);
      CHECK(cliff.grad_w[i * 81 + j] == p.grad_w);
    }
  REQUIRE(cliff.paths_generation == 1);
  const auto plain = cliff_descent(problem, kCliffStartW, kCliffStartB, kCliffLr, kCliffIterations, 0);
  REQUIRE(cliff.plain.w.size() == plain.size());
  CHECK(cliff.plain.w.back() == plain.back().w);
  int clipped = 0;
  for (uint8_t c : cliff.clipped.clipped) clipped += c;
  CHECK(clipped > 0);

  // a clicked start replaces the paths
  cliff_command(compute, 2.0, -1.0);
  run_to_idle(compute, outbox, page);
  CHECK(page.cliff.paths_generation == 2);
  CHECK(page.cliff.plain.w.front() == 2.0);

  // truncation: per cell, the cosines of one probe run in one go
  REQUIRE(page.truncation.error == "");
  REQUIRE(page.truncation.cells.size() == 2);
  for (const TruncationResult::Cell& cell : page.truncation.cells) {
    REQUIRE(cell.done);
    const TruncationProbe probe = run_truncation_probe(cell.cell, config);
    CHECK(cell.cosine == probe.cosine);
  }

  // the critical experiment: nothing before Run; after it, the runs of run_critical
  CHECK(page.critical.runs.empty());
  CHECK(page.critical.runs_total == 2 * 2 * 2);
  critical_command(compute, CriticalAction::Run);
  run_to_idle(compute, outbox, page);
  REQUIRE(page.critical.done);
  const CriticalExperiment whole = run_critical(config);
  REQUIRE(page.critical.runs.size() == whole.runs.size());
  for (size_t i = 0; i < whole.runs.size(); ++i) {
    CHECK(critical_row(page.critical.runs[i]) == critical_row(whole.runs[i]));
  }
  CHECK(critical_summary_lines(page.critical.cells) ==
        critical_summary_lines(critical_summary(config, whole.runs)));

  // a new solve_threshold re-scores without training again
  Config stricter = config;
  stricter.solve_threshold = 1e-9;
  compute_sync(compute, stricter);
  run_to_idle(compute, outbox, page);
  REQUIRE(page.critical.runs.size() == whole.runs.size());
  for (const CriticalRun& run : page.critical.runs) CHECK_FALSE(run.solved);
}

TEST_CASE("the critical experiment in a pool: helpers' runs arrive out of order, the page gets run_critical's rows") {
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-tanh,lstm&hidden=4&batch=3&lengths=4,8&seeds=2&iters=30&"
                               "task=adding") == "");
  Compute compute;
  Outbox outbox;
  Results page;
  compute_sync(compute, config);
  run_to_idle(compute, outbox, page);
  CriticalJob& job = compute.critical;
  CHECK(critical_helper_take(job) == -1);  // nothing before Run
  critical_command(compute, CriticalAction::Run);
  // two helpers take the two longest free runs (tanh at length 8, seeds 2 and 3); Stop gives
  // them back, Run again, they retake them
  CHECK(critical_helper_take(job) == 2);
  CHECK(critical_helper_take(job) == 3);
  critical_command(compute, CriticalAction::Stop);
  CHECK(critical_helper_take(job) == -1);
  critical_command(compute, CriticalAction::Run);
  const std::vector<int> helper_runs = {critical_helper_take(job), critical_helper_take(job),
                                        critical_helper_take(job)};
  CHECK(helper_runs == std::vector<int>{2, 3, 6});
  // this worker trains the others meanwhile; the page gets each as it finishes, in canonical
  // order, with the helpers' places still empty
  run_to_idle(compute, outbox, page);
  CHECK_FALSE(page.critical.done);
  std::vector<int> indices;
  for (const CriticalRun& run : page.critical.runs) indices.push_back(run.index);
  CHECK(indices == std::vector<int>{0, 1, 4, 5, 7});
  // the helpers answer last run first; an answer for an older experiment is dropped
  const CriticalExperiment whole = run_critical(config);
  CriticalRun stale = whole.runs[2];
  critical_helper_result(job, job.generation - 1, stale, fake_now());
  CHECK_FALSE(job.runs[2].done);
  critical_command(compute, CriticalAction::Stop);  // and one that arrives after Stop
  critical_helper_result(job, job.generation, stale, fake_now());
  CHECK_FALSE(job.runs[2].done);
  critical_command(compute, CriticalAction::Run);  // the helpers take their runs again
  CHECK(critical_helper_take(job) == 2);
  CHECK(critical_helper_take(job) == 3);
  CHECK(critical_helper_take(job) == 6);
  for (auto it = helper_runs.rbegin(); it != helper_runs.rend(); ++it) {
    CriticalExperiment one = begin_critical_run(config, *it);
    REQUIRE(one.runs.size() == 1);
    while (!advance_critical(one, 1 << 30)) {
    }
    CriticalRun run = job.runs[*it];  // what a helper sends back: its final loss and divergence
    run.final_loss = one.runs[0].final_loss;
    run.diverged_at = one.runs[0].diverged_at;
    critical_helper_result(job, job.generation, run, fake_now());
    run_to_idle(compute, outbox, page);
  }
  REQUIRE(page.critical.done);
  CHECK(page.critical.progress == 1);
  REQUIRE(page.critical.runs.size() == whole.runs.size());
  for (size_t i = 0; i < whole.runs.size(); ++i)
    CHECK(critical_row(page.critical.runs[i]) == critical_row(whole.runs[i]));
  CHECK(critical_summary_lines(page.critical.cells) ==
        critical_summary_lines(critical_summary(config, whole.runs)));
}
