#include "worker/protocol.h"

#include <algorithm>

#include "worker/compute.h"
#include "worker/wire.h"

namespace {

using wire::Reader;
using wire::Writer;

const uint32_t kMagic = 0x31555347;  // "GSU1": gradscope update, version 1

// Per cell, a result sent once, when it is done: the cell, whether its result follows, and then
// the result (`payload` writes it). The caller sends the number of cells first.
template <class Jobs, class Payload>
void write_each_once_done(Writer& w, const Jobs& jobs, std::vector<char>& sent, Payload&& payload) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& result = jobs[i].result;
    const bool send = result.done && !sent[i];
    w.put(result.cell);
    w.put(send);
    if (!send) continue;
    sent[i] = 1;
    payload(result);
  }
}

// The page's side, into `results` (one per cell): `payload` reads a result that follows.
template <class Result, class Payload>
void read_each_once_done(Reader& r, uint32_t cells, std::vector<Result>& results,
                         Payload&& payload) {
  for (uint32_t i = 0; r.ok() && i < cells && i < results.size(); ++i) {
    r.get(results[i].cell);
    if (r.get<bool>()) payload(results[i]);
  }
}

// --- what vanishes: the decay curves, the sweep, training --------------------------------------
// Each part of a message starts with its generation: the page starts that part over when it
// changes (a restart of the worker's job).

// Decay: per cell, its whole result once it is finished (the page summarizes it itself).
void write_decay(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.decay_generation != c.decay_generation) {
    outbox.decay_generation = c.decay_generation;
    outbox.decay_sent.assign(c.decay.size(), 0);
  }
  w.put<int64_t>(c.decay_generation);
  w.put(decay_progress(c));
  w.put<uint32_t>(static_cast<uint32_t>(c.decay.size()));
  write_each_once_done(w, c.decay, outbox.decay_sent, [&](const DecayResult& d) { w.put(d); });
}

void read_decay(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  results.decay_progress = r.get<double>();
  const uint32_t cells = r.get<uint32_t>();
  if (generation != results.decay_generation) {
    results.decay_generation = generation;
    results.decay.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, DecayResult());
  }
  read_each_once_done(r, cells, results.decay, [&](DecayResult& d) {
    r.get(d);
    if (!r.ok() || d.curves.empty()) return;
    summarize_decay(d);
    d.done = true;
  });
}

// Sweep: the points finished since the last message.
void write_sweep(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.sweep_generation != c.sweep_generation) {
    outbox.sweep_generation = c.sweep_generation;
    outbox.sweep_sent = 0;
  }
  w.put<int64_t>(c.sweep_generation);
  w.put(sweep_progress(c));
  w.put(c.sweep_done);
  const size_t finished = c.sweep.next_point;
  w.put<uint32_t>(static_cast<uint32_t>(outbox.sweep_sent));
  w.put(std::vector<gs::SweepPoint>(c.sweep.points.begin() + outbox.sweep_sent,
                                    c.sweep.points.begin() + finished));
  outbox.sweep_sent = finished;
}

void read_sweep(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  results.sweep_progress = r.get<double>();
  results.sweep_done = r.get<bool>();
  if (generation != results.sweep_generation) {
    results.sweep_generation = generation;
    results.sweep_points.clear();
  }
  const uint32_t first = r.get<uint32_t>();
  const std::vector<gs::SweepPoint> points = r.get<std::vector<gs::SweepPoint>>();
  // in order, as messages arrive: a gap cannot happen
  if (r.ok() && first == results.sweep_points.size())
    results.sweep_points.insert(results.sweep_points.end(), points.begin(), points.end());
}

// Training: the status, and per cell the records since the last message.
void write_training(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.train_generation != c.train_generation) {
    outbox.train_generation = c.train_generation;
    outbox.train_sent.assign(c.train.size(), 0);
  }
  w.put<int64_t>(c.train_generation);
  w.put(c.train_error);
  w.put(c.playing);
  w.put<int32_t>(c.target_iterations);
  w.put(c.iterations_per_second);
  w.put<uint32_t>(static_cast<uint32_t>(c.train.size()));
  for (size_t i = 0; i < c.train.size(); ++i) {
    const gs::Trainer& t = c.train[i].trainer;
    w.put(t.cell);
    w.put(t.shape.chance_loss);
    w.put<int32_t>(t.diverged_at);
    w.put(t.divergence);
    w.put<uint32_t>(static_cast<uint32_t>(outbox.train_sent[i]));
    w.put(std::vector<gs::TrainRecord>(t.history.begin() + outbox.train_sent[i], t.history.end()));
    outbox.train_sent[i] = t.history.size();
  }
}

