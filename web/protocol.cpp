#include "protocol.h"

#include <cstring>

namespace {

const uint32_t kMagic = 0x31555347;  // "GSU1": gradscope update, version 1

// Plain values and arrays appended as raw bytes: both ends are the same code on the same
// (little-endian) machine.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) { out_.clear(); }
  template <class T>
  void pod(T value) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
    out_.insert(out_.end(), bytes, bytes + sizeof value);
  }
  template <class T>
  void array(const std::vector<T>& values) {
    pod<uint32_t>(static_cast<uint32_t>(values.size()));
    const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
    out_.insert(out_.end(), bytes, bytes + values.size() * sizeof(T));
  }
  void text(const std::string& s) { array(std::vector<char>(s.begin(), s.end())); }

 private:
  std::vector<uint8_t>& out_;
};

// Reads what Writer wrote; after a read past the end, ok() is false and every read gives zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : at_(data), end_(data + size) {}
  bool ok() const { return ok_; }
  template <class T>
  T pod() {
    T value{};
    if (take(sizeof value)) std::memcpy(&value, at_ - sizeof value, sizeof value);
    return value;
  }
  template <class T>
  std::vector<T> array() {
    const uint32_t n = pod<uint32_t>();
    std::vector<T> values;
    if (!ok_ || n > (end_ - at_) / sizeof(T)) return ok_ = false, values;
    values.resize(n);
    if (n > 0) std::memcpy(values.data(), at_, n * sizeof(T));  // data() may be null when n = 0
    at_ += n * sizeof(T);
    return values;
  }
  std::string text() {
    const std::vector<char> chars = array<char>();
    return std::string(chars.begin(), chars.end());
  }

 private:
  bool take(size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - at_) < n) return ok_ = false;
    at_ += n;
    return true;
  }
  const uint8_t* at_;
  const uint8_t* end_;
  bool ok_ = true;
};

void write_analysis(Writer& w, const gs::ProbeAnalysis& a) {
  w.pod(a.log10_per_step);
  w.pod(a.factor_per_step);
  w.pod(a.log10_first_to_last);
  w.pod<int32_t>(a.steps_to_zero);
  w.pod(a.sigma_max_whh);
  w.pod(a.gamma);
  w.pod(a.mean_derivative);
  w.pod(a.fraction_zero_derivative);
  w.pod(a.mean_gate);
  w.pod<int32_t>(a.overflow_step);
  w.pod(a.log10_growth_per_step);
}

gs::ProbeAnalysis read_analysis(Reader& r) {
  gs::ProbeAnalysis a;
  a.log10_per_step = r.pod<double>();
  a.factor_per_step = r.pod<double>();
  a.log10_first_to_last = r.pod<double>();
  a.steps_to_zero = r.pod<int32_t>();
  a.sigma_max_whh = r.pod<double>();
  a.gamma = r.pod<double>();
  a.mean_derivative = r.pod<double>();
  a.fraction_zero_derivative = r.pod<double>();
  a.mean_gate = r.pod<double>();
  a.overflow_step = r.pod<int32_t>();
  a.log10_growth_per_step = r.pod<double>();
  return a;
}

// --- the three parts of a message -------------------------------------------------------------

// Decay: per cell, its whole result once it is finished (the page summarizes it itself).
void write_decay(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.decay_generation != c.decay_generation) {
    outbox.decay_generation = c.decay_generation;
    outbox.decay_sent.assign(c.decay.size(), 0);
  }
  w.pod<int64_t>(c.decay_generation);
  w.pod(decay_progress(c));
  w.pod<uint32_t>(static_cast<uint32_t>(c.decay.size()));
  for (size_t i = 0; i < c.decay.size(); ++i) {
    const DecayResult& r = c.decay[i].result;
    const bool send = r.done && !outbox.decay_sent[i];
    w.pod<uint8_t>(static_cast<uint8_t>(r.cell));
    w.pod<uint8_t>(send);
    if (!send) continue;
    outbox.decay_sent[i] = 1;
    w.pod<uint32_t>(static_cast<uint32_t>(r.curves.size()));
    for (const std::vector<double>& curve : r.curves) w.array(curve);
    w.array(r.curve_c);
    w.array(r.curve_forget_path);
    w.array(r.heat_columns);
    w.pod<int32_t>(r.steps_per_column);
    w.pod<int32_t>(r.steps);
    write_analysis(w, r.analysis);
    w.pod<int32_t>(r.overflow_step);
    w.text(r.overflow);
  }
}

void read_decay(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  results.decay_progress = r.pod<double>();
  const uint32_t cells = r.pod<uint32_t>();
  if (generation != results.decay_generation) {
    results.decay_generation = generation;
    results.decay.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, DecayResult());
  }
  for (uint32_t i = 0; r.ok() && i < cells && i < results.decay.size(); ++i) {
    DecayResult& d = results.decay[i];
    d.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    if (!r.pod<uint8_t>()) continue;
    const uint32_t seeds = r.pod<uint32_t>();
    d.curves.clear();
    for (uint32_t s = 0; r.ok() && s < seeds; ++s) d.curves.push_back(r.array<double>());
    d.curve_c = r.array<double>();
    d.curve_forget_path = r.array<double>();
    d.heat_columns = r.array<float>();
    d.steps_per_column = r.pod<int32_t>();
    d.steps = r.pod<int32_t>();
    d.analysis = read_analysis(r);
    d.overflow_step = r.pod<int32_t>();
    d.overflow = r.text();
    if (!r.ok() || d.curves.empty()) return;
    summarize_decay(d);
    d.done = true;
  }
}

// Sweep: the points finished since the last message.
void write_sweep(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.sweep_generation != c.sweep_generation) {
    outbox.sweep_generation = c.sweep_generation;
    outbox.sweep_sent = 0;
  }
  w.pod<int64_t>(c.sweep_generation);
  w.pod(sweep_progress(c));
  w.pod<uint8_t>(c.sweep_done);
  const size_t finished = c.sweep.next_point;
  w.pod<uint32_t>(static_cast<uint32_t>(outbox.sweep_sent));
  w.pod<uint32_t>(static_cast<uint32_t>(finished - outbox.sweep_sent));
  for (size_t i = outbox.sweep_sent; i < finished; ++i) {
    const gs::SweepPoint& p = c.sweep.points[i];
    w.pod<uint8_t>(static_cast<uint8_t>(p.cell));
    w.pod<int32_t>(p.length);
    w.pod(p.mean);
    w.pod(p.stddev);
    w.pod(p.min);
    w.pod(p.max);
    w.array(p.per_probe);
  }
  outbox.sweep_sent = finished;
}

void read_sweep(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  results.sweep_progress = r.pod<double>();
  results.sweep_done = r.pod<uint8_t>();
  if (generation != results.sweep_generation) {
    results.sweep_generation = generation;
    results.sweep_points.clear();
  }
  const uint32_t first = r.pod<uint32_t>(), count = r.pod<uint32_t>();
  if (first != results.sweep_points.size()) return;  // cannot happen: messages arrive in order
  for (uint32_t i = 0; r.ok() && i < count; ++i) {
    gs::SweepPoint p;
    p.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    p.length = r.pod<int32_t>();
    p.mean = r.pod<double>();
    p.stddev = r.pod<double>();
    p.min = r.pod<double>();
    p.max = r.pod<double>();
    p.per_probe = r.array<double>();
    if (r.ok()) results.sweep_points.push_back(std::move(p));
  }
}

// Training: the status, and per cell the records since the last message.
void write_training(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.train_generation != c.train_generation) {
    outbox.train_generation = c.train_generation;
    outbox.train_sent.assign(c.train.size(), 0);
  }
  w.pod<int64_t>(c.train_generation);
  w.text(c.train_error);
  w.pod<uint8_t>(c.playing);
  w.pod<int32_t>(c.target_iterations);
  w.pod(c.iterations_per_second);
  w.pod<uint32_t>(static_cast<uint32_t>(c.train.size()));
  for (size_t i = 0; i < c.train.size(); ++i) {
    const gs::Trainer& t = c.train[i].trainer;
    w.pod<uint8_t>(static_cast<uint8_t>(t.cell));
    w.pod(t.shape.chance_loss);
    w.pod<int32_t>(t.diverged_at);
    w.text(t.divergence);
    w.pod<uint32_t>(static_cast<uint32_t>(outbox.train_sent[i]));
    w.pod<uint32_t>(static_cast<uint32_t>(t.history.size() - outbox.train_sent[i]));
    for (size_t k = outbox.train_sent[i]; k < t.history.size(); ++k) {
      const gs::TrainRecord& record = t.history[k];
      w.pod<int32_t>(record.iteration);
      w.pod(record.loss);
      w.pod(record.grad_norm);
      w.pod(record.accuracy);
      w.pod<uint8_t>(record.clipped);
      w.pod<uint8_t>(record.skipped);
    }
    outbox.train_sent[i] = t.history.size();
  }
}