void read_training(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  results.train_error = r.get<std::string>();
  results.playing = r.get<bool>();
  results.target_iterations = r.get<int32_t>();
  results.iterations_per_second = r.get<double>();
  const uint32_t cells = r.get<uint32_t>();
  if (generation != results.train_generation) {
    results.train_generation = generation;
    results.train.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, TrainResult());
  }
  for (uint32_t i = 0; r.ok() && i < cells && i < results.train.size(); ++i) {
    TrainResult& t = results.train[i];
    r.get(t.cell);
    t.chance_loss = r.get<double>();
    t.diverged_at = r.get<int32_t>();
    t.divergence = r.get<std::string>();
    const uint32_t first = r.get<uint32_t>();
    const std::vector<gs::TrainRecord> records = r.get<std::vector<gs::TrainRecord>>();
    if (r.ok() && first == t.history.size())
      t.history.insert(t.history.end(), records.begin(), records.end());
  }
}

// --- why it vanishes: per cell once finished, and the trainability map once finished ---

void write_why(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.why_generation != c.why_generation) {
    outbox.why_generation = c.why_generation;
    outbox.why_sent.assign(c.why.size(), 0);
  }
  w.put<int64_t>(c.why_generation);
  w.put<uint32_t>(static_cast<uint32_t>(c.why.size()));
  write_each_once_done(w, c.why, outbox.why_sent, [&](const WhyResult& why) { w.put(why); });
}

void read_why(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  const uint32_t cells = r.get<uint32_t>();
  if (generation != results.why_generation) {
    results.why_generation = generation;
    results.why.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, WhyResult());
  }
  read_each_once_done(r, cells, results.why, [&](WhyResult& why) {
    r.get(why);
    why.done = r.ok();
  });
}

void write_trainability(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.trainability_generation != c.trainability_generation) {
    outbox.trainability_generation = c.trainability_generation;
    outbox.trainability_sent = false;
  }
  const TrainabilityResult& t = c.trainability.result;
  const bool send = t.done && !outbox.trainability_sent;
  w.put<int64_t>(c.trainability_generation);
  w.put(t.progress);
  w.put(send);
  if (!send) return;
  outbox.trainability_sent = true;
  w.put(t);
}

void read_trainability(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  TrainabilityResult& t = results.trainability;
  if (generation != results.trainability_generation) {
    results.trainability_generation = generation;
    t = TrainabilityResult();
  }
  t.progress = r.get<double>();
  if (!r.get<bool>()) return;
  r.get(t);
  t.done = r.ok();
}

// --- what fixes it: the critical experiment's new runs, the cliff once, the truncation cosines ---

// The experiment's state, sent with every message (the runs and the summary follow).
template <class Result, class F>
void critical_status(Result& r, F&& f) {
  f(r.running);
  f(r.done);
  f(r.runs_total);
  f(r.current);
  f(r.progress);
  f(r.elapsed_ms);
  f(r.error);
}

// Runs finish in any order (a pool of workers trains them): each is sent once, with its index,
// and the page keeps them in canonical order.
void write_critical(Writer& w, const Compute& c, Outbox& outbox) {
  const CriticalJob& job = c.critical;
  const bool again =
      outbox.critical_generation != job.generation || outbox.critical_scoring != job.scoring;
  if (again) {  // a restart or a new threshold: every run again
    outbox.critical_generation = job.generation;
    outbox.critical_scoring = job.scoring;
    outbox.critical_sent.clear();
  }
  outbox.critical_sent.resize(job.runs.size(), 0);
  w.put<int64_t>(job.generation);
  critical_status(job.result, [&](const auto& field) { w.put(field); });
  w.put(again);
  std::vector<gs::CriticalRun> finished, fresh;
  for (size_t i = 0; i < job.runs.size(); ++i) {
    if (!job.runs[i].done) continue;
    finished.push_back(job.runs[i]);
    if (!outbox.critical_sent[i]) fresh.push_back(job.runs[i]);
    outbox.critical_sent[i] = 1;
  }
  w.put(fresh);
  const bool summary = again || !fresh.empty();
  w.put(summary);
  if (summary) w.put(gs::critical_summary(job.started ? job.config : c.config, finished));
}

void read_critical(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  CriticalResult& c = results.critical;
  if (generation != results.critical_generation) {
    results.critical_generation = generation;
    c = CriticalResult();
  }
  critical_status(c, [&](auto& field) { r.get(field); });
  if (r.get<bool>()) c.runs.clear();  // every run again (a new threshold re-scores them)
  std::vector<gs::CriticalRun> runs = r.get<std::vector<gs::CriticalRun>>();
  if (r.ok())
    for (gs::CriticalRun& run : runs) {  // into its place in canonical order
      run.done = true;
      const auto at = std::lower_bound(
          c.runs.begin(), c.runs.end(), run.index,
          [](const gs::CriticalRun& x, int index) { return x.index < index; });
      if (at != c.runs.end() && at->index == run.index)
        *at = run;
      else
        c.runs.insert(at, run);
    }
  if (!r.get<bool>()) return;
  std::vector<gs::CriticalCell> cells = r.get<std::vector<gs::CriticalCell>>();
  if (r.ok()) c.cells = std::move(cells);
}