void read_training(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  results.train_error = r.text();
  results.playing = r.pod<uint8_t>();
  results.target_iterations = r.pod<int32_t>();
  results.iterations_per_second = r.pod<double>();
  const uint32_t cells = r.pod<uint32_t>();
  if (generation != results.train_generation) {
    results.train_generation = generation;
    results.train.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, TrainResult());
  }
  for (uint32_t i = 0; r.ok() && i < cells && i < results.train.size(); ++i) {
    TrainResult& t = results.train[i];
    t.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    t.chance_loss = r.pod<double>();
    t.diverged_at = r.pod<int32_t>();
    t.divergence = r.text();
    const uint32_t first = r.pod<uint32_t>(), count = r.pod<uint32_t>();
    const bool in_order = first == t.history.size();
    for (uint32_t k = 0; r.ok() && k < count; ++k) {
      gs::TrainRecord record;
      record.iteration = r.pod<int32_t>();
      record.loss = r.pod<double>();
      record.grad_norm = r.pod<double>();
      record.accuracy = r.pod<double>();
      record.clipped = r.pod<uint8_t>();
      record.skipped = r.pod<uint8_t>();
      if (in_order && r.ok()) t.history.push_back(record);
    }
  }
}

// --- why it vanishes: per cell once finished, and the trainability map once finished ---

void write_series(Writer& w, const StepSeries& s) {
  w.text(s.name);
  w.text(s.meaning);
  w.array(s.steps);
  w.array(s.mean);
  w.array(s.q25);
  w.array(s.median);
  w.array(s.q75);
}

StepSeries read_series(Reader& r) {
  StepSeries s;
  s.name = r.text();
  s.meaning = r.text();
  s.steps = r.array<double>();
  s.mean = r.array<double>();
  s.q25 = r.array<double>();
  s.median = r.array<double>();
  s.q75 = r.array<double>();
  return s;
}

void write_why(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.why_generation != c.why_generation) {
    outbox.why_generation = c.why_generation;
    outbox.why_sent.assign(c.why.size(), 0);
  }
  w.pod<int64_t>(c.why_generation);
  w.pod<uint32_t>(static_cast<uint32_t>(c.why.size()));
  for (size_t i = 0; i < c.why.size(); ++i) {
    const WhyResult& r = c.why[i].result;
    const bool send = r.done && !outbox.why_sent[i];
    w.pod<uint8_t>(static_cast<uint8_t>(r.cell));
    w.pod<uint8_t>(send);
    if (!send) continue;
    outbox.why_sent[i] = 1;
    w.pod<int32_t>(r.steps);
    w.pod<int32_t>(r.overflow_step);
    w.pod<int32_t>(r.state_size);
    w.pod<uint8_t>(r.complete);
    w.array(r.sv_steps);
    w.pod<uint32_t>(static_cast<uint32_t>(r.step_sv.size()));
    for (const std::vector<double>& sv : r.step_sv) w.array(sv);
    w.array(r.lyapunov);
    w.pod(r.decay_log10_per_step);
    w.pod(r.pascanu_bound);
    w.pod(r.sigma_max_whh);
    w.pod(r.gamma);
    w.pod(r.keep_path_log10_per_step);
    w.pod(r.twin_log10_per_step);
    w.pod(r.spectral_radius_whh);
    write_series(w, r.keep_path);
    w.pod<uint32_t>(static_cast<uint32_t>(r.saturation.size()));
    for (const StepSeries& s : r.saturation) write_series(w, s);
    write_series(w, r.lag_terms);
    w.pod(r.log10_total);
    w.array(r.share_above_lags);
    w.array(r.log10_share_above);
  }
}

void read_why(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  const uint32_t cells = r.pod<uint32_t>();
  if (generation != results.why_generation) {
    results.why_generation = generation;
    results.why.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, WhyResult());
  }
  for (uint32_t i = 0; r.ok() && i < cells && i < results.why.size(); ++i) {
    WhyResult& d = results.why[i];
    d.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    if (!r.pod<uint8_t>()) continue;
    d.steps = r.pod<int32_t>();
    d.overflow_step = r.pod<int32_t>();
    d.state_size = r.pod<int32_t>();
    d.complete = r.pod<uint8_t>();
    d.sv_steps = r.array<double>();
    const uint32_t sampled = r.pod<uint32_t>();
    d.step_sv.clear();
    for (uint32_t k = 0; r.ok() && k < sampled; ++k) d.step_sv.push_back(r.array<double>());
    d.lyapunov = r.array<double>();
    d.decay_log10_per_step = r.pod<double>();
    d.pascanu_bound = r.pod<double>();
    d.sigma_max_whh = r.pod<double>();
    d.gamma = r.pod<double>();
    d.keep_path_log10_per_step = r.pod<double>();
    d.twin_log10_per_step = r.pod<double>();
    d.spectral_radius_whh = r.pod<double>();
    d.keep_path = read_series(r);
    const uint32_t series = r.pod<uint32_t>();
    d.saturation.clear();
    for (uint32_t k = 0; r.ok() && k < series; ++k) d.saturation.push_back(read_series(r));
    d.lag_terms = read_series(r);
    d.log10_total = r.pod<double>();
    d.share_above_lags = r.array<double>();
    d.log10_share_above = r.array<double>();
    d.done = r.ok();
  }
}

void write_trainability(Writer& w, const Compute& c, Outbox& outbox) {
  if (outbox.trainability_generation != c.trainability_generation) {
    outbox.trainability_generation = c.trainability_generation;
    outbox.trainability_sent = false;
  }
  const TrainabilityResult& t = c.trainability.result;
  const bool send = t.done && !outbox.trainability_sent;
  w.pod<int64_t>(c.trainability_generation);
  w.pod(t.progress);
  w.pod<uint8_t>(send);
  if (!send) return;
  outbox.trainability_sent = true;
  w.array(t.scales);
  w.array(t.lengths);
  w.pod<uint32_t>(static_cast<uint32_t>(t.cells.size()));
  for (const TrainabilityResult::Cell& cell : t.cells) {
    w.pod<uint8_t>(static_cast<uint8_t>(cell.cell));
    w.array(cell.log10_ratio);
    w.array(cell.lyapunov_max);
    w.pod(cell.edge_of_chaos);
  }
}

void read_trainability(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  TrainabilityResult& t = results.trainability;
  if (generation != results.trainability_generation) {
    results.trainability_generation = generation;
    t = TrainabilityResult();
  }
  t.progress = r.pod<double>();
  if (!r.pod<uint8_t>()) return;
  t.scales = r.array<double>();
  t.lengths = r.array<double>();
  const uint32_t cells = r.pod<uint32_t>();
  t.cells.clear();
  for (uint32_t i = 0; r.ok() && i < cells && i < 64; ++i) {
    TrainabilityResult::Cell cell;
    cell.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    cell.log10_ratio = r.array<double>();
    cell.lyapunov_max = r.array<double>();
    cell.edge_of_chaos = r.pod<double>();
    t.cells.push_back(std::move(cell));
  }
  t.done = r.ok();
}

// --- what fixes it: the critical experiment's new runs, the cliff once, the truncation cosines ---