// The cliff's surface, sent once, and its descent paths, sent again for each new start point.
template <class Cliff, class F>
void cliff_surface(Cliff& cliff, F&& f) {
  f(cliff.w);
  f(cliff.b);
  f(cliff.loss);
  f(cliff.grad_w);
  f(cliff.grad_b);
}
template <class Cliff, class F>
void cliff_paths(Cliff& cliff, F&& f) {
  f(cliff.paths_generation);
  f(cliff.start_w);
  f(cliff.start_b);
  f(cliff.plain);
  f(cliff.clipped);
}

void write_cliff(Writer& w, const Compute& c, Outbox& outbox) {
  const CliffResult& cliff = c.cliff.result;
  const auto put = [&](const auto& field) { w.put(field); };
  w.put(cliff.progress);
  const bool surface = cliff.done && !outbox.cliff_sent;
  w.put(surface);
  if (surface) {
    outbox.cliff_sent = true;
    cliff_surface(cliff, put);
  }
  const bool paths = cliff.paths_generation != outbox.cliff_paths_sent;
  w.put(paths);
  if (!paths) return;
  outbox.cliff_paths_sent = cliff.paths_generation;
  cliff_paths(cliff, put);
}

void read_cliff(Reader& r, Results& results) {
  CliffResult& cliff = results.cliff;
  const auto get = [&](auto& field) { r.get(field); };
  cliff.progress = r.get<double>();
  if (r.get<bool>()) {
    cliff_surface(cliff, get);
    cliff.done = r.ok() && cliff.loss.size() == cliff.w.size() * cliff.b.size();
  }
  if (r.get<bool>()) cliff_paths(cliff, get);
}

void write_truncation(Writer& w, const Compute& c, Outbox& outbox) {
  const TruncationJobs& jobs = c.truncation;
  if (outbox.truncation_generation != jobs.generation) {
    outbox.truncation_generation = jobs.generation;
    outbox.truncation_sent.assign(jobs.cells.size(), 0);
  }
  w.put<int64_t>(jobs.generation);
  w.put(jobs.error);
  w.put<uint32_t>(static_cast<uint32_t>(jobs.cells.size()));
  write_each_once_done(w, jobs.cells, outbox.truncation_sent,
                       [&](const TruncationResult::Cell& cell) { w.put(cell.cosine); });
}

void read_truncation(Reader& r, Results& results) {
  const long generation = r.get<int64_t>();
  TruncationResult& t = results.truncation;
  const std::string error = r.get<std::string>();
  const uint32_t cells = r.get<uint32_t>();
  if (generation != results.truncation_generation) {
    results.truncation_generation = generation;
    t = TruncationResult();
    t.cells.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, TruncationResult::Cell());
  }
  t.error = error;
  read_each_once_done(r, cells, t.cells, [&](TruncationResult::Cell& cell) {
    r.get(cell.cosine);
    cell.done = r.ok();
  });
}

}  // namespace

void encode_update(const Compute& compute, const WorkerStatus& status, Outbox& outbox,
                   std::vector<uint8_t>& message) {
  Writer w(message);
  w.put(kMagic);
  w.put<int64_t>(status.commands_done);
  w.put<int64_t>(status.memory_bytes);
  w.put(compute.config_text);
  write_decay(w, compute, outbox);
  write_sweep(w, compute, outbox);
  write_training(w, compute, outbox);
  write_why(w, compute, outbox);
  write_trainability(w, compute, outbox);
  write_critical(w, compute, outbox);
  write_cliff(w, compute, outbox);
  write_truncation(w, compute, outbox);
}

std::string apply_update(Results& results, const uint8_t* data, size_t size) {
  Reader r(data, size);
  if (r.get<uint32_t>() != kMagic) return "not a gradscope update message";
  results.commands_done = r.get<int64_t>();
  results.worker_memory_bytes = r.get<int64_t>();
  const std::string config_text = r.get<std::string>();
  if (config_text != results.config_text) {
    gs::Config config;
    const std::string error = gs::parse_config(config, config_text);
    if (!error.empty()) return "the worker's configuration does not parse: " + error;
    results.config = config;
    results.config_text = config_text;
  }
  read_decay(r, results);
  read_sweep(r, results);
  read_training(r, results);
  read_why(r, results);
  read_trainability(r, results);
  read_critical(r, results);
  read_cliff(r, results);
  read_truncation(r, results);
  return r.ok() ? "" : "a truncated update message";
}