void write_critical(Writer& w, const Compute& c, Outbox& outbox) {
  const CriticalJob& job = c.critical;
  if (outbox.critical_generation != job.generation || outbox.critical_scoring != job.scoring) {
    outbox.critical_generation = job.generation;
    outbox.critical_scoring = job.scoring;
    outbox.critical_sent = 0;  // a restart or a new threshold: every run again
  }
  const CriticalResult& r = job.result;
  w.pod<int64_t>(job.generation);
  w.pod<uint8_t>(r.running);
  w.pod<uint8_t>(r.done);
  w.pod<int32_t>(r.runs_total);
  w.pod<int32_t>(r.current);
  w.pod(r.progress);
  w.pod(r.elapsed_ms);
  w.text(r.error);
  const std::vector<gs::CriticalRun>& runs = job.experiment.runs;
  const size_t finished = job.started ? job.experiment.next : 0;
  w.pod<uint32_t>(static_cast<uint32_t>(outbox.critical_sent));
  w.pod<uint32_t>(static_cast<uint32_t>(finished - outbox.critical_sent));
  for (size_t i = outbox.critical_sent; i < finished; ++i) {
    const gs::CriticalRun& run = runs[i];
    w.pod<uint8_t>(static_cast<uint8_t>(run.cell));
    w.pod<int32_t>(run.length);
    w.pod<uint64_t>(run.seed);
    w.pod<int32_t>(run.index);
    w.pod(run.final_loss);
    w.pod(run.chance_loss);
    w.pod<uint8_t>(run.solved);
    w.pod<int32_t>(run.diverged_at);
  }
  const bool summary = finished > outbox.critical_sent || outbox.critical_sent == 0;
  outbox.critical_sent = finished;
  w.pod<uint8_t>(summary);
  if (!summary) return;
  const std::vector<gs::CriticalCell> cells =
      gs::critical_summary(job.started ? job.experiment.config : c.config,
                           std::vector<gs::CriticalRun>(runs.begin(), runs.begin() + finished));
  w.pod<uint32_t>(static_cast<uint32_t>(cells.size()));
  for (const gs::CriticalCell& cell : cells) {
    w.pod<uint8_t>(static_cast<uint8_t>(cell.cell));
    w.pod<int32_t>(cell.critical_length);
    w.pod<uint32_t>(static_cast<uint32_t>(cell.shares.size()));
    for (const gs::CriticalShare& share : cell.shares) {
      w.pod<int32_t>(share.length);
      w.pod<int32_t>(share.done);
      w.pod<int32_t>(share.solved);
    }
  }
}

void read_critical(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  CriticalResult& c = results.critical;
  if (generation != results.critical_generation) {
    results.critical_generation = generation;
    c = CriticalResult();
  }
  c.running = r.pod<uint8_t>();
  c.done = r.pod<uint8_t>();
  c.runs_total = r.pod<int32_t>();
  c.current = r.pod<int32_t>();
  c.progress = r.pod<double>();
  c.elapsed_ms = r.pod<double>();
  c.error = r.text();
  const uint32_t first = r.pod<uint32_t>(), count = r.pod<uint32_t>();
  if (first == 0) c.runs.clear();  // every run again (a new threshold re-scores them)
  const bool in_order = first == c.runs.size();
  for (uint32_t i = 0; r.ok() && i < count; ++i) {
    gs::CriticalRun run;
    run.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    run.length = r.pod<int32_t>();
    run.seed = r.pod<uint64_t>();
    run.index = r.pod<int32_t>();
    run.final_loss = r.pod<double>();
    run.chance_loss = r.pod<double>();
    run.solved = r.pod<uint8_t>();
    run.diverged_at = r.pod<int32_t>();
    run.done = true;
    if (in_order && r.ok()) c.runs.push_back(run);
  }
  if (!r.pod<uint8_t>()) return;
  const uint32_t cells = r.pod<uint32_t>();
  c.cells.clear();
  for (uint32_t i = 0; r.ok() && i < cells && i < 64; ++i) {
    gs::CriticalCell cell;
    cell.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    cell.critical_length = r.pod<int32_t>();
    const uint32_t lengths = r.pod<uint32_t>();
    for (uint32_t k = 0; r.ok() && k < lengths && k < 64; ++k) {
      gs::CriticalShare share;
      share.length = r.pod<int32_t>();
      share.done = r.pod<int32_t>();
      share.solved = r.pod<int32_t>();
      cell.shares.push_back(share);
    }
    c.cells.push_back(std::move(cell));
  }
}

void write_path(Writer& w, const CliffPath& p) {
  w.pod(p.clip);
  w.array(p.w);
  w.array(p.b);
  w.array(p.loss);
  w.array(p.clipped);
  w.pod<int32_t>(p.off_step);
  w.pod<uint8_t>(p.overflow);
}

CliffPath read_path(Reader& r) {
  CliffPath p;
  p.clip = r.pod<double>();
  p.w = r.array<double>();
  p.b = r.array<double>();
  p.loss = r.array<double>();
  p.clipped = r.array<uint8_t>();
  p.off_step = r.pod<int32_t>();
  p.overflow = r.pod<uint8_t>();
  return p;
}

void write_cliff(Writer& w, const Compute& c, Outbox& outbox) {
  const CliffResult& cliff = c.cliff.result;
  w.pod(cliff.progress);
  const bool surface = cliff.done && !outbox.cliff_sent;
  w.pod<uint8_t>(surface);
  if (surface) {
    outbox.cliff_sent = true;
    w.array(cliff.w);
    w.array(cliff.b);
    w.array(cliff.loss);
    w.array(cliff.grad_w);
    w.array(cliff.grad_b);
  }
  const bool paths = cliff.paths_generation != outbox.cliff_paths_sent;
  w.pod<uint8_t>(paths);
  if (!paths) return;
  outbox.cliff_paths_sent = cliff.paths_generation;
  w.pod<int64_t>(cliff.paths_generation);
  w.pod(cliff.start_w);
  w.pod(cliff.start_b);
  write_path(w, cliff.plain);
  write_path(w, cliff.clipped);
}

void read_cliff(Reader& r, Results& results) {
  CliffResult& cliff = results.cliff;
  cliff.progress = r.pod<double>();
  if (r.pod<uint8_t>()) {
    cliff.w = r.array<double>();
    cliff.b = r.array<double>();
    cliff.loss = r.array<double>();
    cliff.grad_w = r.array<double>();
    cliff.grad_b = r.array<double>();
    cliff.done = r.ok() && cliff.loss.size() == cliff.w.size() * cliff.b.size();
  }
  if (!r.pod<uint8_t>()) return;
  cliff.paths_generation = r.pod<int64_t>();
  cliff.start_w = r.pod<double>();
  cliff.start_b = r.pod<double>();
  cliff.plain = read_path(r);
  cliff.clipped = read_path(r);
}

void write_truncation(Writer& w, const Compute& c, Outbox& outbox) {
  const TruncationJobs& jobs = c.truncation;
  if (outbox.truncation_generation != jobs.generation) {
    outbox.truncation_generation = jobs.generation;
    outbox.truncation_sent.assign(jobs.cells.size(), 0);
  }
  w.pod<int64_t>(jobs.generation);
  w.text(jobs.error);
  w.pod<uint32_t>(static_cast<uint32_t>(jobs.cells.size()));
  for (size_t i = 0; i < jobs.cells.size(); ++i) {
    const TruncationResult::Cell& cell = jobs.cells[i].result;
    const bool send = cell.done && !outbox.truncation_sent[i];
    w.pod<uint8_t>(static_cast<uint8_t>(cell.cell));
    w.pod<uint8_t>(send);
    if (!send) continue;
    outbox.truncation_sent[i] = 1;
    w.array(cell.cosine);
  }
}

void read_truncation(Reader& r, Results& results) {
  const long generation = r.pod<int64_t>();
  TruncationResult& t = results.truncation;
  const std::string error = r.text();
  const uint32_t cells = r.pod<uint32_t>();
  if (generation != results.truncation_generation) {
    results.truncation_generation = generation;
    t = TruncationResult();
    t.cells.assign(r.ok() ? std::min<uint32_t>(cells, 64) : 0, TruncationResult::Cell());
  }
  t.error = error;
  for (uint32_t i = 0; r.ok() && i < cells && i < t.cells.size(); ++i) {
    TruncationResult::Cell& cell = t.cells[i];
    cell.cell = static_cast<gs::CellKind>(r.pod<uint8_t>());
    if (!r.pod<uint8_t>()) continue;
    cell.cosine = r.array<double>();
    cell.done = r.ok();
  }
}

}  // namespace

void encode_update(const Compute& compute, const WorkerStatus& status, Outbox& outbox,
                   std::vector<uint8_t>& message) {
  Writer w(message);
  w.pod(kMagic);
  w.pod<int64_t>(status.commands_done);
  w.pod<int64_t>(status.memory_bytes);
  w.text(compute.config_text);
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
  if (r.pod<uint32_t>() != kMagic) return "not a gradscope update message";
  results.commands_done = r.pod<int64_t>();
  results.worker_memory_bytes = r.pod<int64_t>();
  const std::string config_text = r.text();
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
